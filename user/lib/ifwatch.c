// SPDX-License-Identifier: BSD-2-Clause
/*
 * ifwatch.c - wait for interface address changes (rtnetlink's IPv4 and
 * IPv6 address groups) and call back once per burst: an address change
 * usually comes as several messages (the address, its route, the other
 * family), and one recompile of the ruleset is enough for all of them.
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "lib/ifwatch.h"

/* Messages closer together than this count as one change. */
#define IFWATCH_QUIET_MS 200

static int ifwatch_socket(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK,
				  .nl_groups = RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR };
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);

	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		int e = -errno;

		close(fd);
		return e;
	}
	return fd;
}

/* Read what is waiting; 1 if an address was added or removed. */
static int ifwatch_drain(int fd)
{
	char buf[8192];
	int changed = 0;
	ssize_t n;

	while ((n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n);
		     h = NLMSG_NEXT(h, n))
			if (h->nlmsg_type == RTM_NEWADDR || h->nlmsg_type == RTM_DELADDR)
				changed = 1;
	}
	/* ENOBUFS: messages were lost, so something changed */
	if (n < 0 && errno == ENOBUFS)
		changed = 1;
	return changed;
}

int pfbpf_ifwatch(int (*changed)(void *arg), void *arg, volatile sig_atomic_t *stop)
{
	struct pollfd p = { .events = POLLIN };
	int fd = ifwatch_socket(), pending = 0, r;

	if (fd < 0)
		return fd;
	p.fd = fd;
	while (!*stop) {
		r = poll(&p, 1, pending ? IFWATCH_QUIET_MS : 1000);
		if (r < 0 && errno != EINTR) {
			r = -errno;
			close(fd);
			return r;
		}
		if (r > 0) {
			pending |= ifwatch_drain(fd);
			continue;
		}
		if (pending) {
			pending = 0;
			if ((r = changed(arg)) < 0) {
				close(fd);
				return r;
			}
		}
	}
	close(fd);
	return 0;
}
