// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * apply: the sweep (detach, late attach), its boot record, and single devices.
 */
#include "cmd.h"
#include "actions.h"
#include "config.h"
#include "inventory.h"
#include "kernel.h"
#include "log.h"
#include "plan.h"
#include "report.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Whether PATH (under the sysroot) exists. */
static bool sysroot_exists(const char *path)
{
	char buf[SDE_PATH_MAX];

	return sde_path(buf, sizeof(buf), "%s", path) == 0 && access(buf, F_OK) == 0;
}

/*
 * The status directory, for a sweep: a directory of root's own (not a symlink,
 * writable by no one else), with what a killed run left removed. -1 when it
 * cannot be had, said once.
 */
static int status_dir_open(void)
{
	char dir[SDE_PATH_MAX];
	int fd;

	if (sde_path(dir, sizeof(dir), STATUS_DIR) < 0) {
		log_msg(SDE_WARNING, "%s%s: path too long, not writing the boot record",
			sde_sysroot(), STATUS_DIR);
		return -1;
	}
	fd = private_dir_open(dir, 0755);
	if (fd == -ELOOP || fd == -EPERM) {
		log_msg(SDE_WARNING, "%s: not a directory of its own, not writing the boot record",
			dir);
		return -1;
	}
	if (fd < 0) {
		log_msg(SDE_WARNING, "%s: %s, not writing the boot record", dir, strerror(-fd));
		return -1;
	}
	stale_tmp_remove(fd);
	return fd;
}

/*
 * Write the boot record: status.json and status.txt, each atomically.  The
 * initramfs's sweep is the boot's record (status --boot): a later sweep in
 * the real root (scsi-dh-early.service, an administrator) keeps it and
 * writes status-root.json and status-root.txt beside it.  dracut's images
 * have /etc/initrd-release; a real root has none.
 */
static void write_boot_record(int dirfd, const struct policy *p, struct kernel_info *k,
			      const struct inventory *inv, const char *summary)
{
	const char *names[] = { "status.json", "status.txt" };
	char tmp[SDE_PATH_MAX];
	unsigned int i;
	int r;

	if (!sysroot_exists("/etc/initrd-release") && sysroot_exists(STATUS_DIR "/status.json")) {
		names[0] = "status-root.json";
		names[1] = "status-root.txt";
	}
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		FILE *f = atomic_open_at(dirfd, names[i], tmp, sizeof(tmp));

		if (!f) {
			log_msg(SDE_WARNING, "cannot write \"%s%s/%s\": %s, ignoring",
				sde_sysroot(), STATUS_DIR, names[i], strerror(errno));
			continue;
		}
		if (i == 0) {
			status_json(f, p, k, inv, summary);
		} else {
			status_header(f, p, k);
			status_table(f, p, inv);
			fprintf(f, "%s\n", summary);
		}
		r = atomic_commit_at(dirfd, f, tmp, names[i]);
		if (r < 0)
			log_msg(SDE_WARNING, "cannot write \"%s%s/%s\": %s, ignoring",
				sde_sysroot(), STATUS_DIR, names[i], strerror(-r));
	}
}

/* The marker the udev rule waits for: created, never followed or truncated. */
static void mark_swept(int dirfd)
{
	struct stat st;
	int fd = create_at(dirfd, "swept", 0644);

	if (fd >= 0) {
		close(fd);
		return;
	}
	if (fd == -EEXIST && fstatat(dirfd, "swept", &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISREG(st.st_mode))
		return;
	log_msg(SDE_WARNING, "cannot create \"%s%s/swept\": %s, ignoring", sde_sysroot(),
		STATUS_DIR, fd == -EEXIST ? "not a regular file in its place" : strerror(-fd));
}

static void action_json(FILE *f, const struct device *d, const struct apply_item *it,
			bool dry_run, bool first)
{
	fprintf(f, "%s\n{\"hctl\":", first ? "" : ",");
	json_string(f, d->hctl);
	fprintf(f, ",\"action\":");
	json_string(f, action_name(it->plan.action));
	fprintf(f, ",\"handler\":");
	json_string(f, it->handler[0] ? it->handler : NULL);
	fprintf(f, ",\"owner\":");
	json_string(f, it->plan.owner ? it->plan.owner->name : NULL);
	fprintf(f, ",\"reason\":");
	json_string(f, it->plan.reason);
	if (!dry_run) {
		fprintf(f, ",\"result\":");
		json_string(f, it->result == AR_NOTHING ? "none" : apply_result_name(it->result));
		if (it->err) {
			fprintf(f, ",\"error\":");
			json_string(f, strerror(it->err));
		}
	}
	fputc('}', f);
}

/* What apply says of each device, in inventory order, once it is done. */
struct shown {
	const struct opts *o;
	struct kernel_info *k;
	int ret;
};

static void show_item(void *arg, const struct device *dev, const struct apply_item *it)
{
	struct shown *sh = arg;
	const struct opts *o = sh->o;
	struct device before;
	char label[256];

	if (dev->vanished)
		return;
	if (it->result == AR_REFUSED || it->result == AR_FAILED || it->result == AR_HELD)
		sh->ret = EXIT_PROBLEM;
	/* the device as it was planned, not as its write left it */
	before = *dev;
	before.dh_state = it->dh_state;
	device_label(&before, it->plan.owner, label, sizeof(label));
	if (it->plan.action == A_NONE) {
		log_device(SDE_DEBUG, "%s: %s", label, it->plan.reason);
		return;
	}
	log_device(it->result == AR_DONE || it->result == AR_PLANNED ||
			   it->result == AR_DECLINED ? SDE_INFO : SDE_WARNING,
		   "%s: %s %s%s%s%s", label, action_name(it->plan.action),
		   it->handler, o->dry_run ? " (dry run)" : ": ",
		   o->dry_run ? "" : apply_result_name(it->result),
		   it->err ? (it->err == ETIMEDOUT ? " (timed out)" : " (error)") : "");
	if (!o->json && o->verbosity >= 0 && log_verbosity() < 1)
		printf("%s: %s %s: %s%s%s\n", label, action_name(it->plan.action),
		       it->handler,
		       !o->dry_run ? apply_result_name(it->result) :
		       it->plan.action == A_DETACH && kernel_can_detach(sh->k) == 0 ?
		       "the kernel would refuse it" : "would be done",
		       it->err ? ", " : "", it->err ? strerror(it->err) : "");
}

int cmd_apply(const struct opts *o, struct policy *p, struct kernel_info *k)
{
	struct inventory inv = { 0 };
	struct apply_item *items = NULL;
	struct apply_ctx ctx = { .p = p, .k = k, .dry_run = o->dry_run };
	struct shown shown = { .o = o, .k = k };
	struct summary sum;
	char summary[512];
	bool sweep = o->ndevices == 0;
	int i, r, ret = EXIT_OK, dirfd = -1;
	unsigned int d;

	if (!p->enabled) {
		if (o->json)
			printf("{\"disabled\":true,\"actions\":[]}\n");
		else if (o->verbosity >= 0)
			printf("disabled by rd.scsi_dh=0\n");
		kmsg_msg(SDE_INFO, "disabled by rd.scsi_dh=0");
		return EXIT_OK;
	}
	/* the boot record shows every attribute; the actions and their lines fewer */
	inv.skip = sweep && !o->dry_run ? 0 : device_skip(p, 0);
	/* resolve the arguments before touching anything */
	for (i = 0; i < o->ndevices; i++) {
		char hctl[HCTL_MAX];

		r = device_resolve(o->devices[i], hctl, sizeof(hctl));
		if (r == -EINVAL) {
			bad_usage("not a device (H:C:T:L, /devices/... or /dev/sdX): '%s'",
				  o->devices[i]);
			inventory_free(&inv);
			return EXIT_USAGE;
		}
		if (r == 0)
			r = inventory_add(&inv, hctl);
		if (r < 0) {
			log_msg(SDE_WARNING, "%s: %s, ignoring", o->devices[i],
				r == -EFBIG ? "an attribute longer than it can be"
					    : "no such SCSI device");
			continue;
		}
	}
	if (sweep) {
		if (!o->dry_run) {
			dirfd = status_dir_open();
			if (dirfd >= 0)
				mark_swept(dirfd);
		}
		r = inventory_scan(&inv);
		if (r < 0)
			log_msg(SDE_ERR, "cannot read the SCSI devices: %s", strerror(-r));
	}
	if (p->fallback)
		kmsg_fallback(p, "changing nothing");
	plan_inventory(p, kernel_facts(k), &inv);
	/* one at least, so that items is never NULL */
	items = calloc(inv.n ? inv.n : 1, sizeof(*items));
	if (!items) {
		log_msg(SDE_ERR, "out of memory");
		inventory_free(&inv);
		return EXIT_PROBLEM;
	}
	shown.ret = ret;
	if (apply_inventory(&ctx, &inv, items, show_item, &shown) < 0) {
		log_msg(SDE_ERR, "out of memory");
		free(items);
		inventory_free(&inv);
		return EXIT_PROBLEM;
	}
	ret = shown.ret;
	summary_count(&sum, &inv, o->dry_run ? NULL : items);
	summary_format(&sum, summary, sizeof(summary));

	if (o->json) {
		fprintf(stdout, "{\"version\":\"%s\",\"kernel\":", VERSION);
		kernel_json(stdout, k);
		fprintf(stdout, ",\"dry_run\":%s,\"actions\":[", o->dry_run ? "true" : "false");
		for (d = 0; d < inv.n; d++)
			action_json(stdout, &inv.dev[d], &items[d], o->dry_run, d == 0);
		fprintf(stdout, "%s],\"summary\":", inv.n ? "\n" : "");
		json_string(stdout, summary);
		fprintf(stdout, "}\n");
	} else if (o->verbosity >= 0) {
		printf("%s%s\n", summary, o->dry_run ? " (dry run: nothing changed)" : "");
	}
	if (!o->dry_run) {
		kmsg_msg(ret == EXIT_OK ? SDE_INFO : SDE_WARNING, "%s", summary);
		if (dirfd >= 0)
			write_boot_record(dirfd, p, k, &inv, summary);
	}
	if (dirfd >= 0)
		close(dirfd);
	free(items);
	inventory_free(&inv);
	if (p->fallback)
		return EXIT_USAGE;
	return ret;
}
