// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * readfloor [--all] ROOT - the floor of a sweep in `make bench`: one process
 * that only reads, for every device of ROOT/sys/class/scsi_device, what the
 * helper's `apply --dry-run` reads without owner rules on wwid or host
 * (inventory.c, device_read_some() with device_skip()): vendor, model,
 * dh_state, the first 8 bytes of inquiry, vpd_pg83 where inquiry's TPGS bits
 * are set, and type; with --all, what `status --json` and the boot record read
 * besides: access_state where a handler is attached, wwid, the name in block/
 * and each host's proc_name once.  Nothing is decided and nothing printed but
 * a count and a sum of the bytes read.  Where the helper reads less, so must
 * this.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MAX_HOSTS 65536

static unsigned char seen[MAX_HOSTS / 8];
static unsigned char buf[4096];
static _Alignas(struct dirent64) char dents[2048];
static char path[4096];

/*
 * One read of up to size bytes of dfd/name; -errno on error.  One read is what
 * sysfs needs: a text attribute comes whole from the first read of a file (a
 * page at most), and so does a binary one up to the size asked for.
 */
static long read_at(int dfd, const char *name, size_t size)
{
	ssize_t r;
	int fd;

	fd = openat(dfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	do
		r = read(fd, buf, size);
	while (r < 0 && errno == EINTR);
	close(fd);
	return r < 0 ? -errno : (long)r;
}

static unsigned long host_name(const char *root, unsigned int host)
{
	long n;
	int len;

	if (host >= MAX_HOSTS || (seen[host / 8] & (1u << (host % 8))))
		return 0;
	seen[host / 8] |= (unsigned char)(1u << (host % 8));
	len = snprintf(path, sizeof(path), "%s/sys/class/scsi_host/host%u/proc_name", root, host);
	if (len < 0 || (size_t)len >= sizeof(path))
		return 0;
	n = read_at(AT_FDCWD, path, 64);
	return n > 0 ? (unsigned long)n : 0;
}

static unsigned long one_device(const char *root, const char *hctl, int all)
{
	unsigned long sum = 0;
	struct dirent64 *de;
	size_t off;
	long n, tpgs = 0;
	int dfd, bfd, len, attached = 0;

	len = snprintf(path, sizeof(path), "%s/sys/class/scsi_device/%s/device", root, hctl);
	if (len < 0 || (size_t)len >= sizeof(path))
		return 0;
	/* openat(), not open(): musl's open() adds an fcntl for O_CLOEXEC */
	dfd = openat(AT_FDCWD, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return 0;
	n = read_at(dfd, "vendor", 16);
	sum += n > 0 ? (unsigned long)n : 0;
	n = read_at(dfd, "model", 24);
	sum += n > 0 ? (unsigned long)n : 0;
	n = read_at(dfd, "dh_state", 64);
	if (n > 0) {
		sum += (unsigned long)n;
		attached = strncmp((const char *)buf, "detached", 8) != 0;
	}
	if (all && attached) {
		n = read_at(dfd, "access_state", 32);
		sum += n > 0 ? (unsigned long)n : 0;
	}
	if (all) {
		n = read_at(dfd, "wwid", 256);
		sum += n > 0 ? (unsigned long)n : 0;
	}
	n = read_at(dfd, "inquiry", 8);
	if (n >= 6) {
		sum += (unsigned long)n;
		tpgs = (buf[5] >> 4) & 0x3;
	}
	if (tpgs) {
		n = read_at(dfd, "vpd_pg83", sizeof(buf));
		sum += n > 0 ? (unsigned long)n : 0;
	}
	/* the name in block/: getdents64 itself, no DIR stream (fdopendir's fstat, fcntl) */
	bfd = all ? openat(dfd, "block", O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
	if (bfd >= 0) {
		n = syscall(SYS_getdents64, bfd, dents, sizeof(dents));
		for (off = 0; n > 0 && off + offsetof(struct dirent64, d_name) < (size_t)n;
		     off += de->d_reclen) {
			de = (struct dirent64 *)(void *)(dents + off);
			if (!de->d_reclen)
				break;
			if (de->d_name[0] != '.') {
				sum += strlen(de->d_name);
				break;
			}
		}
		close(bfd);
	}
	n = read_at(dfd, "type", 64);
	sum += n > 0 ? (unsigned long)n : 0;
	close(dfd);
	if (all)
		sum += host_name(root, (unsigned int)strtoul(hctl, NULL, 10));
	return sum;
}

int main(int argc, char **argv)
{
	char dir[4096];
	unsigned long devices = 0, sum = 0;
	struct dirent *de;
	DIR *d;
	int len;

	int all = argc == 3 && strcmp(argv[1], "--all") == 0;

	if (argc != 2 && !all) {
		fprintf(stderr, "Usage: readfloor [--all] ROOT\n");
		return 2;
	}
	len = snprintf(dir, sizeof(dir), "%s/sys/class/scsi_device", argv[argc - 1]);
	if (len < 0 || (size_t)len >= sizeof(dir))
		return 2;
	d = opendir(dir);
	if (!d) {
		fprintf(stderr, "readfloor: %s: %s\n", dir, strerror(errno));
		return 1;
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		sum += one_device(argv[argc - 1], de->d_name, all);
		devices++;
	}
	closedir(d);
	printf("%lu devices, %lu bytes\n", devices, sum);
	return 0;
}
