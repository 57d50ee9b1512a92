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
#include "metrics.h"
#include "plan.h"
#include "privdir.h"
#include "report.h"
#include "seen.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

/* Whether PATH (under the sysroot) exists. */
static bool sysroot_exists(const char *path)
{
	char buf[SDE_PATH_MAX];

	return sde_path(buf, sizeof(buf), "%s", path) == 0 && access(buf, F_OK) == 0;
}

/*
 * Whether this runs in the initramfs: dracut's images have /etc/initrd-release
 * (systemd's convention, os-release(5)); initramfs-tools' have none, but
 * mkinitramfs always puts its initramfs.conf into /conf.  A real root has
 * neither.
 */
static bool in_initramfs(void)
{
	return sysroot_exists("/etc/initrd-release") || sysroot_exists("/conf/initramfs.conf");
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

/* A dry run's look at the status directory: nothing made, nothing removed; -1 without one. */
static int status_dir_peek(void)
{
	char dir[SDE_PATH_MAX];
	int fd;

	if (sde_path(dir, sizeof(dir), STATUS_DIR) < 0)
		return -1;
	fd = private_dir_peek(dir);
	return fd < 0 ? -1 : fd;
}

/*
 * The sweep lock: flock(2) on STATUS_DIR/sweep.lock, held by every sweep (the
 * boot's, --late, the real root's) from before it reads the seen set and the
 * detach record until it has written them, so that sweeps take turns and a
 * late one starts after the boot's sweep has said what it saw and detached.
 * The kernel lets it go when its holder dies.  A sweep waits for it at most
 * SWEEP_LOCK_WAIT times modprobe_timeout (a sweep's own writes are bounded by
 * that), then goes on without it, said at warning level: it attaches, and writes
 * no detach (the plan bars them: DB_NO_LOCK), as it cannot know what the
 * other sweep detaches.  The descriptor, or -1.
 */
#define SWEEP_LOCK "sweep.lock"
#define SWEEP_LOCK_WAIT 6

static int sweep_lock(int dirfd, const struct policy *p)
{
	long long deadline = now_ms() + (long long)p->timeout_ms * SWEEP_LOCK_WAIT;
	struct stat st;
	int fd;

	if (dirfd < 0)
		return -1;
	fd = openat(dirfd, SWEEP_LOCK, O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC,
		    0600);
	if (fd >= 0 && (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid())) {
		close(fd);
		fd = -EPERM;
	} else if (fd < 0) {
		fd = -errno;
	}
	if (fd < 0) {
		log_msg(SDE_WARNING, "cannot lock \"%s%s/%s\": %s; no detach in this sweep",
			sde_sysroot(), STATUS_DIR, SWEEP_LOCK,
			fd == -EPERM || fd == -ELOOP ? "not a regular file of its own"
						     : strerror(-fd));
		return -1;
	}
	while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		int e = errno;

		if (e == EINTR)
			continue;
		if (e == EWOULDBLOCK && now_ms() < deadline) {
			sleep_ms(20);
			continue;
		}
		log_msg(SDE_WARNING, "\"%s%s/%s\": %s; going on without it: no detach in this "
			"sweep", sde_sysroot(), STATUS_DIR, SWEEP_LOCK, e == EWOULDBLOCK ?
			"another sweep held it all the time it was waited for" : strerror(e));
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * Write the boot record: status.json and status.txt, each atomically.  The
 * initramfs's sweep is the boot's record (status --boot): a later sweep in
 * the real root (scsi-dh-early.service, an administrator) keeps it and
 * writes status-root.json and status-root.txt beside it.  sweep: the counts
 * of the sweep, which the JSON keeps for the metrics.
 */
static void write_boot_record(int dirfd, const struct policy *p, struct kernel_info *k,
			      const struct inventory *inv, const char *summary,
			      const struct summary *sweep)
{
	const char *names[] = { "status.json", "status.txt" };
	char tmp[SDE_PATH_MAX];
	unsigned int i;
	int r;

	if (!in_initramfs() && sysroot_exists(STATUS_DIR "/status.json")) {
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
			status_json(f, p, k, inv, summary, sweep);
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

/*
 * After a sweep in the real root wrote its record: the metrics of every LUN
 * (inv) and of both records into metrics_textfile_dir, when it is set. The
 * initramfs has no such directory to write (and its record is read again in
 * the real root). Failing to write is said, never the sweep's failure.
 */
static void root_metrics(int dirfd, const struct policy *p, struct kernel_info *k,
			 const struct inventory *inv)
{
	struct sweep_record rec[REC__N];
	char dir[SDE_PATH_MAX];
	bool dir_bad;
	int r;

	if (!p->metrics_dir[0] || in_initramfs())
		return;
	r = sde_path(dir, sizeof(dir), "%s", p->metrics_dir);
	if (r == 0) {
		sweep_records_read(dirfd, rec);
		r = metrics_textfile(dir, &dir_bad, p, k, inv, rec);
	}
	if (r < 0)
		log_msg(SDE_WARNING, "metrics_textfile_dir: cannot write \"%s/%s\": %s, ignoring",
			dir, TEXTFILE_NAME, strerror(-r));
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

/*
 * apply --late: into inv, the SCSI devices that no sweep of this boot has
 * seen (by address and sysfs inode: one added again at the same H:C:T:L is
 * new); into present, every device there is now.  Without a readable seen
 * set every device is taken: a LUN looked at twice costs less than one missed.
 */
static void late_select(int dirfd, struct inventory *inv, struct hctl_set *present,
			struct hctl_set *seen)
{
	unsigned int i, line = 0;
	int r;

	r = scsi_device_names(present);
	if (r < 0)
		log_msg(SDE_ERR, "cannot read the SCSI devices: %s", strerror(-r));
	r = dirfd < 0 ? -ENOENT : lun_set_read(dirfd, SEEN_FILE, seen, &line);
	if (r < 0 && r != -ENOENT)
		log_msg(SDE_WARNING, "\"%s%s/%s\"%s%.0u: %s, taking every device", sde_sysroot(),
			STATUS_DIR, SEEN_FILE, line ? ":" : "", line,
			r == -EINVAL ? "not a list of H:C:T:L" : strerror(-r));
	if (r < 0)
		hctl_set_free(seen);
	for (i = 0; i < present->n; i++) {
		if (hctl_set_has(seen, present->v[i].hctl, present->v[i].ino))
			continue;
		r = inventory_add(inv, present->v[i].hctl);
		if (r < 0 && r != -ENOENT)
			log_msg(SDE_WARNING, "%s: %s, ignoring", present->v[i].hctl,
				r == -EFBIG ? "an attribute longer than it can be" : strerror(-r));
	}
}

/*
 * After a sweep: the seen set becomes the devices it looked at, and for
 * --late those of the set before that are still present.  A device whose
 * detach waited for a sweep lock never had is left out: the next sweep takes it.
 */
static void seen_update(int dirfd, const struct inventory *inv, struct hctl_set *present,
			struct hctl_set *seen, bool late)
{
	struct hctl_set next = { 0 };
	unsigned int i;
	int r = 0;

	for (i = 0; late && r == 0 && i < present->n; i++)
		if (hctl_set_has(seen, present->v[i].hctl, present->v[i].ino))
			r = hctl_set_add(&next, present->v[i].hctl, present->v[i].ino);
	for (i = 0; r == 0 && i < inv->n; i++) {
		const struct device *d = &inv->dev[i];

		if (!d->vanished && !(d->detach_bar == DB_NO_LOCK && d->as.verdict ==
				      V_OWNED_ATTACHED))
			r = hctl_set_add(&next, d->hctl, d->ino);
	}
	if (r == 0)
		r = lun_set_write(dirfd, SEEN_FILE, &next);
	if (r < 0)
		log_msg(SDE_WARNING, "cannot write \"%s%s/%s\": %s, ignoring", sde_sysroot(),
			STATUS_DIR, SEEN_FILE, strerror(-r));
	hctl_set_free(&next);
}

/*
 * Before the plan: the devices a sweep of this boot detached (the detach
 * record) get no second detach; without the sweep lock none does.  An
 * unreadable record is said, and then no device of this sweep is detached:
 * once too few is mended by the next sweep, once too many is not.
 */
static void detach_bars(int dirfd, struct inventory *inv, struct hctl_set *detached,
			bool locked)
{
	unsigned int i, line = 0;
	int r = dirfd < 0 ? -ENOENT : lun_set_read(dirfd, DETACHED_FILE, detached, &line);

	if (r < 0 && r != -ENOENT) {
		log_msg(SDE_WARNING, "\"%s%s/%s\"%s%.0u: %s, no detach in this sweep",
			sde_sysroot(), STATUS_DIR, DETACHED_FILE, line ? ":" : "", line,
			r == -EINVAL ? "not a list of H:C:T:L" : strerror(-r));
		locked = false;
	}
	if (locked)
		detached_mark(detached, inv);
	for (i = 0; !locked && i < inv->n; i++)
		inv->dev[i].detach_bar = DB_NO_LOCK;
}

/*
 * After a sweep that wrote a detach: the record gains each device it wrote
 * one to whose write the kernel did not refuse (taken, held, or no answer in
 * time: it may have been taken), and keeps those of before still present.
 */
static void detached_update(int dirfd, const struct inventory *inv,
			    const struct apply_item *items, struct hctl_set *detached)
{
	struct hctl_set next = { 0 }, now = { 0 };
	unsigned int i;
	bool added = false;
	int r = 0;

	for (i = 0; r == 0 && i < inv->n; i++) {
		const struct apply_item *it = &items[i];

		if (it->written && it->plan.action == A_DETACH && it->result != AR_REFUSED &&
		    it->result != AR_VANISHED) {
			r = hctl_set_add(&next, inv->dev[i].hctl, inv->dev[i].ino);
			added = true;
		}
	}
	if (!added)
		return;
	if (r == 0 && detached->n)
		r = scsi_device_names(&now);
	for (i = 0; r == 0 && i < now.n; i++)
		if (hctl_set_has(detached, now.v[i].hctl, now.v[i].ino))
			r = hctl_set_add(&next, now.v[i].hctl, now.v[i].ino);
	if (r == 0)
		r = lun_set_write(dirfd, DETACHED_FILE, &next);
	if (r < 0)
		log_msg(SDE_WARNING, "cannot write \"%s%s/%s\": %s, ignoring", sde_sysroot(),
			STATUS_DIR, DETACHED_FILE, strerror(-r));
	hctl_set_free(&now);
	hctl_set_free(&next);
}

/*
 * After apply --late: the boot record gains the LUNs that arrived late.  It
 * shows every LUN as it is now, with the verdicts of them all and the counts
 * of this sweep: "69 LUNs: 68 ok, 1 none; late: 64 LUNs: ...".
 */
static void late_record(int dirfd, const struct policy *p, struct kernel_info *k,
			const char *late_summary, const struct summary *late, bool locked)
{
	struct hctl_set detached = { 0 };
	struct inventory all = { 0 };
	struct summary sum;
	char now[512], summary[1024];
	char *semi;
	int r;

	r = inventory_scan(&all);
	if (r < 0) {
		log_msg(SDE_WARNING, "cannot read the SCSI devices: %s, not writing the boot record",
			strerror(-r));
		inventory_free(&all);
		return;
	}
	/* the record as this sweep left it: LUNs detached before show as held */
	detach_bars(dirfd, &all, &detached, locked);
	hctl_set_free(&detached);
	plan_inventory(p, kernel_facts(k), &all);
	summary_count(&sum, &all, NULL);
	summary_format(&sum, now, sizeof(now));
	semi = strchr(now, ';');
	if (semi)
		*semi = '\0';
	if (xsnprintf(summary, sizeof(summary), "%s; late: %s", now, late_summary) < 0)
		str_copy(summary, sizeof(summary), now);
	write_boot_record(dirfd, p, k, &all, summary, late);
	root_metrics(dirfd, p, k, &all);
	inventory_free(&all);
}

/*
 * Whether a run's summary goes to the kernel log: a boot's sweep always says
 * what it found; any other run (apply --late, apply DEVICE) only when it
 * changed something or something is wrong, else at debug level
 * (rd.scsi_dh.debug, debug = yes).
 */
static bool summary_quiet(const struct policy *p, const struct summary *sum, int ret,
			  bool full_sweep)
{
	if (full_sweep || ret != EXIT_OK || p->fallback)
		return false;
	if (sum->attached || sum->detached || sum->refused || sum->failed || sum->declined ||
	    sum->held || sum->wwid_too_long)
		return false;
	return sum->verdicts[V_MISSING] + sum->verdicts[V_MISMATCH] + sum->verdicts[V_UNKNOWN] +
	       sum->verdicts[V_OWNED_ATTACHED] == 0;
}

static void action_json(FILE *f, const struct device *d, const struct apply_item *it,
			bool dry_run, bool first)
{
	fprintf(f, "%s\n{\"hctl\":", first ? "" : ",");
	json_string(f, d->hctl);
	fprintf(f, ",\"action\":");
	json_string(f, action_name(it->plan.action));
	fprintf(f, ",\"handler\":");
	json_string(f, it->plan.handler[0] ? it->plan.handler : NULL);
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
	if (it->result == AR_REFUSED || it->result == AR_FAILED || it->result == AR_HELD ||
	    it->plan.held)
		sh->ret = EXIT_PROBLEM;
	/* the device as it was planned, not as its write left it */
	before = *dev;
	before.dh_state = it->dh_state;
	device_label(&before, it->plan.owner, label, sizeof(label));
	if (it->plan.action == A_NONE) {
		log_device(it->plan.held ? SDE_WARNING : SDE_DEBUG, "%s: %s", label,
			   it->plan.reason);
		if (it->plan.held && !o->json && o->verbosity >= 0 && log_verbosity() < 1)
			printf("%s: %s\n", label, it->plan.reason);
		return;
	}
	log_device(it->result == AR_DONE || it->result == AR_PLANNED ||
			   it->result == AR_DECLINED ? SDE_INFO : SDE_WARNING,
		   "%s: %s %s%s%s%s", label, action_name(it->plan.action),
		   it->plan.handler, o->dry_run ? " (dry run)" : ": ",
		   o->dry_run ? "" : apply_result_name(it->result),
		   it->err ? (it->err == ETIMEDOUT ? " (timed out)" : " (error)") : "");
	if (!o->json && o->verbosity >= 0 && log_verbosity() < 1)
		printf("%s: %s %s: %s%s%s\n", label, action_name(it->plan.action),
		       it->plan.handler,
		       !o->dry_run ? apply_result_name(it->result) :
		       it->plan.action == A_DETACH && kernel_can_detach(sh->k) == 0 ?
		       "the kernel would refuse it" : "would be done",
		       it->err ? ", " : "", it->err ? strerror(it->err) : "");
}

int cmd_apply(const struct opts *o, struct policy *p, struct kernel_info *k)
{
	struct inventory inv = { 0 };
	struct apply_item *items = NULL;
	struct apply_ctx ctx = { .p = p, .k = k, .dry_run = o->dry_run, .sweep_lockfd = -1 };
	struct shown shown = { .o = o, .k = k };
	struct summary sum;
	struct hctl_set present = { 0 }, seen = { 0 }, detached = { 0 };
	char summary[512];
	bool sweep = o->ndevices == 0, full_sweep = sweep && !o->late;
	int i, r, ret = EXIT_OK, dirfd = -1, lockfd = -1;
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
	/* a dry run reads what a sweep would, and changes nothing */
	if (sweep && o->dry_run) {
		dirfd = status_dir_peek();
	} else if (sweep) {
		dirfd = status_dir_open();
		lockfd = sweep_lock(dirfd, p);
		ctx.sweep_lockfd = lockfd;
		if (dirfd >= 0 && full_sweep)
			mark_swept(dirfd);
	}
	if (full_sweep) {
		r = inventory_scan(&inv);
		if (r < 0)
			log_msg(SDE_ERR, "cannot read the SCSI devices: %s", strerror(-r));
	} else if (sweep) {
		late_select(dirfd, &inv, &present, &seen);
	}
	if (sweep)
		detach_bars(dirfd, &inv, &detached, lockfd >= 0 || o->dry_run);
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
	if (kernel_facts(k)->no_dh) {
		size_t len = strlen(summary);

		snprintf(summary + len, sizeof(summary) - len,
			 "; kernel %s has no device handlers (%s): none can attach", k->release,
			 k->dh_why);
	}

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
		if (!summary_quiet(p, &sum, ret, full_sweep))
			kmsg_msg(ret == EXIT_OK ? SDE_INFO : SDE_WARNING, "%s%s", o->late ?
				 "late: " : "", summary);
		else if (p->debug)
			kmsg_msg(SDE_DEBUG, "%s%s", o->late ? "late: " : "", summary);
		/* a late sweep that found no new LUN leaves the record as it is */
		if (dirfd >= 0 && (!o->late || inv.n)) {
			if (lockfd >= 0)
				detached_update(dirfd, &inv, items, &detached);
			seen_update(dirfd, &inv, &present, &seen, o->late);
			if (o->late) {
				late_record(dirfd, p, k, summary, &sum, lockfd >= 0);
			} else {
				write_boot_record(dirfd, p, k, &inv, summary, &sum);
				root_metrics(dirfd, p, k, &inv);
			}
		}
	}
	/* the seen set and the record written: the next sweep may start */
	if (lockfd >= 0)
		close(lockfd);
	if (dirfd >= 0)
		close(dirfd);
	hctl_set_free(&present);
	hctl_set_free(&seen);
	hctl_set_free(&detached);
	free(items);
	inventory_free(&inv);
	if (p->fallback)
		return EXIT_USAGE;
	return ret;
}
