/* SPDX-License-Identifier: BSD-2-Clause */
/* fanout.h - every pftrace gets every event (fanout.c, docs/tracefan.md). */
#ifndef PFTRACE_FANOUT_H
#define PFTRACE_FANOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <linux/types.h>

#include "trace/trace.h"

#define TRACE_FAN_MAX 16      /* readers served by one hub */
#define TRACE_FAN_LOST 0xfe   /* record type: u64 events this client lost follow */

enum { TRACE_FAN_CLIENT = 0, TRACE_FAN_HUB = 1 };

struct trace_fanout {
	bool hub;
	int lock_fd;           /* TRACE_REG_DIR/ring-<id>/hub.lock (flock'ed by the hub) */
	int listen_fd;         /* hub */
	int client_fd;         /* client: the connection to the hub */
	int clients[TRACE_FAN_MAX];
	__u64 lost[TRACE_FAN_MAX]; /* not yet reported to that client */
	int nclients;
	char dir[96];
	char lock_path[128];
	char sock_path[108];
};

void trace_fanout_init(struct trace_fanout *f);
/* Become the hub of ring ring_id's readers or a client of it: returns
 * TRACE_FAN_HUB, TRACE_FAN_CLIENT or -errno.  Called again after the hub
 * went away (trace_fanout_recv -EPIPE). */
int trace_fanout_join(struct trace_fanout *f, __u32 ring_id);
/* Hub: take the readers waiting to connect. */
void trace_fanout_accept(struct trace_fanout *f);
/* Hub: one ring record to every client; a client that is full loses it. */
void trace_fanout_forward(struct trace_fanout *f, const void *rec, size_t size);
/* Hub: tell clients of the losses not yet reported, when they have room
 * (also with no new event to send: the losses of a burst reach them). */
void trace_fanout_flush(struct trace_fanout *f);
/* Client: one record into buf, -EAGAIN for none now, -EPIPE when the hub left. */
ssize_t trace_fanout_recv(struct trace_fanout *f, void *buf, size_t len);
void trace_fanout_close(struct trace_fanout *f);

#endif
