// SPDX-License-Identifier: GPL-2.0-or-later
#include "actions.h"
#include "log.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

const char *preload_result_name(enum preload_result r)
{
	switch (r) {
	case PR_LOADED:
		return "loaded";
	case PR_ALREADY:
		return "already";
	case PR_BUILTIN:
		return "builtin";
	case PR_DEFERRED:
		return "deferred";
	case PR_BLACKLISTED:
		return "blacklisted";
	case PR_FAILED:
		return "failed";
	case PR_TIMEOUT:
		return "timeout";
	case PR_PLANNED:
		return "planned";
	}
	return "?";
}

const char *apply_result_name(enum apply_result r)
{
	switch (r) {
	case AR_NOTHING:
		return "nothing";
	case AR_PLANNED:
		return "planned";
	case AR_DONE:
		return "done";
	case AR_REFUSED:
		return "refused";
	case AR_FAILED:
		return "failed";
	case AR_VANISHED:
		return "vanished";
	case AR_DECLINED:
		return "refused by the handler";
	case AR_HELD:
		return "held by another user";
	case AR_ALREADY:
		return "already";
	}
	return "?";
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/*
 * Wait for a child for at most timeout_ms. 0 with *status, or -ETIMEDOUT after
 * killing it (its process group when group is set). A child that does not die
 * (stuck in the kernel) is left behind rather than waited for.
 */
struct said;
static bool said_drain(int fd, struct said *s);

/* wait_timed(), reading fd into s meanwhile (fd -1: none) */
static int wait_timed_fd(pid_t pid, unsigned int timeout_ms, bool group, int *status,
			 int fd, struct said *s)
{
	long long deadline = now_ms() + timeout_ms;
	long step = 1;

	for (;;) {
		pid_t r = waitpid(pid, status, WNOHANG);

		if (r == pid)
			return 0;
		if (r < 0 && errno != EINTR)
			return -errno;
		if (now_ms() >= deadline)
			break;
		if (fd >= 0) {
			struct pollfd pfd = { .fd = fd, .events = POLLIN };

			/* output, or the step: whichever comes first; after EOF only wait */
			if (poll(&pfd, 1, (int)step) > 0 && said_drain(fd, s))
				fd = -1;
		} else {
			sleep_ms(step);
		}
		if (step < 20)
			step *= 2;
	}
	kill(group ? -pid : pid, SIGKILL);
	deadline = now_ms() + 500;
	while (now_ms() < deadline) {
		if (waitpid(pid, status, WNOHANG) == pid)
			break;
		sleep_ms(5);
	}
	return -ETIMEDOUT;
}

static int wait_timed(pid_t pid, unsigned int timeout_ms, bool group, int *status)
{
	return wait_timed_fd(pid, timeout_ms, group, status, -1, NULL);
}

static bool executable(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

int find_modprobe(char *buf, unsigned int size)
{
	static const char *const fallback[] = { "/sbin/modprobe", "/usr/sbin/modprobe" };
	const char *path = getenv("PATH");
	unsigned int i;

	while (path && *path) {
		const char *colon = strchr(path, ':');
		size_t n = colon ? (size_t)(colon - path) : strlen(path);

		/* only absolute directories: "", "." or "bin" would run what the cwd holds */
		if (n > 0 && path[0] == '/' && n + sizeof("/modprobe") <= size) {
			memcpy(buf, path, n);
			memcpy(buf + n, "/modprobe", sizeof("/modprobe"));
			if (executable(buf))
				return 0;
		}
		path += n + (colon ? 1 : 0);
	}
	/* the system's own, under --sysroot like every other absolute path */
	for (i = 0; i < ARRAY_SIZE(fallback); i++) {
		if (sde_path(buf, size, "%s", fallback[i]) == 0 && executable(buf))
			return 0;
	}
	return -ENOENT;
}

static bool is_busybox(const char *prog)
{
	char real[PATH_MAX];
	const char *b;

	if (!realpath(prog, real))
		return false;
	b = strrchr(real, '/');
	b = b ? b + 1 : real;
	return str_starts(b, "busybox");
}

static bool word_in(const char *list, const char *word)
{
	size_t n = strlen(word);
	const char *s = list;

	while ((s = strstr(s, word))) {
		bool start = s == list || s[-1] == ' ' || s[-1] == '\t';
		bool end = s[n] == '\0' || s[n] == ' ' || s[n] == '\t';

		if (start && end)
			return true;
		s += n;
	}
	return false;
}

void modprobe_d_file(struct modprobe_d *m, const char *path,
		     const struct preload_report *rep)
{
	struct line_reader lr;
	char *line;
	unsigned int i;

	if (line_open(&lr, path) < 0)
		return;
	while (line_next(&lr, &line) > 0) {
		char *s = ltrim(line);

		if (str_starts(s, "softdep ")) {
			char *mod = ltrim(s + 8), *post;

			if (!str_starts(mod, "scsi_mod ") && !str_starts(mod, "scsi_mod\t"))
				continue;
			post = strstr(mod, "post:");
			if (!post)
				continue;
			post += 5;
			/* "pre:" may follow "post:"; cut there */
			if (strstr(post, "pre:"))
				*strstr(post, "pre:") = '\0';
			str_copy(m->post, sizeof(m->post), rtrim(post));
		} else if (str_starts(s, "blacklist ")) {
			char *mod = rtrim(ltrim(s + 10));

			for (i = 0; i < rep->n; i++)
				if (str_eq(mod, rep->items[i].module) &&
				    m->nblack < ARRAY_SIZE(m->blacklist))
					str_copy(m->blacklist[m->nblack++],
						 sizeof(m->blacklist[0]), mod);
		}
	}
	line_close(&lr);
}

static void modprobe_d_scan(struct modprobe_d *m, const struct preload_report *rep)
{
	/* kmod's order of directories; a later file of the same name is hidden */
	static const char *const dirs[] = { "/etc/modprobe.d", "/run/modprobe.d",
					    "/usr/local/lib/modprobe.d", "/usr/lib/modprobe.d",
					    "/lib/modprobe.d" };
	char path[SDE_PATH_MAX], f[SDE_PATH_MAX];
	unsigned int i;

	memset(m, 0, sizeof(*m));
	for (i = 0; i < ARRAY_SIZE(dirs); i++) {
		struct dirent *de;
		DIR *d;

		if (sde_path(path, sizeof(path), "%s", dirs[i]) < 0)
			continue;
		d = opendir(path);
		if (!d)
			continue;
		while ((de = readdir(d))) {
			size_t n = strlen(de->d_name);

			if (n < 6 || !str_eq(de->d_name + n - 5, ".conf"))
				continue;
			if (xsnprintf(f, sizeof(f), "%s/%s", path, de->d_name) == 0)
				modprobe_d_file(m, f, rep);
		}
		closedir(d);
	}
}

/*
 * What modprobe says on stderr, read while it runs so that it never blocks on a
 * full pipe: the first MODPROBE_SAID_MAX bytes are kept, the rest counted.
 */
#define MODPROBE_SAID_MAX 2048
struct said {
	char buf[MODPROBE_SAID_MAX];
	size_t len;
	unsigned long long dropped;
};

/* Read what is there; true at end of file. */
static bool said_drain(int fd, struct said *s)
{
	char tmp[4096];
	ssize_t r;

	while ((r = read(fd, tmp, sizeof(tmp))) > 0) {
		size_t room = sizeof(s->buf) - 1 - s->len;
		size_t k = (size_t)r < room ? (size_t)r : room;

		memcpy(s->buf + s->len, tmp, k);
		s->len += k;
		s->buf[s->len] = '\0';
		s->dropped += (unsigned long long)r - k;
	}
	return r == 0;
}

/* Pass on what modprobe said, a line at a time, bounded. */
static void said_log(const struct said *s)
{
	const char *p = s->buf;

	while (*p) {
		const char *nl = strchr(p, '\n');
		int n = nl ? (int)(nl - p) : (int)strlen(p);

		if (n > 0)
			log_msg(SDE_WARNING, "%.*s", n, p);
		p += n + (nl ? 1 : 0);
	}
	if (s->dropped)
		log_msg(SDE_WARNING, "(modprobe said %llu bytes more)", s->dropped);
}

static int run_modprobe(const char *prog, bool busybox, const struct preload_report *rep,
			const unsigned int *idx, unsigned int n, unsigned int timeout_ms,
			int *status)
{
	const char *argv[MAX_HANDLERS + 6];
	static struct said said;
	unsigned int a = 0, i;
	int pfd[2], devnull;
	pid_t pid;
	int r;

	argv[a++] = "modprobe";
	argv[a++] = "-a";
	if (!busybox)
		argv[a++] = "-b";	/* honour an admin's blacklist */
	argv[a++] = "--";
	for (i = 0; i < n; i++)
		argv[a++] = rep->items[idx[i]].module;
	argv[a] = NULL;

	/*
	 * Its stdout goes to /dev/null, its stderr to a pipe we read: neither it nor a
	 * child it leaves behind holds our stdout or stderr (a caller reading them to
	 * the end would wait for that child), and megabytes of output stay bounded.
	 */
	if (pipe2(pfd, O_CLOEXEC | O_NONBLOCK) < 0)
		return -errno;
	devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
	pid = fork();
	if (pid < 0) {
		r = -errno;
		close(pfd[0]);
		close(pfd[1]);
		if (devnull >= 0)
			close(devnull);
		return r;
	}
	if (pid == 0) {
		/*
		 * Nothing of our environment (MODPROBE_OPTIONS, LD_PRELOAD, ...) but a
		 * fixed PATH, and the signals as a new program expects them.
		 */
		static const char *const envp[] = { "LANG=C",
						    "PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL };

		/* own process group, so a timeout kills whatever it started */
		setpgid(0, 0);
		signal(SIGPIPE, SIG_DFL);
		/* the pipe blocks again for the writer; dup2 drops O_CLOEXEC */
		fcntl(pfd[1], F_SETFL, 0);
		if (dup2(devnull >= 0 ? devnull : pfd[1], STDOUT_FILENO) < 0 ||
		    dup2(pfd[1], STDERR_FILENO) < 0)
			_exit(127);
		execve(prog, (char *const *)argv, (char *const *)envp);
		_exit(127);
	}
	setpgid(pid, pid);
	close(pfd[1]);
	if (devnull >= 0)
		close(devnull);
	memset(&said, 0, sizeof(said));
	r = wait_timed_fd(pid, timeout_ms, true, status, pfd[0], &said);
	said_drain(pfd[0], &said);
	close(pfd[0]);
	said_log(&said);
	return r;
}

int preload_run(const struct policy *p, const struct kernel_info *k, bool dry_run,
		struct preload_report *rep)
{
	const char *names[MAX_HANDLERS + 1];
	enum modstate states[MAX_HANDLERS + 1];
	unsigned int idx[MAX_HANDLERS], nload = 0, i;
	struct modprobe_d mpd;
	bool defer = false;
	int status = 0, r, ret = 0;

	memset(rep, 0, sizeof(*rep));
	rep->exit_status = -1;
	for (i = 0; i < p->npreload; i++) {
		snprintf(rep->items[i].module, sizeof(rep->items[0].module), "scsi_dh_%s",
			 p->preload[i]);
		names[i] = rep->items[i].module;
	}
	rep->n = p->npreload;
	names[rep->n] = "scsi_mod";
	if (kernel_modules(k, names, rep->n + 1, states) < 0) {
		/* no modules.dep: modprobe will say what it can */
		for (i = 0; i <= rep->n; i++)
			states[i] = MOD_MODULE;
	}

	for (i = 0; i < rep->n; i++) {
		struct preload_item *it = &rep->items[i];

		if (states[i] != MOD_BUILTIN && module_loaded(it->module))
			it->result = PR_ALREADY;
		else if (states[i] == MOD_BUILTIN || module_present(it->module))
			it->result = PR_BUILTIN;
		else
			idx[nload++] = i;
	}
	if (!nload)
		return 0;

	if (find_modprobe(rep->modprobe, sizeof(rep->modprobe)) < 0) {
		rep->modprobe[0] = '\0';
		snprintf(rep->note, sizeof(rep->note), "no modprobe found");
		for (i = 0; i < nload; i++)
			rep->items[idx[i]].result = PR_FAILED;
		return 1;
	}
	rep->busybox = is_busybox(rep->modprobe);
	modprobe_d_scan(&mpd, rep);

	/*
	 * With scsi_mod a module not loaded yet, kmod's modprobe and the softdep
	 * "scsi_mod post:" in place, whatever loads the first HBA loads the handlers
	 * right after scsi_mod: loading them now would only drag scsi_mod into
	 * machines without SCSI.
	 */
	if (states[rep->n] == MOD_MODULE && !module_present("scsi_mod") && !rep->busybox) {
		defer = true;
		for (i = 0; i < nload; i++)
			if (!word_in(mpd.post, rep->items[idx[i]].module))
				defer = false;
	}
	if (defer) {
		snprintf(rep->note, sizeof(rep->note),
			 "scsi_mod not loaded yet: the softdep loads them with it");
		for (i = 0; i < nload; i++)
			rep->items[idx[i]].result = PR_DEFERRED;
		return 0;
	}
	if (dry_run) {
		for (i = 0; i < nload; i++)
			rep->items[idx[i]].result = PR_PLANNED;
		return 0;
	}

	r = run_modprobe(rep->modprobe, rep->busybox, rep, idx, nload, p->timeout_ms, &status);
	if (r == 0 && WIFEXITED(status))
		rep->exit_status = WEXITSTATUS(status);
	for (i = 0; i < nload; i++) {
		struct preload_item *it = &rep->items[idx[i]];
		unsigned int b;

		if (module_present(it->module)) {
			it->result = PR_LOADED;
			continue;
		}
		it->result = r == -ETIMEDOUT ? PR_TIMEOUT : PR_FAILED;
		for (b = 0; b < mpd.nblack; b++)
			if (str_eq(mpd.blacklist[b], it->module))
				it->result = PR_BLACKLISTED;
		if (it->result != PR_BLACKLISTED)
			ret = 1;
	}
	if (r == -ETIMEDOUT)
		snprintf(rep->note, sizeof(rep->note), "%s killed after %u ms", rep->modprobe,
			 p->timeout_ms);
	else if (r < 0)
		snprintf(rep->note, sizeof(rep->note), "%s: %s", rep->modprobe, strerror(-r));
	return ret;
}

/*
 * Write value to the device's dh_state in a child, so that a write the kernel
 * blocks on (an attach sends commands to the LUN) cannot hold us past the
 * timeout. Returns 0, -errno of the write, or -ETIMEDOUT.
 */
static int dh_write(const char *hctl, const char *value, unsigned int timeout_ms,
		    int lockfd)
{
	char path[SDE_PATH_MAX];
	int status = 0, r;
	pid_t pid;

	if (sde_path(path, sizeof(path), "/sys/class/scsi_device/%s/device/dh_state", hctl) < 0)
		return -ENAMETOOLONG;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		size_t len = strlen(value);
		ssize_t w;
		int fd;

		/* a child stuck in the kernel must not hold the device's lock */
		if (lockfd >= 0)
			close(lockfd);
		fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
		if (fd < 0)
			_exit(errno & 0xff);
		/* no newline: the kernel would ask for module "scsi_dh_NAME\n" */
		w = write(fd, value, len);
		if (w < 0)
			_exit(errno & 0xff);
		if (close(fd) < 0)
			_exit(errno & 0xff);
		_exit((size_t)w == len ? 0 : EIO);
	}
	r = wait_timed(pid, timeout_ms, false, &status);
	if (r < 0)
		return r;
	if (!WIFEXITED(status))
		return -EINTR;
	return -WEXITSTATUS(status);
}

/*
 * store_dh_state() answers -ENODEV for a device being deleted too
 * (SDEV_CANCEL, SDEV_DEL): that is no handler's refusal.
 */
static bool device_deleted(const char *hctl)
{
	char path[SDE_PATH_MAX], state[32];

	if (sde_path(path, sizeof(path), "/sys/class/scsi_device/%s/device/state", hctl) < 0 ||
	    read_attr(path, state, sizeof(state)) < 0)
		return true;
	rtrim(state);
	return str_eq(state, "cancel") || str_eq(state, "deleted");
}

/* Re-read after a write and assess again; false when the device went away. */
static bool reassess(struct apply_ctx *ctx, struct device *d, const char *hctl,
		     bool attach_refused)
{
	if (device_read(d, hctl) < 0)
		return false;
	d->attach_refused = attach_refused;
	plan_assess(ctx->p, kernel_facts(ctx->k), d, &d->as);
	return true;
}

/*
 * The device's lock, so that runs on one LUN at the same time (the sweep, and udev's
 * runs for hot-added LUNs) do not both write: flock(2) on its sysfs directory, held
 * while it is re-read, written and read back. Waits at most timeout_ms. The
 * descriptor, -ENOENT when the device is gone, -ETIMEDOUT.
 */
static int device_lock(const char *hctl, unsigned int timeout_ms)
{
	char path[SDE_PATH_MAX];
	long long deadline = now_ms() + timeout_ms;
	int fd;

	if (sde_path(path, sizeof(path), "/sys/class/scsi_device/%s/device", hctl) < 0)
		return -ENAMETOOLONG;
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno != EWOULDBLOCK && errno != EINTR) {
			int e = errno;

			close(fd);
			return -e;
		}
		if (now_ms() >= deadline) {
			close(fd);
			return -ETIMEDOUT;
		}
		sleep_ms(5);
	}
	return fd;
}

static void apply_locked(struct apply_ctx *ctx, struct device *d, struct apply_item *it,
			 const char *hctl, int lockfd)
{
	const struct kfacts *kf = kernel_facts(ctx->k);
	char mod[HANDLER_NAME_MAX + 8];
	bool refused;
	int r;

	/* compare, then write: another run may have done it while we waited */
	if (!reassess(ctx, d, hctl, false)) {
		it->result = AR_VANISHED;
		return;
	}
	if (it->plan.action == A_DETACH ? !device_attached(d)
					: (device_attached(d) &&
					   str_eq(device_attached(d), it->handler))) {
		it->result = AR_ALREADY;
		plan_reason(&it->plan, "done meanwhile by another run");
		return;
	}

	if (it->plan.action == A_DETACH) {
		/*
		 * A kernel from 4.3 on refuses and logs a warning per write: with
		 * hundreds of LUNs that floods the log, so do not even ask it.
		 */
		if (kf->can_detach == 0 || ctx->refusal_seen) {
			it->result = AR_REFUSED;
			return;
		}
		/*
		 * One write. Before 4.3 it drops one reference (scsi_dh_handler_detach()
		 * is a kref_put()): when dm-multipath holds the handler too, it stays,
		 * and a second write would drop dm-multipath's reference.
		 */
		r = dh_write(hctl, "detach", ctx->p->timeout_ms, lockfd);
		if (r == -ETIMEDOUT)
			ctx->timeouts++;
		if (!reassess(ctx, d, hctl, false)) {
			it->result = AR_VANISHED;
		} else if (!device_attached(d)) {
			/* counted only when it was our write that did it */
			it->result = r == 0 ? AR_DONE : AR_ALREADY;
		} else if (r == -EINVAL) {
			/* refused: settles the question for the rest of the run */
			ctx->refusal_seen = true;
			it->result = AR_REFUSED;
		} else if (r == 0) {
			it->result = AR_HELD;
		} else {
			it->result = AR_FAILED;
			it->err = -r;
		}
		return;
	}

	r = dh_write(hctl, it->handler, ctx->p->timeout_ms, lockfd);
	if (r == -ETIMEDOUT)
		ctx->timeouts++;
	/*
	 * The handler's attach said no: -ENODEV (SCSI_DH_DEV_UNSUPP and the like,
	 * 4.3 on), or before 4.3 -EINVAL from a handler that is registered.
	 */
	snprintf(mod, sizeof(mod), "scsi_dh_%s", it->handler);
	refused = (r == -ENODEV && !device_deleted(hctl)) ||
		  (r == -EINVAL && kf->gen->detach && module_present(mod));
	if (!reassess(ctx, d, hctl, refused)) {
		it->result = AR_VANISHED;
		return;
	}
	if (device_attached(d) && str_eq(device_attached(d), it->handler)) {
		/* counted only when it was our write that did it */
		d->attach_refused = false;
		it->result = r == 0 ? AR_DONE : AR_ALREADY;
		return;
	}
	if (refused) {
		it->result = AR_DECLINED;
		it->err = -r;
		return;
	}
	d->attach_refused = false;
	it->result = AR_FAILED;
	it->err = r < 0 ? -r : EIO;
}

void apply_device(struct apply_ctx *ctx, struct device *d, struct apply_item *it)
{
	char hctl[HCTL_MAX];
	int lockfd;

	memset(it, 0, sizeof(*it));
	it->plan = d->as;
	if (it->plan.handler)
		str_copy(it->handler, sizeof(it->handler), it->plan.handler);
	it->plan.handler = it->handler[0] ? it->handler : NULL;
	if (it->plan.action == A_NONE) {
		it->result = AR_NOTHING;
		return;
	}
	if (ctx->dry_run) {
		it->result = AR_PLANNED;
		return;
	}
	if (ctx->timeouts >= MAX_WRITE_TIMEOUTS) {
		it->result = AR_FAILED;
		it->err = ETIMEDOUT;
		plan_reason(&it->plan, "not tried: %u writes timed out before", ctx->timeouts);
		return;
	}
	if (str_copy(hctl, sizeof(hctl), d->hctl) < 0) {
		it->result = AR_FAILED;
		it->err = ENAMETOOLONG;
		return;
	}
	lockfd = device_lock(hctl, ctx->p->timeout_ms);
	if (lockfd == -ENOENT) {
		it->result = AR_VANISHED;
		return;
	}
	if (lockfd < 0) {
		it->result = AR_FAILED;
		it->err = -lockfd;
		plan_reason(&it->plan, "cannot lock the device");
		return;
	}
	apply_locked(ctx, d, it, hctl, lockfd);
	close(lockfd);
}
