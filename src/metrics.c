// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * status --format=prometheus and --textfile, and the real root's sweeps with
 * metrics_textfile_dir: the text exposition format 0.0.4, "# HELP" and
 * "# TYPE" before the samples of each family, no timestamps (the textfile
 * collector refuses them). Every per-LUN value is read from the plan's
 * assessment (d->as) or from sysfs as the inventory read it; nothing is
 * decided here.
 */
#include "fileio.h"
#include "metrics.h"
#include "plan.h"
#include "privdir.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef VERSION
#define VERSION "0"
#endif

enum { F_INFO, F_ENABLED, F_CONFIG_ERRORS, F_LUNS, F_LUN_INFO, F_LUN_ACCESS, F_LUN_IOERR,
       F_SWEEP_LUNS, F_SWEEP_ACTIONS, F_LAST_RUN, F__N };

static const struct family {
	const char *name, *type, *help;
} families[F__N] = {
	[F_INFO] = { "scsi_dh_early_info", "gauge",
		     "The helper's version, the kernel's release and generation; always 1." },
	[F_ENABLED] = { "scsi_dh_early_enabled", "gauge",
			"0 when rd.scsi_dh=0 switched the helper off, else 1." },
	[F_CONFIG_ERRORS] = { "scsi_dh_early_config_errors", "gauge",
			      "Errors in the configuration and the kernel command line; with "
			      "any, sweeps change nothing." },
	[F_LUNS] = { "scsi_dh_early_luns", "gauge", "SCSI devices by the plan's verdict." },
	[F_LUN_INFO] = { "scsi_dh_early_lun_info", "gauge",
			 "One per SCSI device: what sysfs shows and what the plan assessed; "
			 "always 1." },
	[F_LUN_ACCESS] = { "scsi_dh_early_lun_access_state", "gauge",
			   "The device's access_state as its handler shows it (active/optimized, "
			   "standby, ...); always 1." },
	[F_LUN_IOERR] = { "scsi_dh_early_lun_io_errors_total", "counter",
			  "Commands that failed on the device since it was added (sysfs "
			  "ioerr_cnt)." },
	[F_SWEEP_LUNS] = { "scsi_dh_early_sweep_luns", "gauge",
			   "SCSI devices the last sweep of the record looked at." },
	[F_SWEEP_ACTIONS] = { "scsi_dh_early_sweep_actions", "gauge",
			      "Actions of the last sweep of the record, by result." },
	[F_LAST_RUN] = { "scsi_dh_early_last_run_timestamp_seconds", "gauge",
			 "When the last sweep of the record wrote it, in seconds since the "
			 "epoch." },
};

static const char *const record_names[REC__N] = { "boot", "root" };

static void family(FILE *f, unsigned int i)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", families[i].name, families[i].help,
		families[i].name, families[i].type);
}

/*
 * A label value: backslash, double quote and newline escaped as the format
 * says; other controls (C0, DEL, C1) and each byte that is not part of valid
 * UTF-8 as U+FFFD, since a parser refuses a file with a value that is not UTF-8.
 */
static void label_value(FILE *f, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	while (*s) {
		unsigned int n = utf8_len(s);

		if (*s == '\\' || *s == '"')
			fprintf(f, "\\%c", *s);
		else if (*s == '\n')
			fputs("\\n", f);
		else if (!n || *s < 0x20 || *s == 0x7f || (n == 2 && s[0] == 0xc2 && s[1] < 0xa0))
			fputs("\xef\xbf\xbd", f);
		else
			fwrite(s, 1, n, f);
		s += n ? n : 1;
	}
}

/* One label of a sample, left out when it has no value; *n counts those written. */
static void label(FILE *f, unsigned int *n, const char *name, const char *value)
{
	if (!value || !*value)
		return;
	fprintf(f, "%s%s=\"", (*n)++ ? "," : "{", name);
	label_value(f, value);
	fputc('"', f);
}

static void value(FILE *f, unsigned int n, unsigned long long v)
{
	fprintf(f, "%s %llu\n", n ? "}" : "", v);
}

/* A sample of family i without labels. */
static void sample(FILE *f, unsigned int i, unsigned long long v)
{
	fputs(families[i].name, f);
	value(f, 0, v);
}

/* A sample of a record's family: its record, and the result it counts when given. */
static void record_sample(FILE *f, unsigned int fam, unsigned int rec, const char *result,
			  unsigned long long v)
{
	unsigned int n = 0;

	fputs(families[fam].name, f);
	label(f, &n, "record", record_names[rec]);
	label(f, &n, "result", result);
	value(f, n, v);
}

void metrics_write(FILE *f, const struct policy *p, struct kernel_info *k,
		   const struct inventory *inv, const struct sweep_record rec[REC__N])
{
	struct summary sum;
	unsigned int i, j, n, fam;

	family(f, F_INFO);
	fputs(families[F_INFO].name, f);
	n = 0;
	label(f, &n, "version", VERSION);
	label(f, &n, "kernel", k->release);
	label(f, &n, "generation", kernel_generation(k));
	value(f, n, 1);
	family(f, F_ENABLED);
	sample(f, F_ENABLED, p->enabled);
	family(f, F_CONFIG_ERRORS);
	sample(f, F_CONFIG_ERRORS, p->nerrors);

	summary_count(&sum, inv, NULL);
	family(f, F_LUNS);
	for (i = 0; i < V__COUNT; i++) {
		fputs(families[F_LUNS].name, f);
		n = 0;
		label(f, &n, "verdict", verdict_name((enum verdict)i));
		value(f, n, sum.verdicts[i]);
	}

	/* the per-LUN families, each with its samples together */
	for (fam = F_LUN_INFO; fam <= F_LUN_IOERR; fam++) {
		family(f, fam);
		for (i = 0; i < inv->n; i++) {
			const struct device *d = &inv->dev[i];

			if (d->vanished || (fam == F_LUN_ACCESS && !d->access_state[0]) ||
			    (fam == F_LUN_IOERR && !d->ioerr_known))
				continue;
			fputs(families[fam].name, f);
			n = 0;
			label(f, &n, "hctl", d->hctl);
			if (fam == F_LUN_ACCESS) {
				label(f, &n, "state", d->access_state);
			} else if (fam == F_LUN_INFO) {
				label(f, &n, "block", d->block);
				label(f, &n, "vendor", d->vendor_t);
				label(f, &n, "model", d->model_t);
				label(f, &n, "host_driver", d->host_driver);
				label(f, &n, "wwid", d->wwid);
				label(f, &n, "expected", d->as.expected);
				label(f, &n, "attached", device_attached(d));
				label(f, &n, "owner", d->as.owner ? d->as.owner->name : NULL);
				label(f, &n, "verdict", verdict_name(d->as.verdict));
				label(f, &n, "action", action_name(d->as.action));
			}
			value(f, n, fam == F_LUN_IOERR ? d->ioerr : 1);
		}
	}

	/* what the records say: only those there are, counts only where they have them */
	family(f, F_SWEEP_LUNS);
	for (i = 0; i < REC__N; i++)
		if (rec[i].counted)
			record_sample(f, F_SWEEP_LUNS, i, NULL, rec[i].count[SC_LUNS]);
	family(f, F_SWEEP_ACTIONS);
	for (i = 0; i < REC__N; i++)
		for (j = SC_LUNS + 1; rec[i].counted && j < SC__N; j++)
			record_sample(f, F_SWEEP_ACTIONS, i, sweep_count_names[j], rec[i].count[j]);
	family(f, F_LAST_RUN);
	for (i = 0; i < REC__N; i++)
		if (rec[i].present)
			record_sample(f, F_LAST_RUN, i, NULL, (unsigned long long)rec[i].mtime);
}

/*
 * The "sweep" member of a record, {"luns":N,"attached":N,...} on its first
 * line: each name that is one of sweep_count_names gets its number. Anything
 * else there (no member, a value that is not a number) leaves it uncounted.
 */
static void record_read(int dirfd, const char *name, struct sweep_record *r)
{
	char buf[1024], *s, *q, *end;
	struct stat st;
	ssize_t n;
	int fd = open_regular(dirfd, name);

	if (fd < 0)
		return;
	do
		n = read(fd, buf, sizeof(buf) - 1);
	while (n < 0 && errno == EINTR);
	if (fstat(fd, &st) < 0)
		n = -1;
	close(fd);
	if (n < 0)
		return;
	buf[n] = '\0';
	r->present = true;
	r->mtime = st.st_mtime;
	s = strstr(buf, "\"sweep\":{");
	if (!s)
		return;
	for (s += strlen("\"sweep\":{");; s = end + 1) {
		unsigned long long v;
		unsigned int i;

		q = *s == '"' ? strchr(s + 1, '"') : NULL;
		if (!q || q[1] != ':' || q[2] < '0' || q[2] > '9')
			return;
		errno = 0;
		v = strtoull(q + 2, &end, 10);
		if (errno || v > UINT_MAX || (*end != ',' && *end != '}'))
			return;
		for (i = 0; i < SC__N; i++)
			if (strlen(sweep_count_names[i]) == (size_t)(q - s - 1) &&
			    !strncmp(s + 1, sweep_count_names[i], (size_t)(q - s - 1)))
				r->count[i] = (unsigned int)v;
		if (*end == '}')
			break;
	}
	r->counted = true;
}

void sweep_records_read(int dirfd, struct sweep_record rec[REC__N])
{
	/* the names cmd-apply.c's write_boot_record() gives them */
	static const char *const files[REC__N] = { "status.json", "status-root.json" };
	unsigned int i;

	memset(rec, 0, REC__N * sizeof(*rec));
	for (i = 0; dirfd >= 0 && i < REC__N; i++)
		record_read(dirfd, files[i], &rec[i]);
}

int metrics_textfile(const char *dir, bool *dir_bad, const struct policy *p,
		     struct kernel_info *k, const struct inventory *inv,
		     const struct sweep_record rec[REC__N])
{
	char tmp[SDE_PATH_MAX];
	FILE *f;
	int dfd, r;

	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	*dir_bad = dfd < 0 && (errno == ENOENT || errno == ENOTDIR);
	if (dfd < 0)
		return -errno;
	f = atomic_open_at(dfd, TEXTFILE_NAME, tmp, sizeof(tmp));
	if (!f) {
		r = -errno;
		close(dfd);
		return r;
	}
	metrics_write(f, p, k, inv, rec);
	r = atomic_commit_at(dfd, f, tmp, TEXTFILE_NAME);
	close(dfd);
	return r;
}
