/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef SDE_CONFIG_H
#define SDE_CONFIG_H

#include <stdbool.h>
#include <stdio.h>

#define CONFIG_FILE "/etc/scsi-dh-early.conf"
#define CONFIG_DIR "/etc/scsi-dh-early.conf.d"

#define HANDLER_NAME_MAX 32	/* handler names: [a-z0-9_]+, at most 31 bytes */
#define MAX_HANDLERS 16		/* handlers in the preload list */
#define MAX_OWNERS 64		/* [owner] sections */
#define OWNER_NAME_MAX 64
#define MODULE_NAME_MAX 64
#define MAX_GLOBS 16		/* words of one key */
#define GLOB_MAX 128
#define MAX_CONFIG_FILES 64	/* files in CONFIG_DIR that are read */
#define CONFIG_FILE_MAX (256 * 1024)
#define MAX_ERRORS 16		/* errors kept for the report; more are counted */
#define ERROR_MAX 512
#define TIMEOUT_MAX_MS (3600 * 1000)
#define WRITE_JOBS_MAX 64	/* dh_state writes in flight at once */
#define WRITE_JOBS_DEFAULT 8
#define METRICS_DIR_MAX 1024	/* metrics_textfile_dir, with its NUL */

struct glob_list {
	unsigned int n;
	char v[MAX_GLOBS][GLOB_MAX];
};

struct owner_rule {
	char name[OWNER_NAME_MAX];
	char driver[MODULE_NAME_MAX];	/* "" when the rule has no driver key */
	struct glob_list vendor, model, wwid, host;
	unsigned int file;		/* index into policy.files */
	unsigned int line;		/* of the section header */
	bool active;			/* set by owners_resolve() */
	char why[96];			/* why it is (in)active */
};

struct policy {
	bool enabled;			/* rd.scsi_dh */
	char preload[MAX_HANDLERS][HANDLER_NAME_MAX];
	unsigned int npreload;
	bool late_attach;
	bool detach;
	bool debug;			/* rd.scsi_dh.debug */
	bool kill_seen;			/* rd.scsi_dh=0 (or no, off) seen anywhere */
	unsigned int timeout_ms;	/* modprobe_timeout */
	unsigned int write_jobs;	/* 1..WRITE_JOBS_MAX */
	/* the real root's sweeps write their metrics there; "" none */
	char metrics_dir[METRICS_DIR_MAX];
	struct owner_rule owners[MAX_OWNERS];
	unsigned int nowners;

	/* where it came from */
	char files[MAX_CONFIG_FILES + 1][256];
	unsigned int nfiles;
	bool fallback;			/* errors: preload defaults, change nothing */

	char errors[MAX_ERRORS][ERROR_MAX];
	unsigned int nerrors;		/* may exceed MAX_ERRORS */
};

void policy_defaults(struct policy *p);

/*
 * Parse one configuration text (name is used in messages). Errors are recorded
 * in p->errors as "NAME:LINE: message"; returns the number of new errors.
 */
unsigned int config_parse(struct policy *p, const char *name, const char *text);

/*
 * Read the configuration: file alone when given, else CONFIG_FILE and then
 * CONFIG_DIR/ *.conf in lexical order, all under the sysroot. Missing files are
 * fine. Returns the number of errors.
 */
unsigned int config_load(struct policy *p, const char *file);

#define CMDLINE_ARG_MAX 4096	/* bytes of one argument, NUL included */
#define MAX_CMDLINE_FILES 256	/* /etc/cmdline.d files read in order */

/*
 * A command line read in pieces of any size: arguments are split as the kernel
 * does (blanks, not inside double quotes) and handed on whole. An rd.scsi_dh*
 * argument too long for arg is an error, never cut.
 */
struct cmdline_reader {
	struct policy *p;
	const char *where;	/* for messages */
	size_t len;		/* of the argument so far, also past arg's size */
	bool quoted;
	bool kill_only;		/* only look for rd.scsi_dh=0 */
	char arg[CMDLINE_ARG_MAX];
};

void cmdline_begin(struct cmdline_reader *cr, struct policy *p, const char *where);
void cmdline_feed(struct cmdline_reader *cr, const char *s, size_t n);
void cmdline_finish(struct cmdline_reader *cr);

/* Apply rd.scsi_dh* options of a kernel command line; the last one wins. */
unsigned int cmdline_apply(struct policy *p, const char *cmdline);

/*
 * The kernel command line as dracut's getcmdline sees it, under the sysroot:
 * /etc/cmdline.d/ *.conf in lexical order, then /proc/cmdline, which wins. Any
 * length is read whole. What cannot be read (too many files, not a regular file,
 * an argument too long) is an error, and rd.scsi_dh=0 seen anywhere then wins.
 * Returns the number of errors.
 */
unsigned int cmdline_load(struct policy *p);

/* After errors: keep rd.scsi_dh, preload the default handlers, change nothing. */
void policy_fallback(struct policy *p);

bool policy_preloads(const struct policy *p, const char *handler);

/* Write the policy in configuration syntax (inactive owners commented out). */
void policy_write(const struct policy *p, FILE *out, bool resolved);

/* "[a-z0-9_]+", at most HANDLER_NAME_MAX - 1 bytes */
bool handler_name_valid(const char *s);

#endif
