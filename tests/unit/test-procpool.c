// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The process pool: real children, reaped, timed out and killed, in each of the
 * three ways of waiting (pidfd, SIGCHLD through a signalfd, looking in steps).
 */
#include "unit.h"
#include "procpool.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

static const enum reap_mode modes[] = { REAP_PIDFD, REAP_SIGNALFD, REAP_STEPS };

/* Bounds of a wait, wide: the machine may be busy. */
#define SLACK_MS 3000

/* The child's side: sleep, then leave with code (a negative code: that signal). */
static void __attribute__((noreturn)) child_body(long sleep_for, int code)
{
	if (sleep_for > 0)
		sleep_ms(sleep_for);
	if (code < 0)
		raise(-code);
	_exit(code < 0 ? 99 : code);
}

/* After a failed check: no child of a test outlives it. */
static void kill_left(struct child *cs, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (!cs[i].pid || cs[i].exited)
			continue;
		kill(cs[i].group ? -cs[i].pid : cs[i].pid, SIGKILL);
		waitpid(cs[i].pid, NULL, 0);
	}
}

static bool begin(struct reaper *r, enum reap_mode m)
{
	reaper_begin(r, m);
	/* a kernel without pidfd_open() gets the next way; the others are as asked */
	if (m != REAP_PIDFD && r->mode != m) {
		printf("# reaper_begin(%d) gave mode %d\n", (int)m, (int)r->mode);
		reaper_end(r);
		return false;
	}
	return true;
}

/* body with a reaper of each way of waiting in turn; its children ended or killed */
static void in_each_mode(void (*body)(struct reaper *r))
{
	unsigned int m;

	for (m = 0; m < ARRAY_SIZE(modes); m++) {
		struct reaper r;

		if (!begin(&r, modes[m])) {
			CHECK(0);
			continue;
		}
		body(&r);
		reaper_end(&r);
	}
}

/* the unit test NAME: NAME_in() in each way of waiting */
#define IN_EACH_MODE(name)               \
	static void name(void)           \
	{                                \
		in_each_mode(name##_in); \
	}

/* Wait until every child of cs[0..n) has ended, at most limit_ms. */
static bool wait_all(struct reaper *r, struct child *cs, unsigned int n, long long limit_ms)
{
	long long end = now_ms() + limit_ms;

	for (;;) {
		unsigned int i, left = 0;

		for (i = 0; i < n; i++)
			if (cs[i].pid && !cs[i].ended)
				left++;
		if (!left)
			return true;
		if (now_ms() > end)
			return false;
		reaper_wait(r, cs, n, -1, -1);
	}
}

static void exits_with_status_in(struct reaper *r)
{
	struct child c, s;
	int status = -1;
	pid_t pid;

	pid = child_spawn(r, &c, 10000, false);
	if (pid == 0)
		child_body(0, 7);
	CHECK(pid > 0);
	CHECK(c.pid == pid && !c.ended && !c.killed);
	CHECK(wait_all(r, &c, 1, SLACK_MS));
	CHECK(c.exited && !c.killed && c.pidfd == -1);
	CHECK(child_result(&c, &status) == 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 7);

	/* killed by a signal of its own: the wait status says which */
	pid = child_spawn(r, &s, 10000, false);
	if (pid == 0)
		child_body(20, -SIGTERM);
	CHECK(wait_all(r, &s, 1, SLACK_MS));
	CHECK(child_result(&s, &status) == 0);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM);
	/* reaped: no zombie left behind */
	CHECK(waitpid(pid, &status, WNOHANG) < 0 && errno == ECHILD);
	kill_left(&c, 1);
}

IN_EACH_MODE(exits_with_status)

static void killed_at_time_limit_in(struct reaper *r)
{
	struct child c;
	long long t0, took;
	int status = 0;
	pid_t pid;

	t0 = now_ms();
	pid = child_spawn(r, &c, 150, false);
	if (pid == 0)
		child_body(60000, 0);
	CHECK(pid > 0);
	CHECK(wait_all(r, &c, 1, SLACK_MS));
	took = now_ms() - t0;
	CHECK(c.killed);
	CHECK(child_result(&c, &status) == -ETIMEDOUT);
	/* SIGKILL at the deadline, reaped at once, not after the grace period */
	CHECK(c.exited && WIFSIGNALED(c.status) && WTERMSIG(c.status) == SIGKILL);
	CHECK(took >= 150);
	CHECK(took < 150 + SLACK_MS);
	kill_left(&c, 1);
}

IN_EACH_MODE(killed_at_time_limit)

/* group: the time limit kills what the child started too (a grandchild holding a pipe) */
static void group_killed_whole_in(struct reaper *r)
{
	struct child c;
	int pfd[2], status = 0;
	char b;
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC) < 0) {
		CHECK(0);
		return;
	}
	pid = child_spawn(r, &c, 100, true);
	if (pid == 0) {
		close(pfd[0]);
		if (fork() == 0)
			child_body(60000, 0);	/* the grandchild, with the write end */
		child_body(60000, 0);
	}
	close(pfd[1]);
	CHECK(pid > 0 && getpgid(pid) == pid);
	CHECK(wait_all(r, &c, 1, SLACK_MS));
	CHECK(child_result(&c, &status) == -ETIMEDOUT);
	/* end of file: no one of the group holds the write end any more */
	CHECK(poll(&(struct pollfd){ .fd = pfd[0], .events = POLLIN }, 1, SLACK_MS) == 1);
	CHECK(read(pfd[0], &b, 1) == 0);
	close(pfd[0]);
	/* a grandchild that survived a failed check */
	kill(-pid, SIGKILL);
	kill_left(&c, 1);
}

IN_EACH_MODE(group_killed_whole)

/* each child's sleep and exit code; the last one outlives its time limit */
static const struct {
	long sleep_for;
	int code;
	unsigned int limit_ms;
} plan[] = {
	{ 0, 0, 10000 },   { 600, 1, 10000 }, { 600, 2, 10000 }, { 600, 3, 10000 },
	{ 600, 4, 10000 }, { 600, 5, 10000 }, { 1200, 6, 10000 }, { 60000, 0, 400 },
};

static void several_at_once_in(struct reaper *r)
{
	struct child cs[ARRAY_SIZE(plan)];
	long long t0, took;
	bool first_alone = false;
	unsigned int i;

	t0 = now_ms();
	for (i = 0; i < ARRAY_SIZE(plan); i++) {
		pid_t pid = child_spawn(r, &cs[i], plan[i].limit_ms, false);

		if (pid == 0)
			child_body(plan[i].sleep_for, plan[i].code);
		CHECK(pid > 0);
	}
	/* each is reaped as it exits: the quick one long before the slow ones */
	while (!cs[0].ended && now_ms() - t0 < SLACK_MS)
		reaper_wait(r, cs, ARRAY_SIZE(cs), -1, -1);
	first_alone = cs[0].ended && !cs[6].ended && !cs[7].ended;
	CHECK(first_alone);
	CHECK(wait_all(r, cs, ARRAY_SIZE(cs), 2LL * SLACK_MS));
	took = now_ms() - t0;
	for (i = 0; i + 1 < ARRAY_SIZE(plan); i++) {
		int status = -1;

		CHECK(child_result(&cs[i], &status) == 0);
		CHECK(WIFEXITED(status) && WEXITSTATUS(status) == plan[i].code);
	}
	CHECK(child_result(&cs[i], &(int){ 0 }) == -ETIMEDOUT);
	/* at the same time: the longest of them, not their sum (4,600 ms) */
	CHECK(took >= 1200);
	CHECK(took < 3500);
	kill_left(cs, ARRAY_SIZE(cs));
}

IN_EACH_MODE(several_at_once)

/* reaper_wait() returns for a readable descriptor, and after cap_ms */
static void wakes_for_fd_and_cap_in(struct reaper *r)
{
	struct child c = { 0 };
	int pfd[2], status = 0;
	long long t0;
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC) < 0) {
		CHECK(0);
		return;
	}
	/* nothing to read, no child: back after cap_ms (a look, in steps) */
	t0 = now_ms();
	CHECK(!reaper_wait(r, &c, 0, pfd[0], 50));
	CHECK(now_ms() - t0 >= (r->mode == REAP_STEPS ? 10 : 50));
	CHECK(now_ms() - t0 < 50 + SLACK_MS);
	pid = child_spawn(r, &c, 10000, false);
	if (pid == 0) {
		if (write(pfd[1], "x", 1) != 1)
			_exit(98);
		child_body(500, 0);
	}
	close(pfd[1]);
	/* the output first, while the child still runs */
	CHECK(reaper_wait(r, &c, 1, pfd[0], -1));
	CHECK(!c.ended);
	CHECK(wait_all(r, &c, 1, SLACK_MS));
	CHECK(child_result(&c, &status) == 0 && WIFEXITED(status));
	close(pfd[0]);
	kill_left(&c, 1);
}

IN_EACH_MODE(wakes_for_fd_and_cap)

/* A child reaped behind the pool's back: ended, its status lost (-ECHILD). */
static void lost_child_in(struct reaper *r)
{
	struct child c;
	int status = 0;
	pid_t pid;

	pid = child_spawn(r, &c, 10000, false);
	if (pid == 0)
		child_body(0, 3);
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(wait_all(r, &c, 1, SLACK_MS));
	CHECK(!c.exited);
	CHECK(child_result(&c, &status) == -ECHILD);
	child_release(&c);
	CHECK(c.pid == 0 && c.pidfd == -1 && !c.ended);
}

IN_EACH_MODE(lost_child)

/*
 * An inherited SIG_IGN for SIGCHLD would have the kernel reap the children and
 * drop their status: the pool sets SIG_DFL while it runs, then puts back the
 * action and the signal mask it found.
 */
static void signals_restored(void)
{
	unsigned int m;

	for (m = 0; m < ARRAY_SIZE(modes); m++) {
		struct sigaction ign = { .sa_handler = SIG_IGN }, old, now;
		sigset_t mask;
		struct reaper r;
		struct child c;
		int status = 0;
		pid_t pid;

		sigemptyset(&ign.sa_mask);
		sigaction(SIGCHLD, &ign, &old);
		if (!begin(&r, modes[m])) {
			CHECK(0);
			sigaction(SIGCHLD, &old, NULL);
			continue;
		}
		pid = child_spawn(&r, &c, 10000, false);
		if (pid == 0) {
			/* the child starts with the mask as it was */
			sigprocmask(SIG_SETMASK, NULL, &mask);
			_exit(sigismember(&mask, SIGCHLD) ? 1 : 5);
		}
		CHECK(wait_all(&r, &c, 1, SLACK_MS));
		CHECK(child_result(&c, &status) == 0);
		CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 5);
		reaper_end(&r);
		sigaction(SIGCHLD, &old, &now);
		CHECK(now.sa_handler == SIG_IGN);
		sigprocmask(SIG_SETMASK, NULL, &mask);
		CHECK(!sigismember(&mask, SIGCHLD));
	}
}

const struct unit_test procpool_tests[] = {
	{ "procpool: a child that exits is reaped with its wait status", exits_with_status },
	{ "procpool: a child past its time limit is killed and reaped", killed_at_time_limit },
	{ "procpool: a process group is killed whole at its time limit", group_killed_whole },
	{ "procpool: eight children at once, each reaped as it exits", several_at_once },
	{ "procpool: the wait wakes for a readable descriptor and after its cap",
	  wakes_for_fd_and_cap },
	{ "procpool: a child reaped by someone else is lost, not waited for", lost_child },
	{ "procpool: SIGCHLD's action and mask put back, an inherited SIG_IGN loses nothing",
	  signals_restored },
	{ NULL, NULL },
};
