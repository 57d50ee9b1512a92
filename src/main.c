// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * scsi-dh-early: attach the right SCSI device handlers at boot.
 * The command line only; every concern lives in its own file.
 */
#include "cmd.h"
#include "config.h"
#include "kernel.h"
#include "log.h"
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

static const struct {
	const char *name;
	enum command cmd;
} commands[] = {
	{ "status", CMD_STATUS },     { "check", CMD_CHECK },	  { "preload", CMD_PRELOAD },
	{ "apply", CMD_APPLY },	      { "softdeps", CMD_SOFTDEPS }, { "modules", CMD_MODULES },
	{ "resolve", CMD_RESOLVE },   { "rules", CMD_RULES },
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
	      " status --format=prometheus | --textfile <dir>\n"
	      "                           the same as Prometheus metrics, on standard output\n"
	      "                           or into <dir>/scsi_dh_early.prom\n"
	      " check                     validate the configuration and show the policy\n"
	      " preload [--dry-run]       load the preload handlers with modprobe\n"
	      " apply [--dry-run] [--json] [--late] [<device>...]\n"
	      "                           detach and late-attach handlers; a device is H:C:T:L,\n"
	      "                           a sysfs devpath or /dev/sdX; none means all of them\n"
	      "                           (--late: those no sweep of this boot has seen)\n"
	      " softdeps                  print modprobe.d softdep lines for --kver\n"
	      " modules                   print the handler modules to put in an initramfs\n"
	      " resolve                   print the configuration with owner rules resolved\n"
	      "                           for --kver (for an initramfs)\n"
	      " rules                     print the udev rule for LUNs added after the sweep\n"
	      "\n"
	      "Options:\n"
	      "     --sysroot <dir>   read and write every absolute path under <dir>\n"
	      "     --config <file>   read only <file> (default " CONFIG_FILE "\n"
	      "                       and " CONFIG_DIR "/*.conf)\n"
	      "     --kver <release>  kernel release (default: the running kernel)\n"
	      "     --moddir <dir>    module directory of that kernel (default\n"
	      "                       /lib/modules/<release>)\n"
	      "     --json            print JSON (status, apply)\n"
	      "     --format <format> table, json or prometheus (status)\n"
	      "     --textfile <dir>  write the metrics into <dir>/scsi_dh_early.prom, replacing\n"
	      "                       it atomically (status; node_exporter's textfile collector)\n"
	      "     --boot            show the status recorded at boot (status)\n"
	      "     --late            only LUNs that no sweep of this boot has seen (apply)\n"
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
	      "rd.scsi_dh.late_attach=0|1, rd.scsi_dh.detach=0|1, rd.scsi_dh.debug,\n"
	      "rd.scsi_dh.settle=SECS (the sweep's wait for udev, default 120, at most 240).\n"
	      "\n"
	      "Exit status: 0 done or nothing to do, 1 an action failed or was refused\n"
	      "(check: warnings), 2 usage or configuration error.\n"
	      "\n"
	      "See scsi-dh-early(8) and scsi-dh-early.conf(5).\n",
	      stdout);
}

enum { OPT_SYSROOT = CHAR_MAX + 1, OPT_CONFIG, OPT_KVER, OPT_MODDIR, OPT_JSON, OPT_BOOT,
       OPT_KMSG, OPT_NO_KMSG, OPT_LATE, OPT_FORMAT, OPT_TEXTFILE };

static int parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "sysroot", required_argument, NULL, OPT_SYSROOT },
		{ "config", required_argument, NULL, OPT_CONFIG },
		{ "kver", required_argument, NULL, OPT_KVER },
		{ "moddir", required_argument, NULL, OPT_MODDIR },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "boot", no_argument, NULL, OPT_BOOT },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "textfile", required_argument, NULL, OPT_TEXTFILE },
		{ "late", no_argument, NULL, OPT_LATE },
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
			o->prom = false;
			break;
		case OPT_FORMAT:
			o->format = true;
			o->json = str_eq(optarg, "json");
			o->prom = str_eq(optarg, "prometheus");
			if (!o->json && !o->prom && !str_eq(optarg, "table"))
				return bad_usage("--format: '%s' is not table, json or prometheus",
						 optarg);
			break;
		case OPT_TEXTFILE:
			if (!*optarg || strlen(optarg) >= SDE_PATH_MAX / 2)
				return bad_usage("--textfile: not a directory: '%s'", optarg);
			o->textfile = optarg;
			break;
		case OPT_BOOT:
			o->boot = true;
			break;
		case OPT_LATE:
			o->late = true;
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
	if ((o->format || o->textfile) && o->cmd != CMD_STATUS)
		return bad_usage("--format and --textfile are for status, not %s", argv[optind]);
	if (o->textfile && (o->json || (o->format && !o->prom)))
		return bad_usage("--textfile writes the Prometheus format, not %s",
				 o->json ? "JSON" : "a table");
	if (o->boot && (o->prom || o->textfile))
		return bad_usage("--boot shows the record as it was written; the metrics (%s) "
				 "read it themselves", o->textfile ? "--textfile" : "prometheus");
	o->prom = o->prom || o->textfile;
	if (o->late && o->cmd != CMD_APPLY)
		return bad_usage("--late is for apply, not %s", argv[optind]);
	if (o->late && o->ndevices)
		return bad_usage("--late takes no device: '%s'", o->devices[0]);
	if (o->dry_run && o->cmd != CMD_PRELOAD && o->cmd != CMD_APPLY)
		return bad_usage("--dry-run is for preload and apply, not %s", argv[optind]);
	return EXIT_OK;
}

/* Commands that run on the target: the kernel command line applies to them. */
static bool uses_cmdline(enum command c)
{
	return c == CMD_STATUS || c == CMD_CHECK || c == CMD_PRELOAD || c == CMD_APPLY;
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
	stdout_buffer();
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
	case CMD_RULES:
		r = cmd_rules(&policy, &k);
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
