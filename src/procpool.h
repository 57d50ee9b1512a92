/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef SDE_PROCPOOL_H
#define SDE_PROCPOOL_H

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

/*
 * Children with a time limit, waited for without polling: a reaper watches up
 * to REAPER_MAX of them at once, reaps each as it exits and kills each that
 * reaches its deadline.
 *
 * How it learns that a child exited: REAP_PIDFD, a pidfd per child (Linux
 * 5.3); REAP_SIGNALFD, SIGCHLD read from a signalfd (kernels without
 * pidfd_open(): RHEL 7, RHEL 8); REAP_STEPS, a look every few milliseconds
 * (no descriptor left). Each is a fallback for the one before.
 */
enum reap_mode { REAP_PIDFD, REAP_SIGNALFD, REAP_STEPS };

/* Children one reaper_wait() watches at the most. */
#define REAPER_MAX 64

struct reaper {
	enum reap_mode mode;
	int sigfd;
	bool masked;		/* SIGCHLD blocked by us: oldmask to restore */
	sigset_t oldmask;
	struct sigaction oldchld;
};

/*
 * One child with a time limit. At its deadline it is killed (its process group
 * when group is set) and given a grace period more; a child that does not die
 * even then (stuck in the kernel) is left behind rather than waited for.
 * pid 0 is a free slot; ended says that nothing more will be learnt of it.
 */
struct child {
	pid_t pid;		/* 0: none */
	int pidfd;		/* -1: none */
	long long deadline;
	bool group;
	bool killed;		/* timed out */
	bool exited;		/* reaped: status holds its wait status */
	bool ended;		/* exited, or left behind */
	int status;
};

/*
 * Before the first fork: the children's exits must not be lost or reaped by
 * others. best is the first way to try (REAP_PIDFD; the others for tests).
 * reaper_end() puts SIGCHLD's action and mask back as they were.
 */
void reaper_begin(struct reaper *r, enum reap_mode best);
void reaper_end(struct reaper *r);

/*
 * fork() a child that c watches, with timeout_ms to finish; in a process group
 * of its own when group is set, so that a timeout kills whatever it started.
 * In the child 0, with the signal mask as before reaper_begin(); in the parent
 * the pid, or -errno when no child was made (c is then left as it was).
 */
pid_t child_spawn(const struct reaper *r, struct child *c, unsigned int timeout_ms,
		  bool group);

/*
 * Sleep until a child of cs[0..n) (those with a pid that have not ended) exits
 * or reaches its deadline, fd (-1: none) has something to read, or cap_ms (-1:
 * none) has passed; then reap and kill as due. True when fd is readable.
 */
bool reaper_wait(struct reaper *r, struct child *cs, unsigned int n, int fd, int cap_ms);

/* A child's result: 0 with its wait *status, -ETIMEDOUT when it was killed, -ECHILD if lost. */
int child_result(const struct child *c, int *status);

/* Make c a free slot again, once its result is taken. */
void child_release(struct child *c);

#endif
