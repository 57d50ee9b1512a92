// SPDX-License-Identifier: GPL-2.0-or-later
#include "log.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int verbosity;
static int kmsg_fd = -1;
static bool kmsg_dbg;

/*
 * musl gives stdout 1 KiB: thousands of status lines would be thousands of
 * writes. A static buffer of our own, line-buffered on a terminal as before.
 */
void stdout_buffer(void)
{
	static char buf[32 * 1024];

	setvbuf(stdout, buf, isatty(STDOUT_FILENO) ? _IOLBF : _IOFBF, sizeof(buf));
}

void log_set_verbosity(int v)
{
	verbosity = v;
}

int log_verbosity(void)
{
	return verbosity;
}

bool kmsg_open(void)
{
	char path[SDE_PATH_MAX];

	if (kmsg_fd >= 0)
		return true;
	if (sde_path(path, sizeof(path), "/dev/kmsg") < 0)
		return false;
	/* O_APPEND keeps lines whole when a fake kmsg is a regular file */
	kmsg_fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	return kmsg_fd >= 0;
}

void kmsg_set_debug(bool on)
{
	kmsg_dbg = on;
}

void kmsg_close(void)
{
	if (kmsg_fd >= 0)
		close(kmsg_fd);
	kmsg_fd = -1;
}

static void vkmsg(int prio, const char *fmt, va_list ap)
{
	/* the kernel takes at most ~1 KiB per record; keep lines well below */
	char line[1024];
	int n, m;

	if (kmsg_fd < 0)
		return;
	n = snprintf(line, sizeof(line), "<%d>" SDE_PROG ": ", prio);
	if (n < 0 || (size_t)n >= sizeof(line))
		return;
	m = vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	if (m < 0)
		return;
	if ((size_t)m >= sizeof(line) - (size_t)n - 1)
		m = (int)(sizeof(line) - (size_t)n - 2);
	n += m;
	line[n++] = '\n';
	/* one write() per record; a full or rate-limited log is not our failure */
	if (write(kmsg_fd, line, (size_t)n) < 0 && errno == EBADF)
		kmsg_fd = -1;
}

static void vlog(int prio, const char *fmt, va_list ap)
{
	char line[1024];
	const char *tag = "";

	if (prio >= SDE_INFO && verbosity < (prio == SDE_DEBUG ? 2 : 1))
		return;
	if (prio <= SDE_WARNING && verbosity < 0 && prio != SDE_ERR)
		return;
	if (prio == SDE_WARNING)
		tag = "warning: ";
	if (vsnprintf(line, sizeof(line), fmt, ap) < 0)
		return;
	/* what stdout holds comes first, as it would have unbuffered */
	fflush(stdout);
	fprintf(stderr, SDE_PROG ": %s%s\n", tag, line);
}

void log_msg(int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(prio, fmt, ap);
	va_end(ap);
}

void kmsg_msg(int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vkmsg(prio, fmt, ap);
	va_end(ap);
}

void log_device(int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(SDE_INFO, fmt, ap);
	va_end(ap);
	if (kmsg_dbg) {
		va_start(ap, fmt);
		vkmsg(prio, fmt, ap);
		va_end(ap);
	}
}
