// SPDX-License-Identifier: GPL-2.0-or-later
/* ioerr_cnt's parser, the metrics' label values and the sweep counts of a record. */
#include "unit.h"
#include "inventory.h"
#include "kernel.h"
#include "metrics.h"
#include "report.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

static int ioerr(const char *s, unsigned long long *v)
{
	*v = 7;
	return ioerr_parse(s, v);
}

static void ioerr_cnt(void)
{
	unsigned long long v;

	CHECK(ioerr("0x0", &v) == 0 && v == 0);
	CHECK(ioerr("0x12", &v) == 0 && v == 18);
	CHECK(ioerr("0xffffffffffffffff", &v) == 0 && v == 0xffffffffffffffffULL);
	CHECK(ioerr("0x0000000000000001", &v) == 0 && v == 1);
	/* 65 bits, or 17 digits whatever they are: unknown, and v untouched */
	CHECK(ioerr("0x10000000000000000", &v) == -EINVAL && v == 7);
	CHECK(ioerr("0x00000000000000001", &v) == -EINVAL);
	/* anything the kernel does not write */
	CHECK(ioerr("", &v) == -EINVAL);
	CHECK(ioerr("0x", &v) == -EINVAL);
	CHECK(ioerr("18", &v) == -EINVAL);
	CHECK(ioerr("0X12", &v) == -EINVAL);
	CHECK(ioerr("0x12 ", &v) == -EINVAL);
	CHECK(ioerr(" 0x12", &v) == -EINVAL);
	CHECK(ioerr("0x1G", &v) == -EINVAL);
	CHECK(ioerr("0xAB", &v) == -EINVAL);
	CHECK(ioerr("-0x1", &v) == -EINVAL);
	CHECK(ioerr("0x12\n", &v) == -EINVAL && v == 7);
}

/* The 4.9+ kernel without reading any file. */
static struct kernel_info *kernel(void)
{
	static struct kernel_info k;

	memset(&k, 0, sizeof(k));
	snprintf(k.release, sizeof(k.release), "6.1.0-28-amd64");
	k.facts_known = true;
	k.facts.gen = kgen_get(KGEN_49);
	k.facts.can_detach = 0;
	k.can_detach_known = true;
	k.dh_known = true;
	k.dh = 1;
	return &k;
}

static void device(struct device *d, const char *vendor)
{
	memset(d, 0, sizeof(*d));
	d->hctl = "1:0:0:1";
	d->block = d->vendor = d->model = d->model_t = d->dh_state = "";
	d->access_state = d->wwid = d->host_driver = d->as.reason = "";
	d->vendor_t = vendor;
	d->as.verdict = V_NONE;
}

/* metrics_write() of one device into buf */
static void metrics(const struct device *d, const struct sweep_record *rec, char *buf,
		    size_t size)
{
	static struct policy p;
	struct inventory inv = { 0 };
	struct sweep_record none[REC__N] = { { 0 } };
	FILE *f = fmemopen(buf, size, "w");

	policy_defaults(&p);
	inv.dev = (struct device *)d;
	inv.n = d ? 1 : 0;
	metrics_write(f, &p, kernel(), &inv, rec ? rec : none);
	fclose(f);
}

static void label_values(void)
{
	static char buf[8192];
	struct device d;

	/* the three escapes of the format; controls and bytes that are not UTF-8 as U+FFFD */
	device(&d, "a\"b\\c\nd\x01\xff\xc3\xa9\xc2\x9b");
	metrics(&d, NULL, buf, sizeof(buf));
	CHECK(strstr(buf, "\nscsi_dh_early_lun_info{hctl=\"1:0:0:1\",vendor=\"a\\\"b\\\\c\\nd"
			  "\xef\xbf\xbd\xef\xbf\xbd\xc3\xa9\xef\xbf\xbd\",verdict=\"none\","
			  "action=\"none\"} 1\n"));
	/* unknown ioerr_cnt: no sample; known: its value */
	CHECK(!strstr(buf, "\nscsi_dh_early_lun_io_errors_total{"));
	d.ioerr_known = true;
	d.ioerr = 0xffffffffffffffffULL;
	metrics(&d, NULL, buf, sizeof(buf));
	CHECK(strstr(buf, "\nscsi_dh_early_lun_io_errors_total{hctl=\"1:0:0:1\"} "
			  "18446744073709551615\n"));
	CHECK(strstr(buf, "\n# TYPE scsi_dh_early_lun_io_errors_total counter\n"));
	CHECK(strstr(buf, "\nscsi_dh_early_luns{verdict=\"none\"} 1\n"));
	CHECK(strstr(buf, "\nscsi_dh_early_luns{verdict=\"owned-attached\"} 0\n"));
	/* every line a comment or a sample, and the last one ended */
	CHECK(buf[strlen(buf) - 1] == '\n');
}

/* The record status_json() writes for sweep, in dir/name, read back. */
static void record(int dirfd, const char *name, const char *text)
{
	int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	CHECK(fd >= 0 && write(fd, text, strlen(text)) == (ssize_t)strlen(text));
	close(fd);
}

static void sweep_counts_round_trip(void)
{
	static char buf[64 * 1024];
	char dir[] = "/tmp/sde-unit-XXXXXX";
	struct sweep_record rec[REC__N];
	struct inventory inv = { 0 };
	struct summary s;
	static struct policy p;
	FILE *f;
	int dirfd;

	CHECK(mkdtemp(dir) != NULL);
	dirfd = open(dir, O_RDONLY | O_DIRECTORY);
	CHECK(dirfd >= 0);
	sweep_records_read(dirfd, rec);
	CHECK(!rec[REC_BOOT].present && !rec[REC_ROOT].present);

	policy_defaults(&p);
	memset(&s, 0, sizeof(s));
	s.luns = 412;
	s.attached = 3;
	s.detached = 1;
	s.refused = 2;
	s.failed = 4;
	s.declined = 5;
	s.held = 6;
	s.vanished = 4294967295u;
	f = fmemopen(buf, sizeof(buf), "w");
	status_json(f, &p, kernel(), &inv, "412 LUNs", &s);
	fclose(f);
	record(dirfd, "status.json", buf);
	/* a record without the member: there, but no counts */
	record(dirfd, "status-root.json", "{\"version\":\"0\",\"kernel\":{}}\n");
	sweep_records_read(dirfd, rec);
	CHECK(rec[REC_BOOT].present && rec[REC_BOOT].counted && rec[REC_BOOT].mtime > 0);
	CHECK(rec[REC_BOOT].count[SC_LUNS] == 412 && rec[REC_BOOT].count[SC_ATTACHED] == 3 &&
	      rec[REC_BOOT].count[SC_DETACHED] == 1 && rec[REC_BOOT].count[SC_REFUSED] == 2 &&
	      rec[REC_BOOT].count[SC_FAILED] == 4 && rec[REC_BOOT].count[SC_DECLINED] == 5 &&
	      rec[REC_BOOT].count[SC_HELD] == 6 && rec[REC_BOOT].count[SC_VANISHED] == 4294967295u);
	CHECK(rec[REC_ROOT].present && !rec[REC_ROOT].counted);

	metrics(NULL, rec, buf, sizeof(buf));
	CHECK(strstr(buf, "\nscsi_dh_early_sweep_luns{record=\"boot\"} 412\n"));
	CHECK(strstr(buf, "\nscsi_dh_early_sweep_actions{record=\"boot\",result=\"refused_by_handler\"} 5\n"));
	CHECK(!strstr(buf, "sweep_luns{record=\"root\"}"));
	CHECK(strstr(buf, "\nscsi_dh_early_last_run_timestamp_seconds{record=\"root\"} "));

	/* what is not a count of ours leaves the record uncounted */
	record(dirfd, "status.json", "{\"version\":\"0\",\"sweep\":{\"luns\":4294967296}}");
	record(dirfd, "status-root.json", "{\"version\":\"0\",\"sweep\":{\"luns\":-1}}");
	sweep_records_read(dirfd, rec);
	CHECK(rec[REC_BOOT].present && !rec[REC_BOOT].counted);
	CHECK(rec[REC_ROOT].present && !rec[REC_ROOT].counted);
	record(dirfd, "status.json", "{\"version\":\"0\",\"sweep\":{\"luns\":1,\"attached\":2");
	record(dirfd, "status-root.json", "{\"version\":\"0\",\"sweep\":{\"luns\":1,\"new\":9}}");
	sweep_records_read(dirfd, rec);
	CHECK(!rec[REC_BOOT].counted);
	CHECK(rec[REC_ROOT].counted && rec[REC_ROOT].count[SC_LUNS] == 1);

	unlinkat(dirfd, "status.json", 0);
	unlinkat(dirfd, "status-root.json", 0);
	close(dirfd);
	rmdir(dir);
}

const struct unit_test metrics_tests[] = {
	{ "metrics: ioerr_cnt as the kernel writes it, and nothing else", ioerr_cnt },
	{ "metrics: label values escaped, controls and bytes not UTF-8 replaced", label_values },
	{ "metrics: a record's sweep counts, written and read back", sweep_counts_round_trip },
	{ NULL, NULL },
};
