// SPDX-License-Identifier: BSD-2-Clause
/*
 * foreign.c - find the datapath where iproute2, not the loader, attached
 * it.  Such attachments leave no program pins, so `pfbpf-load status`
 * asks the kernel instead: the XDP program of each interface (netlink,
 * through bpf_xdp_query) and the bpf filters of its clsact hooks (an
 * RTM_GETTFILTER dump, since libbpf's bpf_tc_query needs the handle and
 * priority that iproute2 chose).
 */
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>

#include "lib/loader.h"
#include "lib/pfbpf_maps.h"

static const char *const datapath_names[] = { "pf_xdp", "pf_tc_in", "pf_tc_out" };

bool pfbpf_prog_is_datapath(__u32 prog_id, __u32 states_map_id)
{
	struct bpf_prog_info info = {};
	__u32 ids[64], len = sizeof(info);
	bool named = false, uses = false;
	int fd;

	if (!prog_id || !states_map_id)
		return false;
	fd = bpf_prog_get_fd_by_id(prog_id);
	if (fd < 0)
		return false;
	info.nr_map_ids = 64;
	info.map_ids = (__u64)(unsigned long)ids;
	if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
		close(fd);
		return false;
	}
	close(fd);
	for (size_t i = 0; i < sizeof(datapath_names) / sizeof(datapath_names[0]); i++)
		named |= !strcmp(info.name, datapath_names[i]);
	/* The name alone could be another copy of the object with its own
	 * maps: only one on our state table is our datapath. */
	for (__u32 i = 0; i < info.nr_map_ids && i < 64; i++)
		uses |= ids[i] == states_map_id;
	return named && uses;
}

/* Our program among one clsact hook's bpf filters: its id, or 0. */
static __u32 tc_hook_prog(int nl, unsigned int ifindex, __u32 parent, __u32 states_id)
{
	struct {
		struct nlmsghdr nh;
		struct tcmsg t;
	} req = {};
	static char buf[32768];
	__u32 found = 0;
	bool done = false;

	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct tcmsg));
	req.nh.nlmsg_type = RTM_GETTFILTER;
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.nh.nlmsg_seq = ifindex;
	req.t.tcm_family = AF_UNSPEC;
	req.t.tcm_ifindex = (int)ifindex;
	req.t.tcm_parent = parent;
	if (send(nl, &req, req.nh.nlmsg_len, 0) < 0)
		return 0;
	while (!done) {
		int n = (int)recv(nl, buf, sizeof(buf), 0);
		struct nlmsghdr *nh;

		if (n <= 0)
			break;
		for (nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, n); nh = NLMSG_NEXT(nh, n)) {
			struct tcmsg *t = NLMSG_DATA(nh);
			struct rtattr *a;
			int alen;
			bool bpf = false;
			__u32 id = 0;

			/* A hook without clsact answers with an error:
			 * nothing attached there. */
			if (nh->nlmsg_type == NLMSG_DONE || nh->nlmsg_type == NLMSG_ERROR) {
				done = true;
				break;
			}
			if (nh->nlmsg_type != RTM_NEWTFILTER)
				continue;
			alen = (int)NLMSG_PAYLOAD(nh, sizeof(*t));
			for (a = (struct rtattr *)((char *)t + NLMSG_ALIGN(sizeof(*t)));
			     RTA_OK(a, alen); a = RTA_NEXT(a, alen)) {
				if (a->rta_type == TCA_KIND)
					bpf = !strncmp(RTA_DATA(a), "bpf", RTA_PAYLOAD(a));
				if (a->rta_type == TCA_OPTIONS) {
					struct rtattr *o = RTA_DATA(a);
					int olen = (int)RTA_PAYLOAD(a);

					for (; RTA_OK(o, olen); o = RTA_NEXT(o, olen))
						if (o->rta_type == TCA_BPF_ID &&
						    RTA_PAYLOAD(o) >= sizeof(__u32))
							memcpy(&id, RTA_DATA(o), sizeof(id));
				}
			}
			if (bpf && !found && pfbpf_prog_is_datapath(id, states_id))
				found = id;
		}
	}
	return found;
}

static bool has_pins(const char *ifname)
{
	char path[PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", pfbpf_prog_pin_dir(), ifname);
	return !stat(path, &st) && S_ISDIR(st.st_mode);
}

int pfbpf_foreign_foreach(int states_fd,
			  int (*cb)(const struct pfbpf_foreign_attach *a, void *arg), void *arg)
{
	struct bpf_map_info minfo = {};
	__u32 mlen = sizeof(minfo);
	struct if_nameindex *ni, *p;
	int nl, ret = 0;

	if (states_fd < 0 || bpf_obj_get_info_by_fd(states_fd, &minfo, &mlen))
		return -ENOENT;
	ni = if_nameindex();
	if (!ni)
		return -errno;
	nl = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (nl < 0) {
		ret = -errno;
		if_freenameindex(ni);
		return ret;
	}
	for (p = ni; p->if_index && !ret; p++) {
		LIBBPF_OPTS(bpf_xdp_query_opts, q);
		struct pfbpf_foreign_attach a = {};

		/* The loader's own attachments are listed from its pins. */
		if (has_pins(p->if_name))
			continue;
		snprintf(a.ifname, sizeof(a.ifname), "%s", p->if_name);
		a.ifindex = p->if_index;
		if (!bpf_xdp_query((int)p->if_index, 0, &q)) {
			const __u32 ids[] = { q.drv_prog_id, q.skb_prog_id, q.hw_prog_id };
			const __u8 modes[] = { XDP_ATTACHED_DRV, XDP_ATTACHED_SKB, XDP_ATTACHED_HW };

			for (int i = 0; i < 3 && !a.xdp_id; i++)
				if (pfbpf_prog_is_datapath(ids[i], minfo.id)) {
					a.xdp_id = ids[i];
					a.xdp_mode = modes[i];
				}
		}
		a.tc_id[0] = tc_hook_prog(nl, p->if_index,
					  TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_INGRESS), minfo.id);
		a.tc_id[1] = tc_hook_prog(nl, p->if_index,
					  TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_EGRESS), minfo.id);
		if (a.xdp_id || a.tc_id[0] || a.tc_id[1])
			ret = cb(&a, arg);
	}
	close(nl);
	if_freenameindex(ni);
	return ret;
}
