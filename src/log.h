/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef SDE_LOG_H
#define SDE_LOG_H

#include <stdbool.h>

/* syslog priorities, as /dev/kmsg takes them */
enum { SDE_ERR = 3, SDE_WARNING = 4, SDE_NOTICE = 5, SDE_INFO = 6, SDE_DEBUG = 7 };

#define SDE_PROG "scsi-dh-early"

/* A static buffer for stdout (before any output). */
void stdout_buffer(void);

/* verbosity: 0 errors and warnings, 1 info (-v), 2 debug (-vv); -q makes it -1 */
void log_set_verbosity(int v);
int log_verbosity(void);

/* Open <sysroot>/dev/kmsg for writing; false when it cannot be opened. */
bool kmsg_open(void);
/* Whether per-device lines also go to the kernel log (rd.scsi_dh.debug). */
void kmsg_set_debug(bool on);
void kmsg_close(void);

/* To standard error, when the verbosity allows: "scsi-dh-early: message". */
void log_msg(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* One line to the kernel log, when it is open: "<prio>scsi-dh-early: message". */
void kmsg_msg(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A per-device line: standard error at -v, the kernel log only in debug mode. */
void log_device(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
