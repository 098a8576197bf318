// SPDX-License-Identifier: BSD-2-Clause
/*
 * fanout.c - every pftrace gets every event (docs/tracefan.md).
 *
 * A BPF ring buffer has one consumer position: two readers would each get
 * part of the events.  So one pftrace reads the ring, the hub, and hands
 * each record on to the others over a unix SOCK_SEQPACKET socket, one
 * record per message; the datapath writes each event once however many
 * read it.  The hub is whoever holds the flock on TRACE_REG_DIR/<ring id>/
 * hub.lock; when it exits the lock is free and the clients race for it,
 * the winner reads the ring from then on and the others connect to it.
 *
 * A client that does not keep up loses events rather than hold up the
 * hub or the other clients: a send that would block is counted for that
 * client, and the count reaches it in a loss record (TRACE_FAN_LOST) as
 * soon as its socket has room again.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "trace/fanout.h"

static void fan_paths(struct trace_fanout *f, __u32 ring_id)
{
	snprintf(f->dir, sizeof(f->dir), "%s/ring-%u", TRACE_REG_DIR, ring_id);
	snprintf(f->lock_path, sizeof(f->lock_path), "%s/hub.lock", f->dir);
	snprintf(f->sock_path, sizeof(f->sock_path), "%s/hub.sock", f->dir);
}

static int fan_listen(struct trace_fanout *f)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	if (fd < 0)
		return -errno;
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", f->sock_path);
	/* a previous hub's socket: we hold the lock, so it is dead */
	unlink(f->sock_path);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) || listen(fd, 16)) {
		int e = -errno;

		close(fd);
		return e;
	}
	f->listen_fd = fd;
	return 0;
}

static int fan_connect(struct trace_fanout *f)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0), rcv = 4 << 20;

	if (fd < 0)
		return -errno;
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", f->sock_path);
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
	if (connect(fd, (struct sockaddr *)&a, sizeof(a))) {
		int e = -errno;

		close(fd);
		return e;
	}
	f->client_fd = fd;
	return 0;
}

void trace_fanout_init(struct trace_fanout *f)
{
	memset(f, 0, sizeof(*f));
	f->lock_fd = f->listen_fd = f->client_fd = -1;
}

int trace_fanout_join(struct trace_fanout *f, __u32 ring_id)
{
	int err, tries;

	if (f->lock_fd < 0) {
		fan_paths(f, ring_id);
		mkdir("/run/pfbpf", 0755);
		mkdir(TRACE_REG_DIR, 0755);
		mkdir(f->dir, 0700);
		f->lock_fd = open(f->lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
		if (f->lock_fd < 0)
			return -errno;
	}
	/* The lock's holder may be gone with its socket not yet listening
	 * (a hub starting, or one that just died): a few rounds settle it. */
	for (tries = 0; tries < 50; tries++) {
		if (!flock(f->lock_fd, LOCK_EX | LOCK_NB)) {
			if ((err = fan_listen(f)))
				return err;
			f->hub = true;
			return TRACE_FAN_HUB;
		}
		if (errno != EWOULDBLOCK)
			return -errno;
		if (!fan_connect(f))
			return TRACE_FAN_CLIENT;
		usleep(20000);
	}
	return -ETIMEDOUT;
}

/* A loss record: TRACE_FAN_LOST, then the count (host order). */
static int fan_send_lost(int fd, __u64 n)
{
	__u8 rec[1 + sizeof(n)] = { TRACE_FAN_LOST };

	memcpy(rec + 1, &n, sizeof(n));
	return send(fd, rec, sizeof(rec), MSG_DONTWAIT | MSG_NOSIGNAL) == (ssize_t)sizeof(rec) ? 0 : -1;
}

void trace_fanout_accept(struct trace_fanout *f)
{
	int fd, snd = 4 << 20;

	while (f->listen_fd >= 0 && (fd = accept4(f->listen_fd, NULL, NULL, SOCK_CLOEXEC)) >= 0) {
		if (f->nclients == TRACE_FAN_MAX) {
			close(fd);
			continue;
		}
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &snd, sizeof(snd));
		f->clients[f->nclients] = fd;
		f->lost[f->nclients] = 0;
		f->nclients++;
	}
}

static void fan_drop(struct trace_fanout *f, int i)
{
	close(f->clients[i]);
	f->nclients--;
	f->clients[i] = f->clients[f->nclients];
	f->lost[i] = f->lost[f->nclients];
}

void trace_fanout_flush(struct trace_fanout *f)
{
	for (int i = 0; i < f->nclients; i++)
		if (f->lost[i] && !fan_send_lost(f->clients[i], f->lost[i]))
			f->lost[i] = 0;
}

void trace_fanout_forward(struct trace_fanout *f, const void *rec, size_t size)
{
	for (int i = 0; i < f->nclients; i++) {
		int fd = f->clients[i];

		if (f->lost[i] && !fan_send_lost(fd, f->lost[i]))
			f->lost[i] = 0;
		if (f->lost[i] || send(fd, rec, size, MSG_DONTWAIT | MSG_NOSIGNAL) == (ssize_t)size) {
			if (f->lost[i])
				f->lost[i]++;
			continue;
		}
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS) {
			f->lost[i]++;
			continue;
		}
		/* gone (EPIPE, ECONNRESET) */
		fan_drop(f, i--);
	}
}

ssize_t trace_fanout_recv(struct trace_fanout *f, void *buf, size_t len)
{
	ssize_t n = recv(f->client_fd, buf, len, MSG_DONTWAIT);

	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
		/* the hub left: the caller joins again (maybe as the hub) */
		close(f->client_fd);
		f->client_fd = -1;
		return -EPIPE;
	}
	if (n < 0)
		return -EAGAIN;
	return n;
}

void trace_fanout_close(struct trace_fanout *f)
{
	while (f->nclients)
		fan_drop(f, 0);
	if (f->listen_fd >= 0) {
		close(f->listen_fd);
		unlink(f->sock_path);
	}
	if (f->client_fd >= 0)
		close(f->client_fd);
	if (f->lock_fd >= 0)
		close(f->lock_fd); /* releases the flock: a client takes over */
	trace_fanout_init(f);
}
