// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sysfsmagic.so: LD_PRELOAD shim for "udevadm test" on a fake sysfs.  udev
 * (sd-device, systemd 252) refuses a device whose directory is not on a sysfs
 * mount (fstatfs() f_type SYSFS_MAGIC); the tests bind-mount fixture trees
 * over /sys/devices, /sys/bus and /sys/class in a mount namespace of their
 * own, and this shim reports every file under /sys as sysfs.  Nothing else.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/vfs.h>
#include <unistd.h>

int fstatfs(int fd, struct statfs *buf)
{
	static int (*real)(int, struct statfs *);
	char link[64], path[4096];
	ssize_t n;
	int r;

	if (!real)
		real = (int (*)(int, struct statfs *))dlsym(RTLD_NEXT, "fstatfs");
	if (!real)
		return -1;
	r = real(fd, buf);
	if (r != 0)
		return r;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, path, sizeof(path) - 1);
	if (n > 0) {
		path[n] = '\0';
		if (strncmp(path, "/sys/", 5) == 0 || strcmp(path, "/sys") == 0)
			buf->f_type = SYSFS_MAGIC;
	}
	return r;
}

/* glibc on x86_64: the same struct, the name systemd links against */
int fstatfs64(int fd, struct statfs64 *buf)
{
	return fstatfs(fd, (struct statfs *)buf);
}
