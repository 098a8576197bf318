// SPDX-License-Identifier: BSD-2-Clause
/*
 * hook_choice.c - choose XDP or tc ingress for an interface from what it is
 * (hook_choice.h says why it matters).  The facts come from three places,
 * none of which needs /sys to belong to our network namespace (tools run
 * under nsenter, which leaves the host's sysfs in place):
 *   - rtnetlink RTM_GETLINK: IFLA_INFO_KIND (only software links have one),
 *     IFLA_PARENT_DEV_BUS_NAME (the bus of the device behind the link),
 *     IFF_LOOPBACK;
 *   - the ETHTOOL_GDRVINFO ioctl: the driver's name;
 *   - /sys/class/net/IF/device, only when the kernel is too old to send
 *     the parent device and sysfs shows this interface at all.
 */
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/ethtool.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sockios.h>

#include "lib/hook_choice.h"

/*
 * Drivers of software links, for a kernel that gives no IFLA_INFO_KIND
 * for them (or a link made without rtnetlink, as tun once was).
 */
static const char *const virtual_drivers[] = {
	"veth", "bridge", "tun", "vxlan", "geneve", "wireguard", "macvlan", "ipvlan",
	"dummy", "bonding", "team", "802.1Q VLAN Support", "ifb", "vrf", "macsec",
	"openvswitch", "gre", "ipip", "sit", "ip6_gre", "ip6_tunnel", "vcan", "nlmon",
};

/*
 * Paravirtual NICs have a bus device, but their native XDP is dear: virtio_net
 * switches the host's large-receive offloads (guest TSO/UFO) off while an
 * XDP program is attached, so the guest's stack gets 1,500-byte frames
 * where it got 64 KiB ones.  tc ingress keeps them.
 */
static const char *const paravirtual_drivers[] = {
	"virtio_net",
};

static bool in_list(const char *s, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(s, list[i]))
			return true;
	return false;
}

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

enum pfbpf_hook pfbpf_hook_choose(const struct pfbpf_if_facts *f, const char **why)
{
	const char *w;
	enum pfbpf_hook h = PFBPF_HOOK_TC;

	if (f->loopback)
		w = "loopback";
	else if (f->kind[0])
		w = "virtual link";
	else if (in_list(f->driver, virtual_drivers, N_OF(virtual_drivers)))
		w = "virtual link";
	else if (!f->has_device)
		w = "no device behind it";
	else if (in_list(f->driver, paravirtual_drivers, N_OF(paravirtual_drivers)))
		w = "paravirtual NIC, XDP turns its receive offloads off";
	else {
		/* A physical NIC: native XDP if its driver has it; the
		 * loader falls back to tc ingress, not to generic XDP,
		 * when it has not (generic XDP linearises every GRO'd skb). */
		w = "physical NIC";
		h = PFBPF_HOOK_XDP;
	}
	if (why)
		*why = w;
	return h;
}

const char *pfbpf_hook_name(enum pfbpf_hook h)
{
	switch (h) {
	case PFBPF_HOOK_XDP: return "xdp native";
	case PFBPF_HOOK_XDP_GENERIC: return "xdp generic";
	case PFBPF_HOOK_TC: return "tc ingress";
	default: return "none";
	}
}

static void copy_attr(char *dst, size_t len, const struct rtattr *a)
{
	size_t n = RTA_PAYLOAD(a);

	if (n >= len)
		n = len - 1;
	memcpy(dst, RTA_DATA(a), n);
	dst[n] = '\0';
	dst[strcspn(dst, "\n")] = '\0';
}

/* The RTM_NEWLINK answer for one link: kind, parent bus (sent since 5.16
 * whenever there is a parent device), loopback flag. */
static void parse_link(const struct nlmsghdr *nh, struct pfbpf_if_facts *f)
{
	const struct ifinfomsg *ifi = NLMSG_DATA(nh);
	int len = (int)NLMSG_PAYLOAD(nh, sizeof(*ifi));
	const struct rtattr *a = (const void *)((const char *)ifi + NLMSG_ALIGN(sizeof(*ifi)));

	f->loopback = ifi->ifi_flags & IFF_LOOPBACK;
	for (; RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		if (a->rta_type == IFLA_PARENT_DEV_BUS_NAME) {
			f->has_device = true;
		} else if (a->rta_type == IFLA_LINKINFO) {
			const struct rtattr *i = RTA_DATA(a);
			int ilen = (int)RTA_PAYLOAD(a);

			for (; RTA_OK(i, ilen); i = RTA_NEXT(i, ilen))
				if (i->rta_type == IFLA_INFO_KIND)
					copy_attr(f->kind, sizeof(f->kind), i);
		}
	}
}

static int read_link(unsigned int ifindex, struct pfbpf_if_facts *f)
{
	struct {
		struct nlmsghdr nh;
		struct ifinfomsg ifi;
	} req = {};
	char buf[16384];
	int fd, n, err = -EIO;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(req.ifi));
	req.nh.nlmsg_type = RTM_GETLINK;
	req.nh.nlmsg_flags = NLM_F_REQUEST;
	req.ifi.ifi_family = AF_UNSPEC;
	req.ifi.ifi_index = (int)ifindex;
	if (send(fd, &req, req.nh.nlmsg_len, 0) < 0) {
		err = -errno;
		goto out;
	}
	/* One request, one answer: the link or an error. */
	n = (int)recv(fd, buf, sizeof(buf), 0);
	if (n < 0) {
		err = -errno;
		goto out;
	}
	for (struct nlmsghdr *nh = (void *)buf; NLMSG_OK(nh, n); nh = NLMSG_NEXT(nh, n)) {
		if (nh->nlmsg_type == NLMSG_ERROR) {
			const struct nlmsgerr *e = NLMSG_DATA(nh);

			err = e->error ? e->error : -EIO;
			break;
		}
		if (nh->nlmsg_type == RTM_NEWLINK) {
			parse_link(nh, f);
			err = 0;
			break;
		}
	}
out:
	close(fd);
	return err;
}

/* The driver's name; "" when it has no ethtool driver info (lo). */
static void read_driver(const char *ifname, struct pfbpf_if_facts *f)
{
	struct ethtool_drvinfo di = { .cmd = ETHTOOL_GDRVINFO };
	struct ifreq ifr = {};
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	ifr.ifr_data = (void *)&di;
	_Static_assert(sizeof(f->driver) == sizeof(di.driver), "ethtool's driver name");
	if (ioctl(fd, SIOCETHTOOL, &ifr) == 0) {
		memcpy(f->driver, di.driver, sizeof(f->driver));
		f->driver[sizeof(f->driver) - 1] = '\0';
	}
	close(fd);
}

static unsigned int sysfs_index(const char *ifname)
{
	char path[PATH_MAX];
	unsigned int idx = 0;
	FILE *fp;

	snprintf(path, sizeof(path), "/sys/class/net/%s/ifindex", ifname);
	fp = fopen(path, "re");
	if (!fp)
		return 0;
	if (fscanf(fp, "%u", &idx) != 1)
		idx = 0;
	fclose(fp);
	return idx;
}

int pfbpf_if_facts_read(const char *ifname, struct pfbpf_if_facts *f)
{
	unsigned int ifindex = if_nametoindex(ifname);
	char path[PATH_MAX];
	int err;

	memset(f, 0, sizeof(*f));
	if (!ifindex)
		return -ENODEV;
	err = read_link(ifindex, f);
	if (err)
		return err;
	read_driver(ifname, f);
	/* Before 5.16 no parent attributes: sysfs, if it shows this very
	 * link (same name and index; under nsenter it is another
	 * namespace's). */
	if (!f->has_device && sysfs_index(ifname) == ifindex) {
		snprintf(path, sizeof(path), "/sys/class/net/%s/device", ifname);
		f->has_device = access(path, F_OK) == 0;
	}
	return 0;
}
