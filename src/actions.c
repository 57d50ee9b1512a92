// SPDX-License-Identifier: GPL-2.0-or-later
#include "actions.h"
#include "fileio.h"
#include "log.h"
#include "procpool.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
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
	struct reaper rp;
	struct child c;
	unsigned int a = 0, i;
	int pfd[2], devnull, fd;
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
	reaper_begin(&rp, REAP_PIDFD);
	/* own process group, so a timeout kills whatever it started */
	pid = child_spawn(&rp, &c, timeout_ms, true);
	if (pid < 0) {
		r = (int)pid;
		reaper_end(&rp);
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

		signal(SIGPIPE, SIG_DFL);
		/* the pipe blocks again for the writer; dup2 drops O_CLOEXEC */
		fcntl(pfd[1], F_SETFL, 0);
		if (dup2(devnull >= 0 ? devnull : pfd[1], STDOUT_FILENO) < 0 ||
		    dup2(pfd[1], STDERR_FILENO) < 0)
			_exit(127);
		execve(prog, (char *const *)argv, (char *const *)envp);
		_exit(127);
	}
	close(pfd[1]);
	if (devnull >= 0)
		close(devnull);
	memset(&said, 0, sizeof(said));
	fd = pfd[0];
	while (!c.ended) {
		/* output, or the child's end: whichever comes first; after EOF only wait */
		if (reaper_wait(&rp, &c, 1, fd, -1) && said_drain(fd, &said))
			fd = -1;
	}
	reaper_end(&rp);
	r = child_result(&c, status);
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
	unsigned long long ino = d->ino;
	unsigned char bar = d->detach_bar;

	if (device_read(d, hctl) < 0)
		return false;
	d->attach_refused = attach_refused;
	/* the sweep's facts stay with the device, not with a new one at its address */
	d->detach_bar = bar == DB_NO_LOCK || d->ino == ino ? bar : DB_NONE;
	plan_assess(ctx->p, kernel_facts(ctx->k), d, &d->as);
	return true;
}

/*
 * The device's lock, so that runs on one LUN at the same time (the sweep, and udev's
 * runs for hot-added LUNs) do not both write: flock(2) on its sysfs directory, held
 * while it is re-read, written and read back. Does not wait: the descriptor,
 * -EWOULDBLOCK while another run holds it, -ENOENT when the device is gone.
 */
static int device_trylock(const char *hctl)
{
	char path[SDE_PATH_MAX];
	int fd;

	if (sde_path(path, sizeof(path), "/sys/class/scsi_device/%s/device", hctl) < 0)
		return -ENAMETOOLONG;
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		int e = errno;

		if (e == EINTR)
			continue;
		close(fd);
		return e == EWOULDBLOCK ? -EWOULDBLOCK : -e;
	}
	return fd;
}

/*
 * One sweep's writes: at most p->write_jobs children, each writing one device's
 * dh_state and holding that device's lock (in the parent) until it is read back.
 */
struct write_job {
	unsigned int idx;	/* of the device */
	int lockfd;
	bool detach;
	char hctl[HCTL_MAX];
};

_Static_assert(WRITE_JOBS_MAX <= REAPER_MAX, "one reaper_wait() watches every write");

struct apply_run {
	struct apply_ctx *ctx;
	const struct inventory *inv;
	struct apply_item *items;
	unsigned int max;	/* children at most */
	unsigned int running;
	struct reaper rp;
	bool reaping;		/* rp begun */
	long long lock_deadline;	/* of the device waiting for its lock; 0 none */
	struct child kid[WRITE_JOBS_MAX];
	struct write_job job[WRITE_JOBS_MAX];
};

enum start { START_DONE, START_RUNNING, START_WAIT };

static void __attribute__((noreturn)) dh_write_child(const char *path, const char *value)
{
	size_t len = strlen(value);
	ssize_t w;
	int fd;

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

/*
 * Write value to the device's dh_state in a child, so that a write the kernel
 * blocks on (an attach sends commands to the LUN) cannot hold us past the
 * timeout. The child's exit status is 0 or the errno of the write; c watches
 * it. The pid, or -errno.
 */
static pid_t dh_write_fork(struct apply_run *run, const struct write_job *j, struct child *c,
			   const char *value)
{
	char path[SDE_PATH_MAX];
	unsigned int s;
	pid_t pid;

	if (sde_path(path, sizeof(path), "/sys/class/scsi_device/%s/device/dh_state",
		     j->hctl) < 0)
		return -ENAMETOOLONG;
	pid = child_spawn(&run->rp, c, run->ctx->p->timeout_ms, false);
	if (pid != 0)
		return pid;
	/* a child stuck in the kernel must not hold any device's lock, nor the sweep's */
	close(j->lockfd);
	if (run->ctx->sweep_lockfd >= 0)
		close(run->ctx->sweep_lockfd);
	for (s = 0; s < run->max; s++)
		if (run->kid[s].pid && !run->kid[s].ended)
			close(run->job[s].lockfd);
	dh_write_child(path, value);
}

/* What the write gave, read back: fills it. r is 0, -errno of the write, -ETIMEDOUT. */
static void write_done(struct apply_ctx *ctx, struct device *d, struct apply_item *it,
		       const char *hctl, bool detach, int r)
{
	const struct kfacts *kf = kernel_facts(ctx->k);
	char mod[HANDLER_NAME_MAX + 8];
	bool refused;

	if (r == -ETIMEDOUT)
		ctx->timeouts++;
	if (detach) {
		if (r == 0)
			ctx->detach_taken = true;
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
	/*
	 * The handler's attach said no: -ENODEV (SCSI_DH_DEV_UNSUPP and the like,
	 * 4.3 on), or before 4.3 -EINVAL from a handler that is registered.
	 */
	snprintf(mod, sizeof(mod), "scsi_dh_%s", it->plan.handler);
	refused = (r == -ENODEV && !device_deleted(hctl)) ||
		  (r == -EINVAL && kf->gen->detach && module_present(mod));
	if (!reassess(ctx, d, hctl, refused)) {
		it->result = AR_VANISHED;
		return;
	}
	if (device_attached(d) && str_eq(device_attached(d), it->plan.handler)) {
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

/* A detach of this run is being written, and nothing has told us yet if the kernel takes it. */
static bool detach_unsettled(const struct apply_run *run)
{
	const struct apply_ctx *ctx = run->ctx;
	unsigned int s;

	if (kernel_facts(ctx->k)->can_detach == 1 || ctx->detach_taken || ctx->refusal_seen)
		return false;
	for (s = 0; s < run->max; s++)
		if (run->kid[s].pid && run->job[s].detach)
			return true;
	return false;
}

/*
 * Begin device i's action: START_DONE when it needs no write or is finished
 * already, START_RUNNING when its write is in flight, START_WAIT when it must
 * wait for a write in flight (its lock held by another run, or an unsettled detach).
 */
static enum start start_one(struct apply_run *run, unsigned int i)
{
	struct apply_ctx *ctx = run->ctx;
	const struct kfacts *kf = kernel_facts(ctx->k);
	struct device *d = &run->inv->dev[i];
	struct apply_item *it = &run->items[i];
	struct write_job *j = NULL;
	unsigned int s;
	pid_t pid;
	int lockfd;

	memset(it, 0, sizeof(*it));
	it->dh_state = d->dh_state;
	it->plan.handler = "";
	if (d->vanished) {
		it->result = AR_VANISHED;
		plan_reason(&it->plan, "no such device");
		return START_DONE;
	}
	it->plan = d->as;
	if (!it->plan.handler)
		it->plan.handler = "";
	if (it->plan.action == A_NONE) {
		it->result = AR_NOTHING;
		return START_DONE;
	}
	if (ctx->dry_run) {
		it->result = AR_PLANNED;
		return START_DONE;
	}
	if (ctx->timeouts >= MAX_WRITE_TIMEOUTS) {
		it->result = AR_FAILED;
		it->err = ETIMEDOUT;
		plan_reason(&it->plan, "not tried: %u writes timed out before", ctx->timeouts);
		return START_DONE;
	}
	/*
	 * Whether this kernel detaches is learnt from the first detach written: no
	 * second one starts before it, so that a kernel from 4.3 on sees one.
	 */
	if (it->plan.action == A_DETACH && detach_unsettled(run))
		return START_WAIT;
	for (s = 0; s < run->max && !j; s++)
		if (!run->kid[s].pid)
			j = &run->job[s];
	if (!j)
		return START_WAIT;
	if (str_copy(j->hctl, sizeof(j->hctl), d->hctl) < 0) {
		it->result = AR_FAILED;
		it->err = ENAMETOOLONG;
		return START_DONE;
	}
	lockfd = device_trylock(j->hctl);
	if (lockfd == -EWOULDBLOCK) {
		long long now = now_ms();

		if (!run->lock_deadline)
			run->lock_deadline = now + ctx->p->timeout_ms;
		if (now < run->lock_deadline)
			return START_WAIT;
		lockfd = -ETIMEDOUT;
	}
	run->lock_deadline = 0;
	if (lockfd == -ENOENT) {
		it->result = AR_VANISHED;
		return START_DONE;
	}
	if (lockfd < 0) {
		it->result = AR_FAILED;
		it->err = -lockfd;
		plan_reason(&it->plan, "cannot lock the device");
		return START_DONE;
	}

	/* compare, then write: another run may have done it while we waited */
	if (!reassess(ctx, d, j->hctl, false)) {
		it->result = AR_VANISHED;
		close(lockfd);
		return START_DONE;
	}
	if (it->plan.action == A_DETACH ? !device_attached(d)
					: (device_attached(d) &&
					   str_eq(device_attached(d), it->plan.handler))) {
		it->result = AR_ALREADY;
		plan_reason(&it->plan, "done meanwhile by another run");
		close(lockfd);
		return START_DONE;
	}
	/*
	 * A kernel from 4.3 on refuses a detach and logs a warning per write: with
	 * hundreds of LUNs that floods the log, so do not even ask it. Before 4.3 one
	 * write drops one reference (scsi_dh_handler_detach() is a kref_put()): when
	 * dm-multipath holds the handler too, it stays, and a second write would drop
	 * dm-multipath's reference.
	 */
	if (it->plan.action == A_DETACH && (kf->can_detach == 0 || ctx->refusal_seen)) {
		it->result = AR_REFUSED;
		close(lockfd);
		return START_DONE;
	}

	j->idx = i;
	j->lockfd = lockfd;
	j->detach = it->plan.action == A_DETACH;
	if (!run->reaping) {
		reaper_begin(&run->rp, REAP_PIDFD);
		run->reaping = true;
	}
	pid = dh_write_fork(run, j, &run->kid[j - run->job],
			    j->detach ? "detach" : it->plan.handler);
	if (pid < 0) {
		write_done(ctx, d, it, j->hctl, j->detach, (int)pid);
		close(lockfd);
		return START_DONE;
	}
	it->written = true;
	run->running++;
	return START_RUNNING;
}

/* Read back the devices whose writes ended, and let their locks go. */
static void finish_ended(struct apply_run *run)
{
	unsigned int s;

	for (s = 0; s < run->max; s++) {
		struct child *c = &run->kid[s];
		struct write_job *j = &run->job[s];
		int status = 0, r;

		if (!c->pid || !c->ended)
			continue;
		r = child_result(c, &status);
		if (r == 0)
			r = WIFEXITED(status) ? -WEXITSTATUS(status) : -EINTR;
		write_done(run->ctx, &run->inv->dev[j->idx], &run->items[j->idx], j->hctl,
			   j->detach, r);
		close(j->lockfd);
		child_release(c);
		run->running--;
	}
}

static bool in_flight(const struct apply_run *run, unsigned int i)
{
	unsigned int s;

	for (s = 0; s < run->max; s++)
		if (run->kid[s].pid && run->job[s].idx == i)
			return true;
	return false;
}

int apply_inventory(struct apply_ctx *ctx, const struct inventory *inv, struct apply_item *items,
		    apply_shown_fn *shown, void *arg)
{
	struct apply_run *run;
	unsigned int next = 0, done = 0;

	run = calloc(1, sizeof(*run));
	if (!run)
		return -ENOMEM;
	run->max = ctx->p->write_jobs;
	if (run->max < 1)
		run->max = 1;
	if (run->max > WRITE_JOBS_MAX)
		run->max = WRITE_JOBS_MAX;
	run->ctx = ctx;
	run->inv = inv;
	run->items = items;

	while (done < inv->n) {
		enum start st = START_DONE;

		while (next < inv->n && (st = start_one(run, next)) != START_WAIT) {
			/* a lock waited for belongs to the device that waited */
			run->lock_deadline = 0;
			next++;
		}
		/* in inventory order, as soon as a device and all before it are done */
		while (done < next && !in_flight(run, done)) {
			if (shown)
				shown(arg, &inv->dev[done], &items[done]);
			done++;
		}
		if (done == inv->n)
			break;
		if (run->running) {
			/* waiting for a lock: look again every 5 ms meanwhile */
			reaper_wait(&run->rp, run->kid, run->max, -1,
				    st == START_WAIT && run->lock_deadline ? 5 : -1);
			finish_ended(run);
		} else {
			/* only another run's lock can hold us here */
			sleep_ms(5);
		}
	}
	if (run->reaping)
		reaper_end(&run->rp);
	free(run);
	return 0;
}
