/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The commands, one file each (cmd-*.c); main.c only parses the command line.
 * A command returns an exit status: only commands and main map to them.
 */
#ifndef SDE_CMD_H
#define SDE_CMD_H

#include <stdbool.h>

#ifndef VERSION
#define VERSION "0"
#endif

#define STATUS_DIR "/run/scsi-dh-early"

enum { EXIT_OK = 0, EXIT_PROBLEM = 1, EXIT_USAGE = 2 };

enum command { CMD_NONE, CMD_STATUS, CMD_CHECK, CMD_PRELOAD, CMD_APPLY, CMD_SOFTDEPS,
	       CMD_MODULES, CMD_RESOLVE, CMD_RULES };

struct opts {
	enum command cmd;
	const char *sysroot, *config, *kver, *moddir;
	bool json, boot, dry_run;
	bool prom;		/* status --format=prometheus, or --textfile */
	bool format;		/* --format given */
	const char *textfile;	/* status --textfile DIR */
	bool late;	/* apply --late: only the LUNs no sweep has seen */
	int kmsg;	/* 1 --kmsg, 0 --no-kmsg, -1 automatic */
	int verbosity;
	char **devices;
	int ndevices;
};

struct policy;
struct kernel_info;

/* cmd.c */
int bad_usage(const char *fmt, const char *arg);
void print_errors(const struct policy *p);
void kmsg_fallback(const struct policy *p, const char *what);

int cmd_preload(const struct opts *o, struct policy *p, struct kernel_info *k);
int cmd_apply(const struct opts *o, struct policy *p, struct kernel_info *k);
int cmd_status_boot(const struct opts *o);
int cmd_status(const struct opts *o, struct policy *p, struct kernel_info *k);
int cmd_check(const struct opts *o, struct policy *p, struct kernel_info *k);
int cmd_softdeps(const struct policy *p, struct kernel_info *k);
int cmd_modules(const struct policy *p, struct kernel_info *k);
int cmd_rules(const struct policy *p, struct kernel_info *k);

#endif
