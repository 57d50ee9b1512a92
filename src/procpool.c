// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Waiting for children without polling. pidfd_open() (Linux 5.3: kernel/pid.c)
 * gives a descriptor that poll() reports readable once the child has exited
 * (kernel/fork.c, pidfd_poll()). Kernels before it (RHEL 7's 3.10, RHEL 8's
 * 4.18) answer ENOSYS: there SIGCHLD, blocked while we wait and read from a
 * signalfd (Linux 2.6.22), wakes the same poll(). A signal says only that some
 * child changed, so each child is then asked with waitpid(WNOHANG). Without
 * either (no descriptor left), the wait looks every REAP_STEP_MS.
 */
#include "procpool.h"
#include "log.h"
#include "util.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define REAP_STEP_MS 10
#define REAP_GRACE_MS 500	/* after SIGKILL, for the child to die */

static int sys_pidfd_open(pid_t pid)
{
#ifdef SYS_pidfd_open
	long fd = syscall(SYS_pidfd_open, pid, 0);

	return fd < 0 ? -errno : (int)fd;
#else
	(void)pid;
	return -ENOSYS;
#endif
}

void reaper_begin(struct reaper *r, enum reap_mode best)
{
	struct sigaction dfl;
	sigset_t chld;
	int fd = -ENOSYS;

	memset(r, 0, sizeof(*r));
	r->sigfd = -1;
	/* SIG_IGN, inherited, would have the kernel reap them and drop their status */
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	sigemptyset(&dfl.sa_mask);
	sigaction(SIGCHLD, &dfl, &r->oldchld);

	if (best == REAP_PIDFD) {
		fd = sys_pidfd_open(getpid());
		if (fd >= 0) {
			close(fd);
			r->mode = REAP_PIDFD;
			return;
		}
	}
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	if (best <= REAP_SIGNALFD && sigprocmask(SIG_BLOCK, &chld, &r->oldmask) == 0) {
		r->masked = true;
		r->sigfd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
	}
	r->mode = r->sigfd >= 0 ? REAP_SIGNALFD : REAP_STEPS;
	if (best == REAP_PIDFD)
		log_msg(SDE_DEBUG, "pidfd_open: %s: waiting for children with %s", strerror(-fd),
			r->mode == REAP_SIGNALFD ? "SIGCHLD" : "a look every 10 ms");
}

void reaper_end(struct reaper *r)
{
	if (r->sigfd >= 0)
		close(r->sigfd);
	/* a SIGCHLD still pending is discarded while the action is SIG_DFL */
	if (r->masked)
		sigprocmask(SIG_SETMASK, &r->oldmask, NULL);
	sigaction(SIGCHLD, &r->oldchld, NULL);
	r->sigfd = -1;
	r->masked = false;
}

/* Just after fork() in the parent. */
static void child_watch(const struct reaper *r, struct child *c, pid_t pid,
			unsigned int timeout_ms, bool group)
{
	memset(c, 0, sizeof(*c));
	c->pid = pid;
	c->group = group;
	c->deadline = now_ms() + timeout_ms;
	/* a child that exited already is a zombie until reaped: its pidfd is readable */
	c->pidfd = r->mode == REAP_PIDFD ? sys_pidfd_open(pid) : -1;
	if (c->pidfd < 0)
		c->pidfd = -1;
}

static void child_end(struct child *c)
{
	c->ended = true;
	if (c->pidfd >= 0)
		close(c->pidfd);
	c->pidfd = -1;
}

/* Reap c if it exited; kill it or leave it behind at its deadline. */
static void child_check(struct child *c, long long now)
{
	pid_t w = waitpid(c->pid, &c->status, WNOHANG);

	if (w == c->pid) {
		c->exited = true;
		child_end(c);
		return;
	}
	if (w < 0 && errno == ECHILD) {
		/* reaped by someone else: its status is lost */
		child_end(c);
		return;
	}
	if (now < c->deadline)
		return;
	if (!c->killed) {
		kill(c->group ? -c->pid : c->pid, SIGKILL);
		c->killed = true;
		c->deadline = now + REAP_GRACE_MS;
		return;
	}
	child_end(c);
}

pid_t child_spawn(const struct reaper *r, struct child *c, unsigned int timeout_ms, bool group)
{
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (pid == 0) {
		if (group)
			setpgid(0, 0);
		/* the signal mask as it was before reaper_begin() */
		if (r->masked)
			sigprocmask(SIG_SETMASK, &r->oldmask, NULL);
		return 0;
	}
	/* in both: whichever runs first, the group exists before anyone signals it */
	if (group)
		setpgid(pid, pid);
	child_watch(r, c, pid, timeout_ms, group);
	return pid;
}

int child_result(const struct child *c, int *status)
{
	*status = c->status;
	if (c->killed)
		return -ETIMEDOUT;
	return c->exited ? 0 : -ECHILD;
}

bool reaper_wait(struct reaper *r, struct child *cs, unsigned int n, int fd, int cap_ms)
{
	struct pollfd pfd[REAPER_MAX + 2];
	int who[REAPER_MAX + 2];
	bool quiet[REAPER_MAX] = { false };
	unsigned int np = 0, i;
	long long now = now_ms(), next = -1;
	bool steps = r->mode == REAP_STEPS, fd_ready = false;
	int timeout;

	for (i = 0; i < n && np < REAPER_MAX; i++) {
		struct child *c = &cs[i];

		if (!c->pid || c->ended)
			continue;
		if (next < 0 || c->deadline < next)
			next = c->deadline;
		if (c->pidfd >= 0) {
			pfd[np] = (struct pollfd){ .fd = c->pidfd, .events = POLLIN };
			who[np++] = (int)i;
		} else if (r->mode == REAP_PIDFD) {
			steps = true;
		}
	}
	if (r->sigfd >= 0) {
		pfd[np] = (struct pollfd){ .fd = r->sigfd, .events = POLLIN };
		who[np++] = -1;
	}
	if (fd >= 0) {
		pfd[np] = (struct pollfd){ .fd = fd, .events = POLLIN };
		who[np++] = -2;
	}
	if (next < 0)
		timeout = -1;
	else if (next <= now)
		timeout = 0;
	else
		timeout = next - now > INT_MAX ? INT_MAX : (int)(next - now);
	if (steps && (timeout < 0 || timeout > REAP_STEP_MS))
		timeout = REAP_STEP_MS;
	if (cap_ms >= 0 && (timeout < 0 || timeout > cap_ms))
		timeout = cap_ms;
	if (poll(pfd, np, timeout) < 0) {
		if (errno != EINTR)
			sleep_ms(REAP_STEP_MS);
		for (i = 0; i < np; i++)
			pfd[i].revents = 0;
	}

	now = now_ms();
	for (i = 0; i < np; i++) {
		if (who[i] == -2 && pfd[i].revents)
			fd_ready = true;
		if (who[i] == -1 && pfd[i].revents) {
			struct signalfd_siginfo si[8];

			while (read(r->sigfd, si, sizeof(si)) > 0)
				;
		}
		/* a pidfd that says nothing: no need to ask, unless the deadline is due */
		if (who[i] >= 0 && !pfd[i].revents && now < cs[who[i]].deadline)
			quiet[who[i]] = true;
	}
	for (i = 0; i < n && i < REAPER_MAX; i++)
		if (cs[i].pid && !cs[i].ended && !quiet[i])
			child_check(&cs[i], now);
	return fd_ready;
}

void child_release(struct child *c)
{
	if (c->pidfd >= 0)
		close(c->pidfd);
	memset(c, 0, sizeof(*c));
	c->pidfd = -1;
}
