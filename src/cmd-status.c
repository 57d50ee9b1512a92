// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * status and check: what the kernel did, what the boot recorded, whether the
 * configuration holds.
 */
#include "cmd.h"
#include "config.h"
#include "fileio.h"
#include "inventory.h"
#include "kernel.h"
#include "log.h"
#include "metrics.h"
#include "plan.h"
#include "privdir.h"
#include "report.h"
#include "seen.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

/*
 * What the boot recorded: it needs neither the configuration nor the kernel.
 * Copied through a small buffer, at most STATUS_RECORD_MAX bytes (a record is
 * a few hundred bytes a LUN).
 */
#define STATUS_RECORD_MAX (64 << 20)

int cmd_status_boot(const struct opts *o)
{
	static char buf[16 * 1024];
	char path[SDE_PATH_MAX];
	struct stat st;
	ssize_t n;
	int fd, r = 0;

	if (sde_path(path, sizeof(path), STATUS_DIR "/%s",
		     o->json ? "status.json" : "status.txt") < 0)
		return EXIT_USAGE;
	fd = open_regular(AT_FDCWD, path);
	if (fd >= 0 && fstat(fd, &st) == 0 && st.st_size > STATUS_RECORD_MAX) {
		close(fd);
		fd = -EFBIG;
	}
	if (fd < 0) {
		log_msg(SDE_ERR, "no boot record: \"%s\": %s", path,
			fd == -EFBIG ? "too large" : read_error(-fd));
		return EXIT_PROBLEM;
	}
	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (fwrite(buf, 1, (size_t)n, stdout) != (size_t)n) {
			r = -EIO;
			break;
		}
	}
	if (n < 0)
		r = -errno;
	close(fd);
	if (r == -EIO || fflush(stdout) != 0) {
		log_msg(SDE_ERR, "write error on standard output");
		return EXIT_PROBLEM;
	}
	if (r < 0) {
		log_msg(SDE_ERR, "no boot record: \"%s\": %s", path, strerror(-r));
		return EXIT_PROBLEM;
	}
	return EXIT_OK;
}

/*
 * The status directory for reading (the detach record, the boot's records):
 * -1 when there is none of its own.
 */
static int status_dir_read(void)
{
	char path[SDE_PATH_MAX];

	if (sde_path(path, sizeof(path), STATUS_DIR) < 0)
		return -1;
	return private_dir_peek(path);
}

/*
 * The LUNs the sweeps of this boot detached (STATUS_DIR/detached), into det:
 * the plan shows them as held, as the next sweep would.  Nothing is made or
 * said when there is no record to read.
 */
static void status_detached(int dirfd, struct hctl_set *det)
{
	unsigned int line;

	if (dirfd >= 0 && lun_set_read(dirfd, DETACHED_FILE, det, &line) < 0)
		hctl_set_free(det);
}

/* --format=prometheus on standard output, or --textfile: exit status */
static int status_metrics(const struct opts *o, int dirfd, struct policy *p,
			  struct kernel_info *k, const struct inventory *inv)
{
	struct sweep_record rec[REC__N];
	bool dir_bad;
	int r;

	sweep_records_read(dirfd, rec);
	if (!o->textfile) {
		metrics_write(stdout, p, k, inv, rec);
		return EXIT_OK;
	}
	r = metrics_textfile(o->textfile, &dir_bad, p, k, inv, rec);
	if (r == 0)
		return EXIT_OK;
	if (dir_bad) {
		log_msg(SDE_ERR, "--textfile: \"%s\": %s", o->textfile,
			r == -ENOENT ? "no such directory" : "not a directory");
		return EXIT_USAGE;
	}
	log_msg(SDE_ERR, "cannot write \"%s/%s\": %s", o->textfile, TEXTFILE_NAME,
		strerror(-r));
	return EXIT_PROBLEM;
}

int cmd_status(const struct opts *o, struct policy *p, struct kernel_info *k)
{
	struct hctl_set det = { 0 };
	struct inventory inv = { 0 };
	struct summary sum;
	char summary[512];
	int r, ret = EXIT_OK, dirfd = status_dir_read();

	status_detached(dirfd, &det);
	/* the table shows the block device, the host's driver and ioerr_cnt; the rest all */
	inv.skip = o->json || o->prom ? 0 : device_skip(p, DEV_BLOCK | DEV_HOST | DEV_IOERR);
	if (!det.n)
		inv.skip |= DEV_INO;
	r = inventory_scan(&inv);
	if (r < 0)
		log_msg(SDE_ERR, "cannot read the SCSI devices: %s", strerror(-r));
	detached_mark(&det, &inv);
	hctl_set_free(&det);
	plan_inventory(p, kernel_facts(k), &inv);
	summary_count(&sum, &inv, NULL);
	summary_format(&sum, summary, sizeof(summary));
	if (o->prom) {
		ret = status_metrics(o, dirfd, p, k, &inv);
	} else if (o->json) {
		status_json(stdout, p, k, &inv, summary, NULL);
	} else {
		status_header(stdout, p, k);
		status_table(stdout, p, &inv);
		printf("%s\n", summary);
	}
	inventory_free(&inv);
	if (dirfd >= 0)
		close(dirfd);
	if (p->fallback)
		return EXIT_USAGE;
	if (ret != EXIT_OK)
		return ret;
	return r < 0 ? EXIT_PROBLEM : EXIT_OK;
}

static const char *modstate_name(enum modstate s)
{
	return s == MOD_BUILTIN ? "built in" : s == MOD_MODULE ? "module" : "missing";
}

int cmd_check(const struct opts *o, struct policy *p, struct kernel_info *k)
{
	const char *names[MAX_HANDLERS];
	char mods[MAX_HANDLERS][HANDLER_NAME_MAX + 8];
	enum modstate states[MAX_HANDLERS];
	struct inventory inv = { 0 };
	unsigned int i, warnings = 0;
	bool no_dh;
	int cd, r;

	(void)o;
	if (p->nerrors) {
		print_errors(p);
		return EXIT_USAGE;
	}
	printf("configuration:");
	for (i = 0; i < p->nfiles; i++)
		printf(" %s", p->files[i]);
	printf("%s\n", p->nfiles ? "" : " none (defaults)");
	printf("enabled: %s\n", p->enabled ? "yes" : "no (rd.scsi_dh=0)");
	printf("preload:");
	for (i = 0; i < p->npreload; i++)
		printf(" %s", p->preload[i]);
	printf("%s\n", p->npreload ? "" : " (none)");
	printf("late_attach: %s\ndetach: %s\n", p->late_attach ? "yes" : "no",
	       p->detach ? "yes" : "no");
	printf("modprobe_timeout: %u.%03u s\n", p->timeout_ms / 1000, p->timeout_ms % 1000);
	printf("write_jobs: %u\n", p->write_jobs);
	printf("metrics_textfile_dir: %s\n", p->metrics_dir[0] ? p->metrics_dir : "none");
	printf("debug: %s\n", p->debug ? "yes" : "no");

	printf("kernel %s (modules: %s):\n", k->release, k->moddir);
	for (i = 0; i < p->npreload; i++) {
		snprintf(mods[i], sizeof(mods[i]), "scsi_dh_%s", p->preload[i]);
		names[i] = mods[i];
	}
	r = kernel_modules(k, names, p->npreload, states);
	if (r < 0) {
		printf("  cannot read %s/modules.dep: %s\n", k->moddir, strerror(-r));
		warnings++;
	}
	no_dh = kernel_dh_support(k) == 0;
	/* said once, with the kernel's levers below; a warning all the same */
	if (no_dh)
		warnings++;
	for (i = 0; r == 0 && i < p->npreload; i++) {
		printf("  %s: %s\n", mods[i], modstate_name(states[i]));
		if (states[i] == MOD_MISSING && !no_dh) {
			fprintf(stderr, SDE_PROG ": warning: handler %s: no module %s for %s\n",
				p->preload[i], mods[i], k->release);
			warnings++;
		}
	}
	cd = kernel_can_detach(k);
	printf("  can detach handlers: %s%s%s\n",
	       cd < 0 ? "unknown" : cd ? "yes (before 4.3)" : "no (4.3 or later)",
	       k->can_detach_src ? ", from " : "", k->can_detach_src ? k->can_detach_src : "");
	inv.skip = device_skip(p, 0);
	if (p->nowners && inventory_scan(&inv) < 0)
		log_msg(SDE_WARNING, "cannot read the SCSI devices");
	warnings += check_kernel(stdout, p, k, &inv);
	inventory_free(&inv);
	for (i = 0; i < p->nowners; i++) {
		const struct owner_rule *ow = &p->owners[i];

		printf("owner %s (%s:%u): %s\n", ow->name, p->files[ow->file], ow->line, ow->why);
		if (ow->active && cd == 0 && p->npreload && !no_dh) {
			fprintf(stderr,
				SDE_PROG ": warning: %s:%u: [owner %s]: kernel %s cannot detach "
				"handlers; handlers that attach to the LUNs it owns stay\n",
				p->files[ow->file], ow->line, ow->name, k->release);
			warnings++;
		}
	}
	return warnings ? EXIT_PROBLEM : EXIT_OK;
}
