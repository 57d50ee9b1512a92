// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * dhshim.c - LD_PRELOAD shim giving a fixture tree the kernel's write
 * semantics for the SCSI `dh_state` sysfs attribute.
 *
 * Build:  gcc -shared -fPIC -O2 -o build/dhshim.so tests/lib/dhshim.c -ldl
 * Use:    LD_PRELOAD=$PWD/build/dhshim.so build/scsi-dh-early-dyn --sysroot ROOT ...
 *
 * A file named `dh_state` below ROOT/sys/devices/ (and not on a real sysfs)
 * that is opened for writing is opened O_PATH instead: nothing is created or
 * truncated, a missing attribute fails as on sysfs (ENOENT, or EACCES when
 * O_CREAT asks to create it), and the descriptor survives
 * dup/dup2/fork/exec like any other.  write(2) on such a descriptor (known by
 * its O_PATH flag, so no table is needed) runs the emulation below.  fopen()
 * for writing returns a stdio stream whose flushes take the same path.
 * pwrite/writev are not covered; reads of such a descriptor fail with EBADF.
 *
 * Emulation (drivers/scsi/scsi_sysfs.c sdev_store_dh_state, scsi_dh.c):
 *   device dir gone, or DEV/state "cancel"/"deleted"          -> ENODEV
 *   no handler ("detached"): buf names a handler.  Registered handlers are
 *     alua emc rdac hp_sw, matched as the kernel does with
 *     strncmp(name, buf, strlen(name)), so "alua\n" is alua.  Unknown ->
 *     a futile request_module("scsi_dh_<buf>"), then EINVAL; empty -> EINVAL.
 *     alua on a device that is not a disk (DEV/type; post43 only), whose INQUIRY TPGS
 *     bits are 0, or whose DEV/vpd_pg83 is missing or has no target port
 *     group designator -> ENODEV (SCSI_DH_DEV_UNSUPP, no "Attach failed"
 *     line), or EINVAL with pre43 (alua_bus_attach() of 3.10 returns
 *     -EINVAL). A missing or short DEV/inquiry does not block alua.
 *     Success: dh_state becomes "<name>\n"; access_state stays hidden.
 *   handler attached: "activate..." -> ok; "detach..." -> post43: kernel
 *     message "can't detach handler NAME." and EINVAL; pre43: dh_state
 *     becomes "detached\n" (unless still held, see FAKE_DETACH_STICKY) and
 *     access_state/preferred_path disappear; anything else -> EINVAL.
 *   Success returns min(count, 4096), as sysfs does.
 *
 * Environment:
 *   FAKE_KERNEL=post43|pre43   detach semantics (default post43)
 *   FAKE_DETACH_STICKY=N       pre43: the first N detach writes per device
 *                              succeed but leave the handler attached
 *                              (counted in ROOT/var/lib/fake-kernel/detach-H:C:T:L)
 *   FAKE_WRITE_DELAY_MS=N      sleep N ms before each emulated write
 *   FAKE_INFLIGHT=FILE         count the emulated writes in FILE, a line
 *                              "MAX TOTAL PID...": the most in flight at
 *                              once, all that began, and the pids of those
 *                              in flight (a writer killed during its delay
 *                              counts until it is gone); read and rewritten
 *                              under flock(2), as every write runs in a
 *                              process of its own
 *   FAKE_CHECK_LOCK=1          a write to a device whose directory nobody
 *                              holds flock(2) on logs "unlocked H:C:T:L"
 *   FAKE_NO_PIDFD=1            syscall(SYS_pidfd_open, ...) fails with
 *                              ENOSYS, as on kernels before 5.3
 *   FAKE_SYSCALL_LOG=FILE      a line per pidfd_open ("pidfd_open ok",
 *                              "pidfd_open ENOSYS") and signalfd ("signalfd")
 *
 * Log ROOT/var/log/fake-kernel.log, one line per event, each appended with
 * one O_APPEND write(2); written bytes are escaped (\n \t \\ \xHH):
 *   write H:C:T:L STRING                         every write, first
 *   request_module scsi_dh_STRING                futile module request
 *   <4>DRV H:C:T:L: can't detach handler NAME.   post43; also to ROOT/dev/kmsg
 *                                                when that file exists
 *   <6>DRV H:C:T:L: alua: not supported          alua refused (TPGS 0)
 *   <6>DRV H:C:T:L: alua: disable for non-disk devices
 *   <6>DRV H:C:T:L: alua: No target port descriptors found
 *   <5>DRV H:C:T:L: NAME: Detached               pre43 detach
 * DRV is what dev_printk() prints: the basename of the DEV/driver link (sd,
 * sr, ...) or "scsi" when unbound.  ROOT is the resolved path before the last
 * "/sys/devices/".
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define SYSFS_MAGIC_NR 0x62656572
#define SYSFS_PAGE 4096			/* sysfs passes at most one page to store() */
#define ESC_MAX (4 * SYSFS_PAGE + 1)	/* worst case: every byte as \xHH */
#define LINE_MAX_LEN (ESC_MAX + 256)
#define SYS_DEVICES "/sys/devices/"

static const char *const handlers[] = { "alua", "emc", "rdac", "hp_sw" };

struct target {
	char path[PATH_MAX];	/* resolved path of dh_state */
	char root[PATH_MAX];	/* ROOT */
	char dev[PATH_MAX];	/* the SCSI device dir */
	const char *hctl;	/* basename of dev */
};

typedef int (*openat_fn)(int, const char *, int, ...);
typedef FILE *(*fopen_fn)(const char *, const char *);
typedef ssize_t (*write_fn)(int, const void *, size_t);

static void *next_sym(const char *name)
{
	void *p = dlsym(RTLD_NEXT, name);

	if (!p)
		abort();
	return p;
}

static int real_openat(int dirfd, const char *path, int flags, mode_t mode)
{
	static openat_fn fn;

	if (!fn)
		fn = (openat_fn)next_sym("openat64");
	return fn(dirfd, path, flags, mode);
}

static ssize_t real_write(int fd, const void *buf, size_t count)
{
	static write_fn fn;

	if (!fn)
		fn = (write_fn)next_sym("write");
	return fn(fd, buf, count);
}

static bool named_dh_state(const char *path)
{
	const char *slash = strrchr(path, '/');

	return strcmp(slash ? slash + 1 : path, "dh_state") == 0;
}

static bool fd_path(int fd, char *buf, size_t size)
{
	static const char deleted[] = " (deleted)";
	char link[64];
	ssize_t n;
	size_t len;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, buf, size - 1);
	if (n < 0 || (size_t)n >= size - 1)
		return false;
	buf[n] = '\0';
	len = (size_t)n;
	if (len > sizeof(deleted) - 1 &&
	    strcmp(buf + len - (sizeof(deleted) - 1), deleted) == 0)
		buf[len - (sizeof(deleted) - 1)] = '\0';
	return true;
}

/* Fill @t from a descriptor of a fixture dh_state; false if it is not one. */
static bool fixture_target(int fd, struct target *t)
{
	const char *p, *last = NULL;
	char *slash;

	if (!fd_path(fd, t->path, sizeof(t->path)) || !named_dh_state(t->path))
		return false;
	for (p = strstr(t->path, SYS_DEVICES); p; p = strstr(p + 1, SYS_DEVICES))
		last = p;
	if (!last)
		return false;
	memcpy(t->root, t->path, (size_t)(last - t->path));
	t->root[last - t->path] = '\0';
	strcpy(t->dev, t->path);
	slash = strrchr(t->dev, '/');
	*slash = '\0';
	slash = strrchr(t->dev, '/');
	t->hctl = slash ? slash + 1 : t->dev;
	return true;
}

static bool shim_fd(int fd, struct target *t)
{
	int saved = errno;
	int fl = fcntl(fd, F_GETFL);
	bool ours = fl != -1 && (fl & O_PATH) && fixture_target(fd, t);

	errno = saved;
	return ours;
}

/*
 * dh_state does not exist.  In a fixture device dir, fail as sysfs does:
 * ENOENT, or EACCES with O_CREAT (kernfs dirs have no ->create); elsewhere
 * let the real open decide (-2).
 */
static int missing_attr(int dirfd, const char *path, int flags)
{
	char dir[PATH_MAX], real[PATH_MAX];
	const char *slash = strrchr(path, '/');
	struct statfs sfs;
	bool fixture;
	int fd;

	if (errno != ENOENT)
		return -1;
	if (!slash) {
		strcpy(dir, ".");
	} else if ((size_t)(slash - path) >= sizeof(dir)) {
		return -2;
	} else {
		memcpy(dir, path, (size_t)(slash - path));
		dir[slash - path] = '\0';
		if (!*dir)
			strcpy(dir, "/");
	}
	fd = real_openat(dirfd, dir, O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
	if (fd < 0)
		return -2;
	fixture = fstatfs(fd, &sfs) == 0 && sfs.f_type != SYSFS_MAGIC_NR &&
		  fd_path(fd, real, sizeof(real)) && strstr(real, SYS_DEVICES);
	close(fd);
	if (!fixture)
		return -2;
	errno = (flags & O_CREAT) ? EACCES : ENOENT;
	return -1;
}

/*
 * Open @path for writing if it is a fixture dh_state: returns an O_PATH
 * descriptor, -1 with errno on failure, -2 if the real open should be used.
 */
static int open_fixture(int dirfd, const char *path, int flags)
{
	struct target t;
	struct statfs sfs;
	int fd, saved;

	if (!path || (flags & O_ACCMODE) == O_RDONLY || !named_dh_state(path))
		return -2;
	fd = real_openat(dirfd, path, O_PATH | (flags & O_CLOEXEC), 0);
	if (fd < 0)
		return missing_attr(dirfd, path, flags);
	if (fstatfs(fd, &sfs) == 0 && sfs.f_type != SYSFS_MAGIC_NR && fixture_target(fd, &t))
		return fd;
	saved = errno;
	close(fd);
	errno = saved;
	return -2;
}

static size_t escape(const char *in, size_t n, char *out, size_t size)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;

	for (size_t i = 0; i < n && o + 5 < size; i++) {
		unsigned char c = (unsigned char)in[i];

		if (c == '\n' || c == '\t' || c == '\\') {
			out[o++] = '\\';
			out[o++] = c == '\n' ? 'n' : c == '\t' ? 't' : '\\';
		} else if (c < 0x20 || c > 0x7e) {
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		} else {
			out[o++] = (char)c;
		}
	}
	out[o] = '\0';
	return o;
}

static void append_line(const char *path, bool create, const char *line, size_t len)
{
	int saved = errno;
	int flags = O_WRONLY | O_APPEND | O_CLOEXEC | (create ? O_CREAT : 0);
	int fd = real_openat(AT_FDCWD, path, flags, 0644);

	if (fd >= 0) {
		(void)real_write(fd, line, len);	/* best effort, like printk */
		close(fd);
	}
	errno = saved;
}

/* Append one formatted line to ROOT/var/log/fake-kernel.log (and dev/kmsg). */
static void __attribute__((format(printf, 3, 4)))
klog(const struct target *t, bool to_kmsg, const char *fmt, ...)
{
	char line[LINE_MAX_LEN];
	char path[PATH_MAX + 64];
	va_list ap;
	int len;

	va_start(ap, fmt);
	len = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (len < 0)
		return;
	if ((size_t)len > sizeof(line) - 2)
		len = (int)sizeof(line) - 2;
	line[len++] = '\n';

	snprintf(path, sizeof(path), "%s/var", t->root);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/var/log", t->root);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/var/log/fake-kernel.log", t->root);
	append_line(path, true, line, (size_t)len);
	if (to_kmsg) {
		snprintf(path, sizeof(path), "%s/dev/kmsg", t->root);
		append_line(path, false, line, (size_t)len);
	}
}

/* Read a small attribute, NUL-terminated; returns length or -1. */
static ssize_t read_attr(const char *dir, const char *name, char *buf, size_t size)
{
	char path[PATH_MAX + 64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = real_openat(AT_FDCWD, path, O_RDONLY | O_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return n;
}

static void chop(char *s)
{
	size_t n = strlen(s);

	while (n && (s[n - 1] == '\n' || s[n - 1] == ' '))
		s[--n] = '\0';
}

/* Replace a file's content atomically (readers never see it half written). */
static int replace_file(const char *path, const char *content)
{
	char tmp[PATH_MAX + 16];
	size_t len = strlen(content);
	int fd;

	snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path);
	fd = mkstemp(tmp);
	if (fd < 0)
		return -1;
	if (fchmod(fd, 0644) < 0 || real_write(fd, content, len) != (ssize_t)len) {
		close(fd);
		unlink(tmp);
		return -1;
	}
	close(fd);
	if (rename(tmp, path) < 0) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

static const char *driver_name(const struct target *t, char *buf, size_t size)
{
	char path[PATH_MAX + 16];
	ssize_t n;
	const char *slash;

	snprintf(path, sizeof(path), "%s/driver", t->dev);
	n = readlink(path, buf, size - 1);
	if (n <= 0)
		return "scsi";
	buf[n] = '\0';
	slash = strrchr(buf, '/');
	return slash ? slash + 1 : buf;
}

static bool pre43(void)
{
	const char *k = getenv("FAKE_KERNEL");

	return k && strcmp(k, "pre43") == 0;
}

static long env_long(const char *name)
{
	const char *v = getenv(name);

	return v ? strtol(v, NULL, 10) : 0;
}

/* pre43 holder: true while this detach write is still among the first N. */
static bool detach_held(const struct target *t)
{
	long sticky = env_long("FAKE_DETACH_STICKY");
	char dir[PATH_MAX + 32], path[PATH_MAX + 64], num[32];
	long done = 0;

	if (sticky <= 0)
		return false;
	snprintf(dir, sizeof(dir), "%s/var", t->root);
	mkdir(dir, 0755);
	snprintf(dir, sizeof(dir), "%s/var/lib", t->root);
	mkdir(dir, 0755);
	snprintf(dir, sizeof(dir), "%s/var/lib/fake-kernel", t->root);
	mkdir(dir, 0755);
	snprintf(path, sizeof(path), "detach-%s", t->hctl);
	if (read_attr(dir, path, num, sizeof(num)) > 0)
		done = strtol(num, NULL, 10);
	if (done >= sticky)
		return false;
	snprintf(path, sizeof(path), "%s/detach-%s", dir, t->hctl);
	snprintf(num, sizeof(num), "%ld\n", done + 1);
	replace_file(path, num);
	return true;
}

/*
 * scsi_vpd_tpg_id() (drivers/scsi/scsi_lib.c) over DEV/vpd_pg83: whether a
 * target port group designator (type 5) is there. No file: the kernel has no
 * page 0x83 for the device (-ENXIO), which alua takes as no designator.
 */
static bool has_tpg(const struct target *t)
{
	unsigned char page[4096];
	char path[PATH_MAX + 16];
	size_t end, off;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/vpd_pg83", t->dev);
	fd = real_openat(AT_FDCWD, path, O_RDONLY | O_CLOEXEC, 0);
	if (fd < 0)
		return false;
	n = read(fd, page, sizeof(page));
	close(fd);
	if (n < 4)
		return false;
	end = 4 + ((size_t)page[2] << 8 | page[3]);
	if (end > (size_t)n)
		end = (size_t)n;
	for (off = 4; off + 4 <= end && off + 4 + page[off + 3] <= end; off += 4 + page[off + 3])
		if ((page[off + 1] & 0xf) == 5 && page[off + 3] >= 4)
			return true;
	return false;
}

/*
 * scsi_dh_alua's alua_check_tpgs(): not a disk (4.5 on: commit db5a6a601ba9;
 * not with pre43, whose alua looks at the TPGS bits alone), or TPGS bits 0 ->
 * unsupported; then alua_check_vpd(): no target port group designator ->
 * unsupported.
 */
static bool alua_refuses(const struct target *t)
{
	char drv[PATH_MAX], buf[16];
	const char *why = NULL;

	if (!pre43() && read_attr(t->dev, "type", buf, sizeof(buf)) > 0 && atoi(buf) != 0)
		why = "disable for non-disk devices";
	else if (read_attr(t->dev, "inquiry", buf, 8) >= 6 &&
		 (((unsigned char)buf[5] >> 4) & 3) == 0)
		why = "not supported";
	else if (!has_tpg(t))
		why = "No target port descriptors found";
	if (!why)
		return false;
	klog(t, false, "<6>%s %s: alua: %s", driver_name(t, drv, sizeof(drv)), t->hctl, why);
	return true;
}

static int attach(const struct target *t, const char *name)
{
	const char *h = NULL;
	char buf[16];

	if (!*name)
		return -EINVAL;
	for (size_t i = 0; i < sizeof(handlers) / sizeof(handlers[0]); i++) {
		if (!strncmp(handlers[i], name, strlen(handlers[i]))) {
			h = handlers[i];
			break;
		}
	}
	if (!h) {
		char esc[ESC_MAX];

		escape(name, strlen(name), esc, sizeof(esc));
		klog(t, false, "request_module scsi_dh_%s", esc);
		return -EINVAL;
	}
	if (!strcmp(h, "alua") && alua_refuses(t))
		return pre43() ? -EINVAL : -ENODEV;
	snprintf(buf, sizeof(buf), "%s\n", h);
	return replace_file(t->path, buf) < 0 ? -EIO : 0;
}

static int detach(const struct target *t, const char *cur)
{
	char drv[PATH_MAX], path[PATH_MAX + 32];

	if (!pre43()) {
		klog(t, true, "<4>%s %s: can't detach handler %s.",
		     driver_name(t, drv, sizeof(drv)), t->hctl, cur);
		return -EINVAL;
	}
	if (detach_held(t))
		return 0;
	if (replace_file(t->path, "detached\n") < 0)
		return -EIO;
	snprintf(path, sizeof(path), "%s/access_state", t->dev);
	unlink(path);
	snprintf(path, sizeof(path), "%s/preferred_path", t->dev);
	unlink(path);
	klog(t, false, "<5>%s %s: %s: Detached", driver_name(t, drv, sizeof(drv)),
	     t->hctl, cur);
	return 0;
}

/* SDEV_CANCEL / SDEV_DEL, or the device dir removed altogether */
static bool device_gone(const struct target *t)
{
	char state[32];
	struct stat st;

	if (stat(t->dev, &st) < 0)
		return true;
	if (read_attr(t->dev, "state", state, sizeof(state)) <= 0)
		return false;
	chop(state);
	return !strcmp(state, "cancel") || !strcmp(state, "deleted");
}

/* sdev_store_dh_state() on the fixture; returns bytes taken or -1/errno. */
static ssize_t store(const struct target *t, const void *data, size_t count)
{
	char esc[ESC_MAX], buf[SYSFS_PAGE + 1], cur[64];
	size_t n = count < SYSFS_PAGE ? count : SYSFS_PAGE;
	long delay = env_long("FAKE_WRITE_DELAY_MS");
	int err;

	if (delay > 0) {
		struct timespec ts = { delay / 1000, (delay % 1000) * 1000000L };

		nanosleep(&ts, NULL);
	}
	memcpy(buf, data, n);
	buf[n] = '\0';
	escape(buf, n, esc, sizeof(esc));
	klog(t, false, "write %s %s", t->hctl, esc);
	if (n == 0)
		return 0;

	if (device_gone(t) || read_attr(t->dev, "dh_state", cur, sizeof(cur)) < 0) {
		errno = ENODEV;
		return -1;
	}
	chop(cur);
	if (!strcmp(cur, "detached"))
		err = attach(t, buf);
	else if (!strncmp(buf, "activate", 8))
		err = 0;
	else if (!strncmp(buf, "detach", 6))
		err = detach(t, cur);
	else
		err = -EINVAL;
	if (err < 0) {
		errno = -err;
		return -1;
	}
	return (ssize_t)n;
}

/*
 * FAKE_INFLIGHT: this write begins (delta 1) or ends (-1). The file holds "MAX
 * TOTAL PID...": the most in flight at once, all begun, and the writers in
 * flight. A writer killed during its delay never ends: it is dropped once it
 * has gone (ESRCH), that is once the helper has reaped it.
 */
#define INFLIGHT_MAX 512
static void inflight(int delta)
{
	const char *path = getenv("FAKE_INFLIGHT");
	long max = 0, total = 0, pid[INFLIGHT_MAX];
	unsigned int n = 0, k = 0, i;
	char buf[INFLIGHT_MAX * 12 + 64], *p, *end;
	ssize_t len;
	int fd, saved = errno;

	if (!path || !*path)
		return;
	fd = real_openat(AT_FDCWD, path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0 || flock(fd, LOCK_EX) < 0)
		abort();	/* a count that cannot be kept must not pass for one */
	len = pread(fd, buf, sizeof(buf) - 1, 0);
	if (len < 0 || (size_t)len >= sizeof(buf) - 1)
		abort();
	buf[len] = '\0';
	p = buf;
	if (len > 0) {
		max = strtol(p, &p, 10);
		total = strtol(p, &p, 10);
		for (;;) {
			long v = strtol(p, &end, 10);

			if (end == p)
				break;
			p = end;
			if (n == INFLIGHT_MAX)
				abort();
			/* gone, or this writer ending */
			if ((kill((pid_t)v, 0) < 0 && errno == ESRCH) ||
			    (delta < 0 && v == (long)getpid()))
				continue;
			pid[n++] = v;
		}
	}
	if (delta > 0) {
		if (n == INFLIGHT_MAX)
			abort();
		pid[n++] = (long)getpid();
		total++;
		if ((long)n > max)
			max = (long)n;
	}
	k = (unsigned int)snprintf(buf, sizeof(buf), "%ld %ld", max, total);
	for (i = 0; i < n; i++)
		k += (unsigned int)snprintf(buf + k, sizeof(buf) - k, " %ld", pid[i]);
	buf[k++] = '\n';
	if (ftruncate(fd, 0) < 0 || pwrite(fd, buf, k, 0) != (ssize_t)k)
		abort();
	close(fd);
	errno = saved;
}

/* FAKE_CHECK_LOCK: whether anyone holds the device directory's lock. */
static void check_lock(const struct target *t)
{
	int fd, saved = errno;

	if (env_long("FAKE_CHECK_LOCK") <= 0)
		return;
	fd = real_openat(AT_FDCWD, t->dev, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
	if (fd < 0)
		return;
	if (flock(fd, LOCK_EX | LOCK_NB) == 0)
		klog(t, false, "unlocked %s", t->hctl);
	close(fd);
	errno = saved;
}

static ssize_t emulate(const struct target *t, const void *data, size_t count)
{
	ssize_t r;
	int saved;

	check_lock(t);
	inflight(1);
	r = store(t, data, count);
	saved = errno;
	inflight(-1);
	errno = saved;
	return r;
}

static void syscall_log(const char *line)
{
	const char *path = getenv("FAKE_SYSCALL_LOG");
	char buf[64];
	int n;

	if (!path || !*path)
		return;
	n = snprintf(buf, sizeof(buf), "%s\n", line);
	append_line(path, true, buf, (size_t)n);
}

/* --- interposed symbols ------------------------------------------------- */

typedef long (*syscall_fn)(long, ...);
typedef int (*signalfd_fn)(int, const sigset_t *, int);

long syscall(long nr, ...)
{
	static syscall_fn fn;
	long a[6];
	va_list ap;
	long r;

	va_start(ap, nr);
	for (int i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	if (!fn)
		fn = (syscall_fn)next_sym("syscall");
#ifdef SYS_pidfd_open
	if (nr == SYS_pidfd_open) {
		if (env_long("FAKE_NO_PIDFD") > 0) {
			syscall_log("pidfd_open ENOSYS");
			errno = ENOSYS;
			return -1;
		}
		r = fn(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
		syscall_log(r >= 0 ? "pidfd_open ok" : "pidfd_open failed");
		return r;
	}
#endif
	return fn(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
}

int signalfd(int fd, const sigset_t *mask, int flags)
{
	static signalfd_fn fn;

	if (!fn)
		fn = (signalfd_fn)next_sym("signalfd");
	syscall_log("signalfd");
	return fn(fd, mask, flags);
}


static mode_t mode_arg(int flags, va_list ap)
{
	return (flags & (O_CREAT | O_TMPFILE)) ? (mode_t)va_arg(ap, int) : 0;
}

static int do_openat(int dirfd, const char *path, int flags, mode_t mode)
{
	int fd = open_fixture(dirfd, path, flags);

	return fd == -2 ? real_openat(dirfd, path, flags, mode) : fd;
}

int open(const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;

	va_start(ap, flags);
	mode = mode_arg(flags, ap);
	va_end(ap);
	return do_openat(AT_FDCWD, path, flags, mode);
}

int open64(const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;

	va_start(ap, flags);
	mode = mode_arg(flags, ap);
	va_end(ap);
	return do_openat(AT_FDCWD, path, flags, mode);
}

int openat(int dirfd, const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;

	va_start(ap, flags);
	mode = mode_arg(flags, ap);
	va_end(ap);
	return do_openat(dirfd, path, flags, mode);
}

int openat64(int dirfd, const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;

	va_start(ap, flags);
	mode = mode_arg(flags, ap);
	va_end(ap);
	return do_openat(dirfd, path, flags, mode);
}

/* _FORTIFY_SOURCE entry points (never called with O_CREAT) */
int __open_2(const char *path, int flags);
int __open64_2(const char *path, int flags);
int __openat_2(int dirfd, const char *path, int flags);
int __openat64_2(int dirfd, const char *path, int flags);

int __open_2(const char *path, int flags)
{
	return do_openat(AT_FDCWD, path, flags, 0);
}

int __open64_2(const char *path, int flags)
{
	return do_openat(AT_FDCWD, path, flags, 0);
}

int __openat_2(int dirfd, const char *path, int flags)
{
	return do_openat(dirfd, path, flags, 0);
}

int __openat64_2(int dirfd, const char *path, int flags)
{
	return do_openat(dirfd, path, flags, 0);
}

ssize_t write(int fd, const void *buf, size_t count)
{
	struct target t;

	if (shim_fd(fd, &t))
		return emulate(&t, buf, count);
	return real_write(fd, buf, count);
}

static ssize_t cookie_write(void *cookie, const char *buf, size_t size)
{
	struct target t;
	int fd = (int)(intptr_t)cookie;

	if (!shim_fd(fd, &t)) {
		errno = EBADF;
		return -1;
	}
	return emulate(&t, buf, size);
}

static int cookie_close(void *cookie)
{
	return close((int)(intptr_t)cookie);
}

static FILE *do_fopen(const char *path, const char *mode, const char *realname)
{
	static const cookie_io_functions_t io = {
		.write = cookie_write,
		.close = cookie_close,
	};
	FILE *f;
	int fd = -2;

	if (path && mode && strpbrk(mode, "wa+"))
		fd = open_fixture(AT_FDCWD, path, O_WRONLY | (strchr(mode, 'e') ? O_CLOEXEC : 0));
	if (fd == -1)
		return NULL;
	if (fd == -2) {
		fopen_fn fn = (fopen_fn)next_sym(realname);

		return fn(path, mode);
	}
	f = fopencookie((void *)(intptr_t)fd, "w", io);
	if (!f)
		close(fd);
	return f;
}

FILE *fopen(const char *path, const char *mode)
{
	return do_fopen(path, mode, "fopen");
}

FILE *fopen64(const char *path, const char *mode)
{
	return do_fopen(path, mode, "fopen64");
}
