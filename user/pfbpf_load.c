// SPDX-License-Identifier: BSD-2-Clause
/*
 * pfbpf-load - attach and detach the pfbpf datapath, show what is attached,
 * list states.  The plumbing tool under pfctl_bpf -e/-d, make demo and the
 * netns tests.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <signal.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>
#include <xdp/libxdp.h>

#include "lib/fwd_ctl.h"
#include "lib/json_out.h"
#include "lib/loader.h"
#include "lib/log.h"
#include "lib/pfbpf_maps.h"
#include "lib/pf_names.h"

static bool json;

static void usage(FILE *f)
{
	fprintf(f,
		"usage: pfbpf-load [-v] [-j] COMMAND [ARGS]   (-j: JSON for status and states)\n"
		"  attach IF [IF...] [--xdp | --xdp-generic | --tc] [--limit N] [--map-size N]\n"
		"                    [--timeout NAME=SECS]... [--obj FILE]\n"
		"                     load the datapath and attach it (ingress: native XDP on\n"
		"                     physical NICs, tc on virtual links, unless forced; tc egress)\n"
		"  detach IF [IF...]  remove what 'attach' put on IF\n"
		"  status             attached interfaces, state count, timer\n"
		"  states             one line per state\n"
		"  events [-c N] [-t SECS]\n"
		"                     print state events as they come\n"
		"  set [--limit N] [--timeout NAME=SECS]...\n"
		"                     change pf_config of the running datapath\n"
		"  arm                fill config defaults and start the sweep timer\n"
		"                     (needed after attaching with iproute2)\n"
		"  sweep              expire what has expired now\n"
		"  forward IF [on|off]\n"
		"                     the forwarding fast path for packets of established\n"
		"                     states arriving on IF (tc ingress; on by default)\n"
		"  purge              detach everywhere and remove every pin\n"
		"environment: PFBPF_PIN_DIR (maps, default %s), PFBPF_PROG_PIN_DIR\n"
		"             (default %s), PFBPF_OBJ (object instead of the embedded one)\n",
		PFBPF_PIN_DIR, PFBPF_PROG_PIN_DIR);
}

static int parse_u32(const char *s, const char *what, __u32 *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || *end || end == s || v > 0xffffffffUL) {
		pr_warn("%s: not a number: '%s'", what, s);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

static int parse_timeout(const char *arg, __u32 *timeouts)
{
	char name[64];
	const char *eq = strchr(arg, '=');
	int t;

	if (!eq || eq == arg || (size_t)(eq - arg) >= sizeof(name)) {
		pr_warn("--timeout wants NAME=SECONDS, got '%s'", arg);
		return -EINVAL;
	}
	memcpy(name, arg, eq - arg);
	name[eq - arg] = '\0';
	t = pf_timeout_lookup(name);
	if (t < 0) {
		pr_warn("unknown timeout '%s' (tcp.established, udp.first, interval, ...)", name);
		return -EINVAL;
	}
	if (parse_u32(eq + 1, name, &timeouts[t]))
		return -EINVAL;
	if (!timeouts[t]) {
		pr_warn("timeout %s: 0 would mean the default; give seconds > 0", name);
		return -EINVAL;
	}
	return 0;
}

enum { OPT_GENERIC = 256, OPT_XDP, OPT_TC, OPT_LIMIT, OPT_MAPSIZE, OPT_TIMEOUT, OPT_OBJ };

static const struct option load_opts[] = {
	{ "generic", no_argument, NULL, OPT_GENERIC }, /* the older name of --xdp-generic */
	{ "xdp-generic", no_argument, NULL, OPT_GENERIC },
	{ "xdp", no_argument, NULL, OPT_XDP },
	{ "tc", no_argument, NULL, OPT_TC },
	{ "limit", required_argument, NULL, OPT_LIMIT },
	{ "map-size", required_argument, NULL, OPT_MAPSIZE },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "obj", required_argument, NULL, OPT_OBJ },
	{ NULL, 0, NULL, 0 },
};

static int parse_load_opts(int argc, char **argv, struct pfbpf_load_opts *o, bool attach)
{
	int c;

	optind = 0; /* glibc: 0 reinitialises getopt for a new vector */
	while ((c = getopt_long(argc, argv, "+", load_opts, NULL)) != -1) {
		switch (c) {
		case OPT_GENERIC:
		case OPT_XDP:
		case OPT_TC:
			if (!attach)
				goto bad;
			o->hook = c == OPT_TC ? PFBPF_HOOK_TC :
				  c == OPT_XDP ? PFBPF_HOOK_XDP : PFBPF_HOOK_XDP_GENERIC;
			break;
		case OPT_LIMIT:
			if (parse_u32(optarg, "--limit", &o->limit_states))
				return -EINVAL;
			break;
		case OPT_MAPSIZE:
			if (!attach || parse_u32(optarg, "--map-size", &o->map_size))
				goto bad;
			break;
		case OPT_TIMEOUT:
			if (parse_timeout(optarg, o->timeout))
				return -EINVAL;
			break;
		case OPT_OBJ:
			if (!attach)
				goto bad;
			o->obj_path = optarg;
			break;
		default:
			goto bad;
		}
	}
	return optind;
bad:
	usage(stderr);
	return -EINVAL;
}

/* getopt_long permutes: interfaces may come before or after options. */
static int cmd_attach(int argc, char **argv)
{
	struct pfbpf_load_opts o = {};
	char *ifs[64];
	int n = 0, i, err;

	for (;;) {
		err = parse_load_opts(argc, argv, &o, true);
		if (err < 0)
			return 1;
		if (optind >= argc)
			break;
		/* A non-option: an interface; continue parsing after it. */
		if (n == (int)(sizeof(ifs) / sizeof(ifs[0]))) {
			pr_warn("too many interfaces");
			return 1;
		}
		ifs[n++] = argv[optind];
		argv += optind;
		argc -= optind;
	}
	if (!n) {
		usage(stderr);
		return 1;
	}
	for (i = 0; i < n; i++) {
		if (!if_nametoindex(ifs[i])) {
			pr_warn("%s: no such interface", ifs[i]);
			return 1;
		}
	}
	err = pfbpf_attach(ifs, n, &o);
	if (err) {
		pr_warn("attach failed: %s", strerror(-err));
		return 1;
	}
	for (i = 0; i < n; i++) {
		enum pfbpf_hook h;

		pfbpf_attached_hook(ifs[i], &h);
		printf("pf attached to %s (%s, tc egress)\n", ifs[i], pfbpf_hook_name(h));
	}
	return 0;
}

static int cmd_detach(int argc, char **argv)
{
	int i, err, ret = 0;

	if (argc < 2) {
		usage(stderr);
		return 1;
	}
	for (i = 1; i < argc; i++) {
		err = pfbpf_detach(argv[i]);
		if (err == -ENOENT) {
			pr_warn("%s: pfbpf is not attached there by pfbpf-load", argv[i]);
			ret = 1;
		} else if (err) {
			pr_warn("%s: detach failed: %s", argv[i], strerror(-err));
			ret = 1;
		}
	}
	return ret;
}

static int open_maps(struct pfbpf_maps *m)
{
	int err = pfbpf_maps_open(m);

	if (err)
		pr_warn("%s", pfbpf_pin_strerror(err, m->pin_dir));
	return err;
}

static int status_if_cb(const char *ifname, void *arg)
{
	unsigned int ifindex = if_nametoindex(ifname);
	enum pfbpf_hook h;

	if (!ifindex) {
		printf("interface %s: gone (stale pins; 'pfbpf-load detach %s')\n", ifname, ifname);
		return 0;
	}
	/* "xdp native tc egress", "tc ingress tc egress"; "none" for an XDP
	 * pin whose program someone took off. */
	pfbpf_attached_hook(ifname, &h);
	printf("interface %s: ifindex %u %s tc egress\n", ifname, ifindex,
	       h == PFBPF_HOOK_AUTO ? "xdp none" : pfbpf_hook_name(h));
	return 0;
}

static const char *xdp_mode_name(__u8 mode)
{
	switch (mode) {
	case XDP_ATTACHED_DRV: return "native";
	case XDP_ATTACHED_SKB: return "generic";
	case XDP_ATTACHED_HW: return "offload";
	default: return "none";
	}
}

/* Attached by iproute2: what is there, marked so that nobody expects
 * `pfbpf-load detach` to remove it (ip link set xdp off / tc filter del). */
static int foreign_cb(const struct pfbpf_foreign_attach *a, void *arg)
{
	printf("interface %s: ifindex %u xdp %s", a->ifname, a->ifindex,
	       a->xdp_id ? xdp_mode_name(a->xdp_mode) : "none");
	if (a->tc_id[0] || a->tc_id[1])
		printf(" tc%s%s", a->tc_id[0] ? " ingress" : "", a->tc_id[1] ? " egress" : "");
	printf(" (iproute2)\n");
	return 0;
}

static int foreign_json_cb(const struct pfbpf_foreign_attach *a, void *arg)
{
	struct jw *w = arg;

	jw_obj_begin(w, NULL);
	jw_str(w, "name", a->ifname);
	jw_u64(w, "ifindex", a->ifindex);
	jw_str(w, "xdp", a->xdp_id ? xdp_mode_name(a->xdp_mode) : "none");
	jw_bool(w, "tc_ingress", a->tc_id[0]);
	jw_bool(w, "tc_egress", a->tc_id[1]);
	jw_obj_end(w);
	return 0;
}

static int if_json_cb(const char *ifname, void *arg)
{
	jw_str(arg, NULL, ifname);
	return 0;
}

/* "hooks": {"IF": "tc ingress", ...}: the ingress hook of each interface. */
static int hook_json_cb(const char *ifname, void *arg)
{
	enum pfbpf_hook h;

	pfbpf_attached_hook(ifname, &h);
	jw_str(arg, ifname, pfbpf_hook_name(h));
	return 0;
}

static void status_json(struct pfbpf_maps *m, const struct pf_config *cfg,
			const struct pf_gcount *gc, long n)
{
	struct pf_status_pcpu st;
	struct jw w;
	int i;

	jw_init(&w, stdout);
	jw_obj_begin(&w, NULL);
	jw_bool(&w, "enabled", !cfg->stopped);
	jw_arr_begin(&w, "interfaces");
	pfbpf_attached_foreach(if_json_cb, &w);
	jw_arr_end(&w);
	jw_obj_begin(&w, "hooks");
	pfbpf_attached_foreach(hook_json_cb, &w);
	jw_obj_end(&w);
	jw_arr_begin(&w, "iproute2_interfaces");
	pfbpf_foreign_foreach(m->states, foreign_json_cb, &w);
	jw_arr_end(&w);
	jw_s64(&w, "states", n);
	jw_s64(&w, "counted", gc->states);
	jw_u64(&w, "limit", pfbpf_config_limit(cfg, PF_LIMIT_STATES));
	jw_bool(&w, "timer_armed", gc->timer_armed);
	jw_u64(&w, "sweeps", gc->sweeps);
	jw_u64(&w, "evicted", gc->evicted);
	if (!pfbpf_status_read(m, &st)) {
		jw_obj_begin(&w, "counters");
		for (i = 0; i < PFRES_MAX; i++)
			jw_u64(&w, pf_res_name(i), st.counters[i]);
		jw_obj_end(&w);
		jw_u64(&w, "state_search", st.fcounters[FCNT_STATE_SEARCH]);
		jw_u64(&w, "state_insert", st.fcounters[FCNT_STATE_INSERT]);
		jw_u64(&w, "state_removals", st.fcounters[FCNT_STATE_REMOVALS]);
		jw_u64(&w, "events_lost", st.events_lost);
	}
	jw_finish(&w);
}

static int cmd_status(int argc, char **argv)
{
	struct pfbpf_maps m;
	struct pf_config cfg;
	struct pf_gcount gc;
	struct pf_status_pcpu st;
	long n;

	if (open_maps(&m))
		return 1;
	if (!json) {
		pfbpf_attached_foreach(status_if_cb, NULL);
		pfbpf_foreign_foreach(m.states, foreign_cb, NULL);
	}
	if (pfbpf_config_read(&m, &cfg) || pfbpf_gcount_read(&m, &gc)) {
		pr_warn("cannot read pf_config/pf_count: %s", strerror(errno));
		pfbpf_maps_close(&m);
		return 1;
	}
	n = pfbpf_states_count(&m);
	if (json) {
		status_json(&m, &cfg, &gc, n);
		pfbpf_maps_close(&m);
		return 0;
	}
	printf("status %s\n", cfg.stopped ? "disabled" : "enabled");
	printf("states %ld counted %lld limit %u\n", n, (long long)gc.states,
	       pfbpf_config_limit(&cfg, PF_LIMIT_STATES));
	printf("timer %s sweeps %llu evicted %llu\n", gc.timer_armed ? "armed" : "off",
	       (unsigned long long)gc.sweeps, (unsigned long long)gc.evicted);
	printf("pins %s %s\n", m.pin_dir, m.prog_pin_dir);
	if (!pfbpf_status_read(&m, &st)) {
		int i;

		/* One "counter NAME N" line each, pf's names: easy to grep.
		 * The state table's figures are plural ("state-inserts"):
		 * PFRES's "state-insert" above counts failed inserts, and
		 * one name for both made the two unreadable side by side. */
		for (i = 0; i < PFRES_MAX; i++)
			printf("counter %s %llu\n", pf_res_name(i), (unsigned long long)st.counters[i]);
		printf("counter state-searches %llu\ncounter state-inserts %llu\n"
		       "counter state-removals %llu\n",
		       (unsigned long long)st.fcounters[FCNT_STATE_SEARCH],
		       (unsigned long long)st.fcounters[FCNT_STATE_INSERT],
		       (unsigned long long)st.fcounters[FCNT_STATE_REMOVALS]);
		printf("counter events-lost %llu\n", (unsigned long long)st.events_lost);
	}
	pfbpf_maps_close(&m);
	return 0;
}

static const char *peer_state(__u8 proto, __u8 s, char *buf, size_t len)
{
	const char *n;

	n = proto == IPPROTO_TCP ? pf_tcps_name(s) : pf_other_state_name(s);
	if (n)
		return n;
	snprintf(buf, len, "%u", s);
	return buf;
}

static int state_line_cb(const struct pf_state_key *k, const struct pf_state *s, void *arg)
{
	char a[64], b[64], p0[16], p1[16], pbuf[8];
	const char *proto = pf_proto_str(k->proto, pbuf, sizeof(pbuf));

	/* Key slots are pf's: the creating packet's source sits in slot 0
	 * when it came in, in slot 1 when it went out.  Print the creator
	 * first, then the peer, as pfctl -ss does with "->". */
	{
		int src = pf_state_dir(s) == PF_IN ? 0 : 1;

		pfbpf_fmt_endpoint(a, sizeof(a), k->af, k->proto, &k->addr[src], k->port[src]);
		pfbpf_fmt_endpoint(b, sizeof(b), k->af, k->proto, &k->addr[!src],
				   k->port[!src]);
	}
	printf("%s %s %s %s %s:%s pkts %u:%u bytes %llu:%llu id %016llx if %u rule %d "
	       "seqlo %u:%u seqhi %u:%u\n",
	       proto, pf_state_dir(s) == PF_IN ? "in" : "out", a, b,
	       peer_state(k->proto, s->pstate[0], p0, sizeof(p0)),
	       peer_state(k->proto, s->pstate[1], p1, sizeof(p1)), s->packets[0],
	       s->packets[1], (unsigned long long)s->bytes[0], (unsigned long long)s->bytes[1],
	       (unsigned long long)s->id, s->ifindex, s->rule == PF_RULE_NONE ? -1 : (int)s->rule,
	       s->seqlo[0], s->seqlo[1], s->seqhi[0], s->seqhi[1]);
	return 0;
}

static int state_json_cb(const struct pf_state_key *k, const struct pf_state *s, void *arg)
{
	char a[64], b[64], p0[16], p1[16], id[24];
	struct jw *w = arg;
	int src = pf_state_dir(s) == PF_IN ? 0 : 1;

	pfbpf_fmt_endpoint(a, sizeof(a), k->af, k->proto, &k->addr[src], k->port[src]);
	pfbpf_fmt_endpoint(b, sizeof(b), k->af, k->proto, &k->addr[!src], k->port[!src]);
	snprintf(id, sizeof(id), "%016llx", (unsigned long long)s->id);
	jw_obj_begin(w, NULL);
	jw_str(w, "id", id);
	jw_u64(w, "af", k->af == PF_INET6 ? 6 : 4);
	jw_u64(w, "proto", k->proto);
	jw_str(w, "direction", pf_state_dir(s) == PF_IN ? "in" : "out");
	jw_str(w, "src", a);
	jw_str(w, "dst", b);
	jw_arr_begin(w, "peer_states");
	jw_str(w, NULL, peer_state(k->proto, s->pstate[0], p0, sizeof(p0)));
	jw_str(w, NULL, peer_state(k->proto, s->pstate[1], p1, sizeof(p1)));
	jw_arr_end(w);
	jw_arr_begin(w, "packets");
	jw_u64(w, NULL, s->packets[0]);
	jw_u64(w, NULL, s->packets[1]);
	jw_arr_end(w);
	jw_arr_begin(w, "bytes");
	jw_u64(w, NULL, s->bytes[0]);
	jw_u64(w, NULL, s->bytes[1]);
	jw_arr_end(w);
	jw_u64(w, "ifindex", s->ifindex);
	jw_s64(w, "rule", s->rule == PF_RULE_NONE ? -1 : (int)s->rule);
	jw_u64(w, "creation", s->creation);
	jw_u64(w, "expire", s->expire);
	jw_u64(w, "timeout", s->timeout);
	jw_obj_end(w);
	return 0;
}

static int cmd_states(int argc, char **argv)
{
	struct pfbpf_maps m;
	struct jw w;
	int err;

	if (open_maps(&m))
		return 1;
	if (json) {
		jw_init(&w, stdout);
		jw_arr_begin(&w, NULL);
		err = pfbpf_states_foreach(&m, state_json_cb, &w);
		jw_finish(&w);
	} else {
		err = pfbpf_states_foreach(&m, state_line_cb, NULL);
	}
	pfbpf_maps_close(&m);
	if (err) {
		pr_warn("cannot read the state table: %s", strerror(-err));
		return 1;
	}
	return 0;
}

struct ev_ctx {
	long seen;
	long max;
};

/* One line per event, the state line's layout after the event name. */
static int event_cb(void *arg, void *data, size_t len)
{
	struct ev_ctx *c = arg;
	const struct pf_event *e = data;

	if (len < 1)
		return 0;
	if (e->type == PF_EV_IP_RECEIVE || e->type == PF_EV_IP_SEND) {
		const struct pf_ip_event *ip = data;
		char a[64], b[64];
		__u8 af = ip->ip_ver == 6 ? PF_INET6 : PF_INET;

		if (len < sizeof(*ip))
			return 0;
		pfbpf_fmt_endpoint(a, sizeof(a), af, 0, &ip->saddr, 0);
		pfbpf_fmt_endpoint(b, sizeof(b), af, 0, &ip->daddr, 0);
		printf("%s if %u %s -> %s len %u %s\n", pf_event_name(ip->type), ip->ifindex, a, b,
		       ip->ip_plength, ip->verdict == PF_PASS ? "pass" : "block");
	} else if (len >= sizeof(*e) && e->type == PF_EV_SYNCOOKIES) {
		printf("syncookies %s\n", e->reason ? "on (synflood detected)" : "off");
	} else if (len >= sizeof(*e) && e->type == PF_EV_STATES_EVICTED) {
		printf("%s %llu (%llu in all)\n", pf_event_name(e->type),
		       (unsigned long long)pf_event_evicted(e),
		       (unsigned long long)pf_event_evicted_total(e));
	} else if (len >= sizeof(*e)) {
		const char *name = pf_event_name(e->type);

		printf("%s%s%s ", name ? name : "unknown", e->type == PF_EV_STATE_DESTROY ? " " : "",
		       e->type == PF_EV_STATE_DESTROY ? pf_destroy_reason_name(e->reason) : "");
		fflush(stdout);
		state_line_cb(&e->key[PF_SK_WIRE], &e->state, NULL);
	}
	fflush(stdout);
	c->seen++;
	return c->max && c->seen >= c->max ? 1 : 0;
}

static volatile sig_atomic_t ev_stop;

static void ev_sig(int sig)
{
	ev_stop = 1;
}

/* events [-c COUNT] [-t SECONDS]: follow the ring buffer (pftrace is the
 * real consumer; this is for tests and the demo). */
static int cmd_events(int argc, char **argv)
{
	struct ev_ctx c = {};
	struct ring_buffer *rb;
	struct pfbpf_maps m;
	__u32 secs = 0;
	time_t end;
	int opt, err;

	optind = 0;
	while ((opt = getopt(argc, argv, "+c:t:")) != -1) {
		__u32 v;

		if (opt == '?' || parse_u32(optarg, opt == 'c' ? "-c" : "-t", &v))
			return 1;
		if (opt == 'c')
			c.max = v;
		else
			secs = v;
	}
	if (open_maps(&m))
		return 1;
	if (m.events < 0) {
		pr_warn("the datapath has no event ring buffer pinned");
		pfbpf_maps_close(&m);
		return 1;
	}
	rb = ring_buffer__new(m.events, event_cb, &c, NULL);
	if (!rb) {
		pr_warn("cannot read the event ring buffer: %s", strerror(errno));
		pfbpf_maps_close(&m);
		return 1;
	}
	end = time(NULL) + secs;
	signal(SIGINT, ev_sig);
	signal(SIGTERM, ev_sig);
	while (!ev_stop) {
		err = ring_buffer__poll(rb, 100);
		if (err < 0 && err != -EINTR)
			break;
		if (c.max && c.seen >= c.max)
			break;
		if (secs && time(NULL) >= end)
			break;
	}
	ring_buffer__free(rb);
	pfbpf_maps_close(&m);
	return 0;
}

static int cmd_set(int argc, char **argv)
{
	struct pfbpf_load_opts o = {};
	struct pfbpf_maps m;
	struct pf_config cfg;
	int i, err;

	if (parse_load_opts(argc, argv, &o, false) < 0)
		return 1;
	if (optind != argc) {
		usage(stderr);
		return 1;
	}
	if (open_maps(&m))
		return 1;
	err = pfbpf_config_read(&m, &cfg);
	if (!err) {
		if (o.limit_states)
			cfg.limit[PF_LIMIT_STATES] = o.limit_states;
		for (i = 0; i < PFTM_MAX; i++)
			if (o.timeout[i])
				cfg.timeout[i] = o.timeout[i];
		err = pfbpf_config_write(&m, &cfg);
	}
	pfbpf_maps_close(&m);
	if (err) {
		pr_warn("cannot update pf_config: %s", strerror(-err));
		return 1;
	}
	return 0;
}

/* forward IF [on|off]: without on/off, say what IF does. */
static int cmd_forward(int argc, char **argv)
{
	struct pf_fwd_stats fs;
	struct pfbpf_maps m;
	unsigned int ifindex;
	bool on = false;
	int err;

	if (argc < 2 || argc > 3 || (argc == 3 && strcmp(argv[2], "on") && strcmp(argv[2], "off"))) {
		pr_warn("usage: forward IF [on|off]");
		return 1;
	}
	ifindex = if_nametoindex(argv[1]);
	if (!ifindex) {
		pr_warn("forward: no interface '%s'", argv[1]);
		return 1;
	}
	if (open_maps(&m))
		return 1;
	if (argc == 3)
		err = pfbpf_forward_set(&m, ifindex, !strcmp(argv[2], "on"));
	else
		err = pfbpf_forward_get(&m, ifindex, &on);
	if (!err && argc == 2 && !pfbpf_forward_stats(&m, &fs))
		printf("forward %s %s (all interfaces: forwarded %llu, to the stack %llu)\n",
		       argv[1], on ? "on" : "off", (unsigned long long)fs.forwarded,
		       (unsigned long long)fs.to_stack);
	pfbpf_maps_close(&m);
	if (err) {
		pr_warn("forward %s: %s", argv[1],
			err == -ENOENT ? "the running datapath has no fast path (pf_fwd not pinned)"
				       : strerror(-err));
		return 1;
	}
	return 0;
}

static int cmd_ctl(int op)
{
	struct pfbpf_maps m;
	__u64 n = 0;
	int err;

	if (open_maps(&m))
		return 1;
	err = op == PF_CTL_ARM ? pfbpf_ctl_arm(&m) : pfbpf_ctl_sweep(&m, &n);
	pfbpf_maps_close(&m);
	if (err) {
		pr_warn("%s failed: %s", op == PF_CTL_ARM ? "arming the sweep timer" : "sweep",
			strerror(-err));
		return 1;
	}
	if (op == PF_CTL_SWEEP)
		printf("expired %llu\n", (unsigned long long)n);
	return 0;
}

static int cmd_arm(int argc, char **argv)
{
	return cmd_ctl(PF_CTL_ARM);
}

static int cmd_sweep(int argc, char **argv)
{
	return cmd_ctl(PF_CTL_SWEEP);
}

static int cmd_purge(int argc, char **argv)
{
	int err = pfbpf_purge();

	if (err)
		pr_warn("purge: %s", strerror(-err));
	return err ? 1 : 0;
}

/* As pfctl_bpf's and pftrace's: each command a row, argv[0] its name. */
static const struct {
	const char *name;
	int (*func)(int argc, char **argv);
} cmds[] = {
	{ "attach", cmd_attach },   { "detach", cmd_detach }, { "status", cmd_status },
	{ "states", cmd_states },   { "events", cmd_events }, { "set", cmd_set },
	{ "arm", cmd_arm },	    { "sweep", cmd_sweep },   { "forward", cmd_forward },
	{ "purge", cmd_purge },
};

int main(int argc, char **argv)
{
	int verbose = 0, c;
	const char *cmd;

	while ((c = getopt(argc, argv, "+vjh")) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'v':
			verbose++;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 1;
		}
	}
	pfbpf_log_init(argv[0], verbose);
	if (optind >= argc) {
		usage(stderr);
		return 1;
	}
	cmd = argv[optind];
	argc -= optind;
	argv += optind;
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(cmd, cmds[i].name))
			return cmds[i].func(argc, argv);
	pr_warn("unknown command '%s'", cmd);
	usage(stderr);
	return 1;
}
