// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * scsi-dh-early: attach the right SCSI device handlers at boot.
 * The command line only; every concern lives in its own file.
 */
#include "actions.h"
#include "config.h"
#include "inventory.h"
#include "kernel.h"
#include "ktable.h"
#include "log.h"
#include "plan.h"
#include "report.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef VERSION
#define VERSION "0"
#endif

#define STATUS_DIR "/run/scsi-dh-early"

enum { EXIT_OK = 0, EXIT_PROBLEM = 1, EXIT_USAGE = 2 };

enum command { CMD_NONE, CMD_STATUS, CMD_CHECK, CMD_PRELOAD, CMD_APPLY, CMD_SOFTDEPS,
	       CMD_MODULES, CMD_RESOLVE };

static const struct {
	const char *name;
	enum command cmd;
} commands[] = {
	{ "status", CMD_STATUS },     { "check", CMD_CHECK },	  { "preload", CMD_PRELOAD },
	{ "apply", CMD_APPLY },	      { "softdeps", CMD_SOFTDEPS }, { "modules", CMD_MODULES },
	{ "resolve", CMD_RESOLVE },
};

struct opts {
	enum command cmd;
	const char *sysroot, *config, *kver, *moddir;
	bool json, boot, dry_run;
	int kmsg;	/* 1 --kmsg, 0 --no-kmsg, -1 automatic */
	int verbosity;
	char **devices;
	int ndevices;
};

static void usage(void)
{
	fputs("Usage:\n"
	      " " SDE_PROG " [options] <command> [<device>...]\n"
	      "\n"
	      "Attach the right SCSI device handlers (scsi_dh_alua, _emc, _rdac, _hp_sw) at boot:\n"
	      "load them before any HBA driver scans its LUNs, detach them from LUNs that a\n"
	      "third-party multipath driver owns, attach them late where they are missing.\n"
	      "\n"
	      "Commands:\n"
	      " status [--json] [--boot]  show every SCSI device, its handlers and a verdict\n"
	      "                           (--boot: what the boot recorded in " STATUS_DIR ")\n"
	      " check                     validate the configuration and show the policy\n"
	      " preload [--dry-run]       load the preload handlers with modprobe\n"
	      " apply [--dry-run] [--json] [<device>...]\n"
	      "                           detach and late-attach handlers; a device is H:C:T:L,\n"
	      "                           a sysfs devpath or /dev/sdX; none means all of them\n"
	      " softdeps                  print modprobe.d softdep lines for --kver\n"
	      " modules                   print the handler modules to put in an initramfs\n"
	      " resolve                   print the configuration with owner rules resolved\n"
	      "                           for --kver (for an initramfs)\n"
	      "\n"
	      "Options:\n"
	      "     --sysroot <dir>   read and write every absolute path under <dir>\n"
	      "     --config <file>   read only <file> (default " CONFIG_FILE "\n"
	      "                       and " CONFIG_DIR "/*.conf)\n"
	      "     --kver <release>  kernel release (default: the running kernel)\n"
	      "     --moddir <dir>    module directory of that kernel (default\n"
	      "                       /lib/modules/<release>)\n"
	      "     --json            print JSON (status, apply)\n"
	      "     --boot            show the status recorded at boot (status)\n"
	      " -n, --dry-run         change nothing, say what would be done (preload, apply)\n"
	      "     --kmsg            log to the kernel log (default when standard output\n"
	      "                       is not a terminal and /dev/kmsg is writable)\n"
	      "     --no-kmsg         do not log to the kernel log\n"
	      " -v, --verbose         say more (twice: debug)\n"
	      " -q, --quiet           say only errors\n"
	      " -h, --help            display this help\n"
	      " -V, --version         display version\n"
	      "\n"
	      "Kernel command line: rd.scsi_dh=0 (do nothing), rd.scsi_dh.preload=alua,emc,\n"
	      "rd.scsi_dh.late_attach=0|1, rd.scsi_dh.detach=0|1, rd.scsi_dh.debug.\n"
	      "\n"
	      "Exit status: 0 done or nothing to do, 1 an action failed or was refused\n"
	      "(check: warnings), 2 usage or configuration error.\n"
	      "\n"
	      "See scsi-dh-early(8) and scsi-dh-early.conf(5).\n",
	      stdout);
}

static int bad_usage(const char *fmt, const char *arg)
{
	fprintf(stderr, SDE_PROG ": ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry '" SDE_PROG " --help' for more information.\n");
	return EXIT_USAGE;
}

enum { OPT_SYSROOT = CHAR_MAX + 1, OPT_CONFIG, OPT_KVER, OPT_MODDIR, OPT_JSON, OPT_BOOT,
       OPT_KMSG, OPT_NO_KMSG };

static int parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "sysroot", required_argument, NULL, OPT_SYSROOT },
		{ "config", required_argument, NULL, OPT_CONFIG },
		{ "kver", required_argument, NULL, OPT_KVER },
		{ "moddir", required_argument, NULL, OPT_MODDIR },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "boot", no_argument, NULL, OPT_BOOT },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "kmsg", no_argument, NULL, OPT_KMSG },
		{ "no-kmsg", no_argument, NULL, OPT_NO_KMSG },
		{ "verbose", no_argument, NULL, 'v' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned int i;
	int c;

	memset(o, 0, sizeof(*o));
	o->kmsg = -1;
	while ((c = getopt_long(argc, argv, "nvqhV", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_SYSROOT:
			if (strlen(optarg) >= SDE_PATH_MAX / 2)
				return bad_usage("--sysroot: path too long: %s", optarg);
			o->sysroot = optarg;
			break;
		case OPT_CONFIG:
			o->config = optarg;
			break;
		case OPT_KVER:
			if (!*optarg || strchr(optarg, '/') || strlen(optarg) >= 128)
				return bad_usage("--kver: not a kernel release: '%s'", optarg);
			o->kver = optarg;
			break;
		case OPT_MODDIR:
			o->moddir = optarg;
			break;
		case OPT_JSON:
			o->json = true;
			break;
		case OPT_BOOT:
			o->boot = true;
			break;
		case 'n':
			o->dry_run = true;
			break;
		case OPT_KMSG:
			o->kmsg = 1;
			break;
		case OPT_NO_KMSG:
			o->kmsg = 0;
			break;
		case 'v':
			if (o->verbosity >= 0)
				o->verbosity++;
			break;
		case 'q':
			o->verbosity = -1;
			break;
		case 'h':
			usage();
			exit(EXIT_OK);
		case 'V':
			printf(SDE_PROG " %s\n", VERSION);
			exit(EXIT_OK);
		default:
			fprintf(stderr, "Try '" SDE_PROG " --help' for more information.\n");
			return EXIT_USAGE;
		}
	}
	if (optind >= argc)
		return bad_usage("no command given%s", "");
	for (i = 0; i < ARRAY_SIZE(commands); i++)
		if (str_eq(argv[optind], commands[i].name))
			o->cmd = commands[i].cmd;
	if (o->cmd == CMD_NONE)
		return bad_usage("unknown command '%s'", argv[optind]);
	o->devices = argv + optind + 1;
	o->ndevices = argc - optind - 1;

	if (o->ndevices && o->cmd != CMD_APPLY)
		return bad_usage("unexpected argument '%s'", o->devices[0]);
	if (o->json && o->cmd != CMD_STATUS && o->cmd != CMD_APPLY)
		return bad_usage("--json is for status and apply, not %s", argv[optind]);
	if (o->boot && o->cmd != CMD_STATUS)
		return bad_usage("--boot is for status, not %s", argv[optind]);
	if (o->dry_run && o->cmd != CMD_PRELOAD && o->cmd != CMD_APPLY)
		return bad_usage("--dry-run is for preload and apply, not %s", argv[optind]);
	return EXIT_OK;
}

/* Commands that run on the target: the kernel command line applies to them. */
static bool uses_cmdline(enum command c)
{
	return c == CMD_STATUS || c == CMD_CHECK || c == CMD_PRELOAD || c == CMD_APPLY;
}

static void print_errors(const struct policy *p)
{
	unsigned int i;

	for (i = 0; i < p->nerrors && i < MAX_ERRORS; i++)
		fprintf(stderr, "%s\n", p->errors[i]);
	if (p->nerrors > MAX_ERRORS)
		fprintf(stderr, SDE_PROG ": %u more errors\n", p->nerrors - MAX_ERRORS);
}

/* The first error and what the boot does about it, for the kernel log. */
static void kmsg_fallback(const struct policy *p, const char *what)
{
	kmsg_msg(SDE_ERR, "%s%s; %s", p->errors[0],
		 p->nerrors > 1 ? " (and more errors)" : "", what);
}

static int cmd_preload(const struct opts *o, struct policy *p, struct kernel_info *k)
{
	struct preload_report rep;
	char line[512];
	size_t len;
	unsigned int i;
	int r;

	if (!p->enabled) {
		if (o->verbosity >= 0)
			printf("disabled by rd.scsi_dh=0\n");
		kmsg_msg(SDE_INFO, "disabled by rd.scsi_dh=0");
		return EXIT_OK;
	}
	if (p->fallback)
		kmsg_fallback(p, "preloading the default handlers");
	r = preload_run(p, k, o->dry_run, &rep);

	snprintf(line, sizeof(line), "preload:");
	for (i = 0; i < rep.n; i++) {
		len = strlen(line);
		snprintf(line + len, sizeof(line) - len, "%s %s %s", i ? "," : "",
			 rep.items[i].module + strlen("scsi_dh_"),
			 preload_result_name(rep.items[i].result));
	}
	if (!rep.n) {
		len = strlen(line);
		snprintf(line + len, sizeof(line) - len, " nothing to load");
	}
	if (rep.note[0]) {
		len = strlen(line);
		snprintf(line + len, sizeof(line) - len, " (%s)", rep.note);
	}
	if (o->verbosity >= 0)
		printf("%s\n", line);
	if (!o->dry_run)
		kmsg_msg(r ? SDE_WARNING : SDE_INFO, "%s", line);
	if (p->fallback)
		return EXIT_USAGE;
	return r ? EXIT_PROBLEM : EXIT_OK;
}

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

static int cmd_apply(const struct opts *o, struct policy *p, struct kernel_info *k)
{
	struct inventory inv = { 0 };
	struct apply_item *items = NULL;
	struct apply_ctx ctx = { .p = p, .k = k, .dry_run = o->dry_run };
	struct summary sum;
	char summary[512], label[256];
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
	if (inv.n) {
		items = calloc(inv.n, sizeof(*items));
		if (!items) {
			log_msg(SDE_ERR, "out of memory");
			inventory_free(&inv);
			return EXIT_PROBLEM;
		}
	}
	for (d = 0; d < inv.n; d++) {
		struct device *dev = &inv.dev[d];
		struct apply_item *it = &items[d];

		if (dev->vanished) {
			memset(it, 0, sizeof(*it));
			it->result = AR_VANISHED;
			snprintf(it->plan.reason, sizeof(it->plan.reason), "no such device");
			continue;
		}
		device_label(dev, dev->as.owner, label, sizeof(label));
		apply_device(&ctx, dev, it);
		if (it->result == AR_REFUSED || it->result == AR_FAILED || it->result == AR_HELD)
			ret = EXIT_PROBLEM;
		if (it->plan.action == A_NONE) {
			log_device(SDE_DEBUG, "%s: %s", label, it->plan.reason);
			continue;
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
			       it->plan.action == A_DETACH && kernel_can_detach(k) == 0 ?
			       "the kernel would refuse it" : "would be done",
			       it->err ? ", " : "", it->err ? strerror(it->err) : "");
	}
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

/* What the boot recorded: it needs neither the configuration nor the kernel. */
static int cmd_status_boot(const struct opts *o)
{
	static char buf[1 << 20];
	char path[SDE_PATH_MAX];
	ssize_t n;

	if (sde_path(path, sizeof(path), STATUS_DIR "/%s",
		     o->json ? "status.json" : "status.txt") < 0)
		return EXIT_USAGE;
	n = read_file(path, buf, sizeof(buf));
	if (n < 0) {
		log_msg(SDE_ERR, "no boot record: \"%s\": %s", path,
			n == -EFBIG ? "too large" : strerror((int)-n));
		return EXIT_PROBLEM;
	}
	if (fwrite(buf, 1, (size_t)n, stdout) != (size_t)n || fflush(stdout) != 0) {
		log_msg(SDE_ERR, "write error on standard output");
		return EXIT_PROBLEM;
	}
	return EXIT_OK;
}

static int cmd_status(const struct opts *o, struct policy *p, struct kernel_info *k)
{
	struct inventory inv = { 0 };
	struct summary sum;
	char summary[512];
	int r;

	r = inventory_scan(&inv);
	if (r < 0)
		log_msg(SDE_ERR, "cannot read the SCSI devices: %s", strerror(-r));
	plan_inventory(p, kernel_facts(k), &inv);
	summary_count(&sum, &inv, NULL);
	summary_format(&sum, summary, sizeof(summary));
	if (o->json) {
		status_json(stdout, p, k, &inv, summary);
	} else {
		status_header(stdout, p, k);
		status_table(stdout, p, &inv);
		printf("%s\n", summary);
	}
	inventory_free(&inv);
	if (p->fallback)
		return EXIT_USAGE;
	return r < 0 ? EXIT_PROBLEM : EXIT_OK;
}

static const char *modstate_name(enum modstate s)
{
	return s == MOD_BUILTIN ? "built in" : s == MOD_MODULE ? "module" : "missing";
}

static int cmd_check(const struct opts *o, struct policy *p, struct kernel_info *k)
{
	const char *names[MAX_HANDLERS];
	char mods[MAX_HANDLERS][HANDLER_NAME_MAX + 8];
	enum modstate states[MAX_HANDLERS];
	struct inventory inv = { 0 };
	unsigned int i, warnings = 0;
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
	for (i = 0; r == 0 && i < p->npreload; i++) {
		printf("  %s: %s\n", mods[i], modstate_name(states[i]));
		if (states[i] == MOD_MISSING) {
			fprintf(stderr, SDE_PROG ": warning: handler %s: no module %s for %s\n",
				p->preload[i], mods[i], k->release);
			warnings++;
		}
	}
	cd = kernel_can_detach(k);
	printf("  can detach handlers: %s%s%s\n",
	       cd < 0 ? "unknown" : cd ? "yes (before 4.3)" : "no (4.3 or later)",
	       k->can_detach_src ? ", from " : "", k->can_detach_src ? k->can_detach_src : "");
	if (p->nowners && inventory_scan(&inv) < 0)
		log_msg(SDE_WARNING, "cannot read the SCSI devices");
	warnings += check_kernel(stdout, p, k, &inv);
	inventory_free(&inv);
	for (i = 0; i < p->nowners; i++) {
		const struct owner_rule *ow = &p->owners[i];

		printf("owner %s (%s:%u): %s\n", ow->name, p->files[ow->file], ow->line, ow->why);
		if (ow->active && cd == 0 && p->npreload) {
			fprintf(stderr,
				SDE_PROG ": warning: %s:%u: [owner %s]: kernel %s cannot detach "
				"handlers; handlers that attach to the LUNs it owns stay\n",
				p->files[ow->file], ow->line, ow->name, k->release);
			warnings++;
		}
	}
	return warnings ? EXIT_PROBLEM : EXIT_OK;
}

/* The policy's handlers that are modules of the kernel, for softdeps and modules. */
static unsigned int handler_modules(const struct policy *p, const struct kernel_info *k,
				    char mods[][HANDLER_NAME_MAX + 8], bool warn)
{
	const char *names[MAX_HANDLERS];
	enum modstate states[MAX_HANDLERS];
	char all[MAX_HANDLERS][HANDLER_NAME_MAX + 8];
	unsigned int i, n = 0;
	int r;

	for (i = 0; i < p->npreload; i++) {
		snprintf(all[i], sizeof(all[i]), "scsi_dh_%s", p->preload[i]);
		names[i] = all[i];
	}
	r = kernel_modules(k, names, p->npreload, states);
	if (r < 0) {
		log_msg(SDE_ERR, "%s/modules.dep: %s", k->moddir, strerror(-r));
		return 0;
	}
	for (i = 0; i < p->npreload; i++) {
		if (states[i] == MOD_MODULE)
			str_copy(mods[n++], sizeof(mods[0]), all[i]);
		else if (warn && states[i] == MOD_MISSING)
			log_msg(SDE_WARNING, "handler %s: no module %s for %s", p->preload[i],
				all[i], k->release);
		else if (warn)
			log_msg(SDE_INFO, "handler %s: built into %s", p->preload[i], k->release);
	}
	return n;
}

struct softdep_ctx {
	char (*mods)[HANDLER_NAME_MAX + 8];
	unsigned int n;
};

static void softdep_line(const char *name, void *arg)
{
	/* upper-level drivers and helpers that drive no HBA */
	static const char *const upper[] = { "sd_mod", "sr_mod", "st", "sg", "ses", "ch",
					     "osst", "scsi_mod", "scsi_common" };
	const struct softdep_ctx *c = arg;
	unsigned int i;

	if (str_starts(name, "scsi_dh_"))
		return;
	for (i = 0; i < ARRAY_SIZE(upper); i++)
		if (str_eq(name, upper[i]))
			return;
	printf("softdep %s pre:", name);
	for (i = 0; i < c->n; i++)
		printf(" %s", c->mods[i]);
	putchar('\n');
}

static int cmd_softdeps(const struct policy *p, const struct kernel_info *k)
{
	char mods[MAX_HANDLERS][HANDLER_NAME_MAX + 8];
	struct softdep_ctx c = { .mods = mods };
	const char *scsi_mod = "scsi_mod";
	enum modstate st;
	unsigned int i;
	int r;

	c.n = handler_modules(p, k, mods, true);
	printf("# " SDE_PROG ": load the SCSI device handlers before any SCSI HBA driver\n"
	       "# probes (kernel %s).\n",
	       k->release);
	if (!c.n)
		return EXIT_OK;
	r = kernel_modules(k, &scsi_mod, 1, &st);
	if (r < 0)
		return EXIT_PROBLEM;
	if (st == MOD_MODULE) {
		printf("softdep scsi_mod post:");
		for (i = 0; i < c.n; i++)
			printf(" %s", mods[i]);
		putchar('\n');
	} else {
		printf("# scsi_mod is built in: each HBA module loads the handlers first\n");
	}
	r = kernel_scsi_modules(k, st != MOD_MODULE, softdep_line, &c);
	if (r < 0) {
		log_msg(SDE_ERR, "%s/modules.dep: %s", k->moddir, strerror(-r));
		return EXIT_PROBLEM;
	}
	return EXIT_OK;
}

static int cmd_modules(const struct policy *p, const struct kernel_info *k)
{
	char mods[MAX_HANDLERS][HANDLER_NAME_MAX + 8];
	unsigned int i, n = handler_modules(p, k, mods, true);

	for (i = 0; i < n; i++)
		printf("%s\n", mods[i]);
	return EXIT_OK;
}

/*
 * Standard descriptors that are closed get /dev/null, so that no file we open
 * takes their place; a reader that goes away (apply | head) costs us our output,
 * never the work or the boot record: SIGPIPE is ignored and EPIPE is an error.
 */
static void std_fds(void)
{
	int fd;

	for (fd = 0; fd < 3; fd++) {
		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		/* no /dev/null (an early initramfs): a directory takes the slot, unwritable */
		if (open("/dev/null", fd ? O_WRONLY : O_RDONLY) != fd &&
		    open("/", O_RDONLY | O_DIRECTORY) != fd)
			continue;
	}
	signal(SIGPIPE, SIG_IGN);
}

int main(int argc, char **argv)
{
	static struct policy policy;
	struct kernel_info k;
	struct opts o;
	int r;

	std_fds();
	r = parse_args(argc, argv, &o);
	if (r != EXIT_OK)
		return r;
	log_set_verbosity(o.verbosity);
	sde_set_sysroot(o.sysroot);
	if (o.cmd == CMD_STATUS && o.boot)
		return cmd_status_boot(&o);

	r = kernel_init(&k, o.kver, o.moddir);
	if (r < 0) {
		log_msg(SDE_ERR, "cannot tell the kernel release (no --kver and no "
				 "/proc/sys/kernel/osrelease)");
		return EXIT_USAGE;
	}
	policy_defaults(&policy);
	config_load(&policy, o.config);
	if (uses_cmdline(o.cmd))
		cmdline_load(&policy);

	if ((o.cmd == CMD_PRELOAD || o.cmd == CMD_APPLY) && !o.dry_run &&
	    (o.kmsg == 1 || (o.kmsg == -1 && !isatty(STDOUT_FILENO)))) {
		if (!kmsg_open() && o.kmsg == 1)
			log_msg(SDE_WARNING, "cannot open /dev/kmsg, ignoring");
	}
	kmsg_set_debug(policy.debug);

	if (policy.nerrors) {
		if (o.cmd == CMD_CHECK)
			return cmd_check(&o, &policy, &k);
		print_errors(&policy);
		if (o.cmd == CMD_RESOLVE)
			return EXIT_USAGE;
		policy_fallback(&policy);
	}
	owners_resolve(&policy, &k);

	switch (o.cmd) {
	case CMD_STATUS:
		r = cmd_status(&o, &policy, &k);
		break;
	case CMD_CHECK:
		r = cmd_check(&o, &policy, &k);
		break;
	case CMD_PRELOAD:
		r = cmd_preload(&o, &policy, &k);
		break;
	case CMD_APPLY:
		r = cmd_apply(&o, &policy, &k);
		break;
	case CMD_SOFTDEPS:
		r = cmd_softdeps(&policy, &k);
		break;
	case CMD_MODULES:
		r = cmd_modules(&policy, &k);
		break;
	case CMD_RESOLVE:
		printf("# " SDE_PROG ": configuration resolved for kernel %s\n", k.release);
		policy_write(&policy, stdout, true);
		r = EXIT_OK;
		break;
	default:
		r = EXIT_USAGE;
	}
	if (policy.fallback && r == EXIT_OK)
		r = EXIT_USAGE;
	if (fflush(stdout) != 0 || ferror(stdout)) {
		log_msg(SDE_ERR, "write error on standard output");
		r = r ? r : EXIT_PROBLEM;
	}
	kmsg_close();
	return r;
}
