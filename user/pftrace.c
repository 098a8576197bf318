// SPDX-License-Identifier: BSD-2-Clause
/*
 * pftrace - watch pfbpf's state table live.
 *
 * Without a script it streams every state event one per line, like
 * `conntrack -E` (or JSON lines with -o json), optionally narrowed by -p
 * filters.  With -s FILE or -n 'probe /pred/ { ... }' it runs a D script
 * over the pf and ip providers (user/dt).  Events come from the datapath's
 * pinned ring buffer (pf_events); the events the datapath could not queue
 * are counted per CPU in pf_status and reported as DTrace reports drops.
 */
#include <errno.h>
#include <fnmatch.h>
#include <getopt.h>
#include <limits.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "lib/log.h"
#include "lib/pfbpf_maps.h"
#include "lib/pf_xflat.h"
#include "trace/fanout.h"
#include "trace/trace.h"
#include "dt/dt.h"

struct pftrace {
	/* options */
	bool json;
	bool timestamps;      /* -t */
	bool extended;        /* -o extended */
	unsigned int evmask;  /* -e, TRACE_EV_*; 0 = all */
	long long wall_offset_ns;
	int quiet;
	int verbose;
	long long max_events; /* -c, 0 = no limit */
	double seconds;       /* -T, 0 = no limit */
	unsigned int sleep_us;/* --sleep-per-event: a deliberately slow consumer */
	bool have_filter;
	struct trace_filter filter;
	char *script;         /* -s contents or -n clauses */
	const char *script_name;
	bool list;
	const char *list_pattern;

	/* runtime */
	FILE *out;
	struct pfbpf_maps maps;
	bool maps_open;
	struct ring_buffer *rb;
	struct dt_prog *prog;
	struct trace_drops drops;
	struct pf_status_pcpu *pcpu;
	struct trace_ipctl ipctl;
	__u32 events_id;      /* id of the ring buffer we read */
	/* pf_xflat, to name rules per ruleset as pfctl_bpf -ss -v does;
	 * re-checked against pf_config.ruleset_gen once per poll. */
	struct pf_xflat_origins origins;
	__u64 origins_gen;
	bool origins_known;
	bool origins_stale;
	long long nevents;
	unsigned long long malformed;
	bool done;
	bool discarding;      /* draining what was queued before we started */
	struct trace_fanout fan; /* the other readers (trace/fanout.h) */
	unsigned long long fan_lost; /* events the hub could not hand us */
	int exit_status;
};

/* Signals received: the first ends the run, a second one the final drain. */
static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
	if (got_signal < 2)
		got_signal++;
}

/* CLOCK_REALTIME - CLOCK_BOOTTIME, to print boot-time stamps as wall time. */
static long long wall_offset(void)
{
	struct timespec r, b;

	clock_gettime(CLOCK_REALTIME, &r);
	clock_gettime(CLOCK_BOOTTIME, &b);
	return (r.tv_sec - b.tv_sec) * 1000000000ll + (r.tv_nsec - b.tv_nsec);
}

static unsigned long long now_ns(void)
{
	struct timespec ts;

	/* The datapath stamps events with bpf_ktime_get_boot_ns(). */
	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* if_indextoname is a syscall; the ip provider asks once per packet. */
static const char *ifname_cached(__u32 ifindex)
{
	static struct {
		__u32 ifindex;
		char name[IF_NAMESIZE];
	} cache[32];
	static unsigned int next;
	unsigned int i;

	for (i = 0; i < sizeof(cache) / sizeof(cache[0]); i++)
		if (cache[i].ifindex == ifindex && ifindex)
			return cache[i].name;
	i = next++ % (sizeof(cache) / sizeof(cache[0]));
	if (!if_indextoname(ifindex, cache[i].name))
		return NULL;
	cache[i].ifindex = ifindex;
	return cache[i].name;
}

static const char *ifname_fmt(unsigned int ifindex, char *buf, size_t len)
{
	const char *n = ifname_cached(ifindex);

	if (!n)
		return NULL;
	snprintf(buf, len, "%s", n);
	return buf;
}

static const char *ifname_dt(__u32 ifindex, void *arg)
{
	return ifname_cached(ifindex);
}

static void emit_line(struct pftrace *t, const char *line)
{
	fputs(line, t->out);
	fputc('\n', t->out);
}

static void report_drops(void *ctx, unsigned int cpu, __u64 state, __u64 ip)
{
	struct pftrace *t = ctx;
	char line[160];

	/* Text and scripts: on stderr as dtrace(1); JSON: in the stream, for tools. */
	if (t->json && !t->script) {
		trace_fmt_drops_json(cpu, state, ip, line, sizeof(line));
		emit_line(t, line);
	} else {
		trace_fmt_drops_text(cpu, state, ip, line, sizeof(line));
		fflush(t->out);
		pr_warn("%s", line);
	}
}

static void check_drops(struct pftrace *t)
{
	__u32 zero = 0;

	if (!t->pcpu || bpf_map_lookup_elem(t->maps.status, &zero, t->pcpu))
		return;
	trace_drops_update(&t->drops, t->pcpu, report_drops, t);
}

static void count_event(struct pftrace *t)
{
	if (t->max_events && ++t->nevents >= t->max_events)
		t->done = true;
}

static void time_prefix(struct pftrace *t, __u64 ts_ns)
{
	char ts[48];

	if (!t->timestamps || t->json)
		return;
	trace_fmt_time(ts_ns, t->wall_offset_ns, ts, sizeof(ts));
	fputs(ts, t->out);
	fputc(' ', t->out);
}

/*
 * A reload changes what a flattened rule position means, but states
 * carry their slot and pf_xflat keeps both slots' origins, so one read
 * per ruleset generation is enough.  Without the map (rules loaded by
 * pfbpf-load alone: no anchors), positions are the numbers.
 */
static void refresh_origins(struct pftrace *t)
{
	struct pf_config cfg;
	int fd;

	t->origins_stale = false;
	if (pfbpf_config_read(&t->maps, &cfg))
		return;
	if (t->origins_known && cfg.ruleset_gen == t->origins_gen)
		return;
	fd = pfbpf_map_fd(&t->maps, PFBPF_MAP_XFLAT);
	if (fd < 0 || pf_xflat_read(fd, &t->origins)) {
		pf_xflat_free(&t->origins);
		trace_set_rule_origins(NULL);
		t->origins_known = false;
		return;
	}
	t->origins_gen = cfg.ruleset_gen;
	t->origins_known = true;
	trace_set_rule_origins(&t->origins);
}

static void stream_pf(struct pftrace *t, const struct pf_event *ev)
{
	char line[512];

	if (t->have_filter && !trace_filter_match_pf(&t->filter, ev))
		return;
	if (!trace_evmask_match(t->evmask, ev->type))
		return;
	if (t->origins_stale)
		refresh_origins(t);
	if (t->json) {
		trace_fmt_pf_json(ev, line, sizeof(line));
	} else {
		trace_fmt_pf_text(ev, line, sizeof(line));
		if (t->extended)
			trace_fmt_extended(line, sizeof(line), ev->key[PF_SK_WIRE].af);
	}
	time_prefix(t, ev->ts_ns);
	emit_line(t, line);
	count_event(t);
}

static void stream_ip(struct pftrace *t, const struct pf_ip_event *ev)
{
	char line[512];

	/* Packet events reach the stream only when -p event= asked for them. */
	if (!t->have_filter || !trace_filter_ip_bits(&t->filter) ||
	    !trace_filter_match_ip(&t->filter, ev))
		return;
	if (t->json)
		trace_fmt_ip_json(ev, ifname_fmt, line, sizeof(line));
	else
		trace_fmt_ip_text(ev, ifname_fmt, line, sizeof(line));
	time_prefix(t, ev->ts_ns);
	emit_line(t, line);
	count_event(t);
}

static void script_event(struct pftrace *t, unsigned int type, const void *data)
{
	enum dt_probe probe = dt_probe_of_event(type);

	if (probe == DT_PROBE_MAX || !dt_prog_uses(t->prog, probe))
		return;
	if (type >= PF_EV_IP_RECEIVE)
		dt_fire_ip(t->prog, probe, data);
	else
		dt_fire_pf(t->prog, probe, data);
	/* Asked rather than taken from the return, which is also -EINVAL. */
	if (dt_exited(t->prog, NULL))
		t->done = true;
	count_event(t);
}

static int on_event(void *ctx, void *data, size_t size)
{
	struct pftrace *t = ctx;
	unsigned int type;

	if (t->discarding)
		return 0;
	if (t->done || got_signal > 1)
		return -ECANCELED; /* stop draining: we are leaving */
	if (size < 1) {
		t->malformed++;
		return 0;
	}
	type = *(const __u8 *)data;
	if ((type >= PF_EV_IP_RECEIVE && size < sizeof(struct pf_ip_event)) ||
	    (type < PF_EV_IP_RECEIVE && size < sizeof(struct pf_event))) {
		t->malformed++;
		return 0;
	}
	if (t->script)
		script_event(t, type, data);
	else
	if (type >= PF_EV_IP_RECEIVE)
		stream_ip(t, data);
	else
		stream_pf(t, data);
	if (t->sleep_us)
		usleep(t->sleep_us);
	return t->done ? -ECANCELED : 0;
}

/* A record from the ring: the hub hands it to the other readers first. */
static int on_ring_event(void *ctx, void *data, size_t size)
{
	struct pftrace *t = ctx;

	if (!t->discarding && t->fan.hub)
		trace_fanout_forward(&t->fan, data, size);
	return on_event(ctx, data, size);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: pftrace [-qtv] [-o text|json[,extended,timestamp,id]] [-e new,update,destroy]\n"
		"               [-p KEY=VALUE[,...]] [-c COUNT] [-T SECONDS]\n"
		"       pftrace [-qv] [-c COUNT] [-T SECONDS] -s SCRIPT | -n 'PROBE /PRED/ { ACTIONS }'\n"
		"       pftrace -l [-n PATTERN]\n"
		"filter keys: proto, af, host, src, dst, port, sport, dport, event, id, rule,\n"
		"             dir, reason, if (see pftrace(8))\n");
}

static char *read_file(const char *path)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	size_t cap = 4096, len = 0, n;
	char *buf;

	if (!f)
		return NULL;
	buf = malloc(cap);
	while (buf && (n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
		len += n;
		if (len + 1 >= cap) {
			char *nb = realloc(buf, cap *= 2);

			if (!nb) {
				free(buf);
				buf = NULL;
			}
			buf = nb;
		}
	}
	if (buf)
		buf[len] = '\0';
	if (f != stdin)
		fclose(f);
	return buf;
}

static int add_clause(struct pftrace *t, const char *clause)
{
	size_t old = t->script ? strlen(t->script) : 0;
	char *s = realloc(t->script, old + strlen(clause) + 2);

	if (!s)
		return -ENOMEM;
	/* Clauses are joined by newlines, with none after the last, so that
	 * an error at the end of a one-liner is reported on its own line. */
	if (!old)
		s[0] = '\0';
	else
		strcat(s, "\n");
	strcat(s, clause);
	t->script = s;
	return 0;
}

enum { OPT_SLEEP = 256 };

/* Returns -1 to go on, else the exit status. */
static int parse_args(struct pftrace *t, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "sleep-per-event", required_argument, NULL, OPT_SLEEP },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	char err[256], *end;
	int c, nflag = 0;

	/* getopt names argv[0] in its messages: build/pftrace ran as
	 * "/path/to/build/pftrace: invalid option", unlike every other message. */
	if (argc > 0)
		argv[0] = (char *)"pftrace";
	while ((c = getopt_long(argc, argv, "c:e:hln:o:p:qs:tT:v", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			t->max_events = strtoll(optarg, &end, 10);
			if (*end || t->max_events <= 0) {
				pr_warn("-c needs a positive event count, not '%s'", optarg);
				return 2;
			}
			break;
		case 't':
			t->timestamps = true;
			break;
		case 'T':
			t->seconds = strtod(optarg, &end);
			if (*end || !(t->seconds > 0)) {
				pr_warn("-T needs a positive number of seconds, not '%s'",
					optarg);
				return 2;
			}
			break;
		case 'l':
			t->list = true;
			break;
		case 'n':
			nflag = 1;
			if (add_clause(t, optarg)) {
				pr_warn("out of memory");
				return 1;
			}
			t->script_name = "-n";
			t->list_pattern = optarg;
			break;
		case 'o': {
			struct trace_outopts o = { .json = t->json, .extended = t->extended,
						   .timestamp = t->timestamps };

			if (trace_outopts_parse(optarg, &o, err, sizeof(err))) {
				pr_warn("-o %s: %s", optarg, err);
				return 2;
			}
			t->json = o.json;
			t->extended = o.extended;
			t->timestamps = o.timestamp;
			break;
		}
		case 'e':
			if (trace_evmask_parse(optarg, &t->evmask, err, sizeof(err))) {
				pr_warn("-e %s: %s", optarg, err);
				return 2;
			}
			break;
		case 'p':
			if (trace_filter_parse(&t->filter, optarg, NULL, err, sizeof(err))) {
				pr_warn("-p %s: %s", optarg, err);
				return 2;
			}
			t->have_filter = true;
			break;
		case 'q':
			t->quiet = 1;
			break;
		case 's':
			if (t->script) {
				pr_warn("give one -s SCRIPT or -n clauses, not both");
				return 2;
			}
			t->script = read_file(optarg);
			if (!t->script) {
				pr_warn("cannot read script %s: %s", optarg,
					strerror(errno ? errno : ENOMEM));
				return 1;
			}
			t->script_name = optarg;
			break;
		case 'v':
			t->verbose++;
			break;
		case OPT_SLEEP:
			t->sleep_us = strtoul(optarg, &end, 10);
			if (*end) {
				pr_warn("--sleep-per-event needs microseconds, not '%s'",
					optarg);
				return 2;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		pr_warn("unexpected argument '%s'", argv[optind]);
		usage(stderr);
		return 2;
	}
	if (t->list && !nflag)
		t->list_pattern = NULL;
	if (t->script && nflag && strcmp(t->script_name, "-n")) {
		pr_warn("give one -s SCRIPT or -n clauses, not both");
		return 2;
	}
	if (t->script && t->have_filter) {
		pr_warn("-p filters the event stream; in a script use a predicate");
		return 2;
	}
	return -1;
}

/*
 * A probe description as dtrace -l -n takes it: provider:module:function:name
 * with fields missing from the left, an empty field or `*` matching anything.
 */
static bool probe_matches(const char *pattern, const struct dt_probe_info *p)
{
	const char *have[4] = { p->provider, p->module, p->function, p->name };
	char buf[256], *field[4] = { NULL, NULL, NULL, NULL }, *start = buf, *c;
	int colons = 0, i;

	snprintf(buf, sizeof(buf), "%s", pattern);
	for (c = buf; *c; c++)
		colons += *c == ':';
	if (colons > 3)
		return false;
	/* Fields are counted from the right: "receive" is a name. */
	for (i = 3 - colons, c = buf;; c++) {
		if (*c && *c != ':')
			continue;
		field[i++] = start;
		if (!*c)
			break;
		*c = '\0';
		start = c + 1;
	}
	for (i = 0; i < 4; i++) {
		if (!field[i] || !*field[i])
			continue;
		/* tick-1s stands for the whole tick-N family. */
		if (i == 3 && p->probe == DT_PROBE_TICK && !strncmp(field[i], "tick-", 5))
			continue;
		if (fnmatch(field[i], have[i] ? have[i] : "", 0))
			return false;
	}
	return true;
}

static int list_probes(const char *pattern)
{
	const struct dt_probe_info *p;
	size_t n, shown = 0;

	p = dt_probe_list(&n);
	for (size_t i = 0; i < n; i++) {
		if (pattern && !probe_matches(pattern, &p[i]))
			continue;
		if (!shown++)
			printf("%5s %10s %12s %10s %-16s %s\n", "ID", "PROVIDER", "MODULE", "FUNCTION",
			       "NAME", "ARGUMENTS");
		/* No trailing blanks on probes without arguments. */
		printf("%5u %10s %12s %10s %-*s", p[i].id, p[i].provider,
		       p[i].module ? p[i].module : "", p[i].function ? p[i].function : "",
		       p[i].args[0] ? 16 : 0, p[i].name);
		for (int a = 0; a < 8 && p[i].args[a]; a++)
			printf("%s%s", a ? ", " : " ", p[i].args[a]);
		printf("\n");
	}
	if (!shown) {
		pr_warn("no probe matches '%s'", pattern);
		return 1;
	}
	return fflush(stdout) ? 1 : 0;
}

/* Which packet events (PF_TRACE_*) this run needs from the datapath. */
static unsigned int wanted_ip_bits(struct pftrace *t)
{
	if (t->script) {
		unsigned int bits = 0;

		if (dt_prog_uses(t->prog, DT_PROBE_IP_RECEIVE))
			bits |= PF_TRACE_IP_RECEIVE;
		if (dt_prog_uses(t->prog, DT_PROBE_IP_SEND))
			bits |= PF_TRACE_IP_SEND;
		return bits;
	}
	return t->have_filter ? trace_filter_ip_bits(&t->filter) : 0;
}

static int compile_script(struct pftrace *t)
{
	struct dt_opts o = {
		.out = t->out,
		.err = stderr,
		.quiet = t->quiet,
		.ifname = ifname_dt,
	};
	char err[512];

	t->prog = dt_compile(t->script, t->script_name, &o, err, sizeof(err));
	if (!t->prog) {
		fprintf(stderr, "%s\n", err);
		return -EINVAL;
	}
	return 0;
}

static int setup(struct pftrace *t)
{
	struct sigaction sa = { .sa_handler = on_signal };
	unsigned int bits;
	__u32 zero = 0;
	int err, skipped;

	err = pfbpf_maps_open(&t->maps);
	if (err) {
		pr_err("%s", pfbpf_pin_strerror(err, t->maps.pin_dir));
		return err;
	}
	t->maps_open = true;
	if (t->maps.events < 0) {
		pr_err("the loaded datapath has no event ring buffer (%s/%s): "
		       "reload it with a current pf_kern.bpf.o", t->maps.pin_dir, PFBPF_MAP_EVENTS);
		return -ENOENT;
	}

	/* Losses from before we started belong to nobody: take a baseline. */
	err = trace_drops_init(&t->drops, t->maps.ncpus);
	t->pcpu = calloc(t->maps.ncpus, sizeof(*t->pcpu));
	if (err || !t->pcpu) {
		pr_warn("out of memory");
		return -ENOMEM;
	}
	if (!bpf_map_lookup_elem(t->maps.status, &zero, t->pcpu))
		trace_drops_baseline(&t->drops, t->pcpu);

	{
		struct bpf_map_info info = {};
		__u32 len = sizeof(info);

		if (!bpf_obj_get_info_by_fd(t->maps.events, &info, &len))
			t->events_id = info.id;
	}
	t->rb = ring_buffer__new(t->maps.events, on_ring_event, t, NULL);
	if (!t->rb) {
		err = -errno;
		pr_warn("cannot read the event ring buffer %s/%s: %s",
			t->maps.pin_dir, PFBPF_MAP_EVENTS, strerror(-err));
		return err;
	}

	/*
	 * Signals before the ip switch: from here on any exit path goes
	 * through cleanup, which turns packet events off again.  No
	 * SA_RESTART: the signal must interrupt the ring buffer's epoll_wait.
	 */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	/*
	 * Every instance registers, even without packet events: a BPF ring
	 * buffer has one consumer position, so two readers would each get
	 * part of the events, and the user must hear about it.
	 */
	bits = wanted_ip_bits(t);
	err = trace_ip_enable(&t->ipctl, t->maps.config, bits);
	if (err && bits) {
		pr_warn("cannot enable packet events in %s/%s: %s",
			t->maps.pin_dir, PFBPF_MAP_CONFIG, strerror(-err));
		return err;
	}
	if (err)
		pr_info("cannot register in %s: %s (another reader would go unnoticed)",
			TRACE_REG_DIR, strerror(-err));
	if (bits)
		pr_info("packet events enabled (%s%s)", bits & PF_TRACE_IP_RECEIVE ? " receive" : "",
			bits & PF_TRACE_IP_SEND ? " send" : "");
	/*
	 * One reader of the ring hands every record to the others
	 * (trace/fanout.c): join as that hub, or as one of its clients.
	 */
	err = trace_fanout_join(&t->fan, t->events_id);
	if (err < 0) {
		pr_warn("cannot share the event ring with other readers (%s): %s",
			TRACE_REG_DIR, strerror(-err));
		return err;
	}
	if (!t->fan.hub) {
		pr_info("another pftrace reads the ring; its events come through it");
		return 0;
	}
	/* Events queued before we started belong to nobody: skip them. */
	t->discarding = true;
	skipped = ring_buffer__consume(t->rb);
	t->discarding = false;
	if (skipped > 0)
		pr_info("skipped %d events queued before pftrace started", skipped);
	return 0;
}

/*
 * Wait up to ms for events and handle them: from the ring (the hub, which
 * also takes new readers), or from the hub (a client, which becomes the
 * hub when the hub leaves).  Returns >= 0, or -errno of the ring.
 */
static int fan_poll(struct pftrace *t, int ms)
{
	struct pollfd p[2];
	int n = 0, r;

	if (t->fan.hub) {
		p[n++] = (struct pollfd){ .fd = ring_buffer__epoll_fd(t->rb), .events = POLLIN };
		p[n++] = (struct pollfd){ .fd = t->fan.listen_fd, .events = POLLIN };
	} else {
		p[n++] = (struct pollfd){ .fd = t->fan.client_fd, .events = POLLIN };
	}
	r = poll(p, n, ms);
	if (r < 0)
		return errno == EINTR ? 0 : -errno;
	if (t->fan.hub) {
		if (p[1].revents)
			trace_fanout_accept(&t->fan);
		r = ring_buffer__consume(t->rb);
		trace_fanout_flush(&t->fan);
		return r;
	}
	for (;;) {
		static __u8 rec[4096];
		ssize_t len = trace_fanout_recv(&t->fan, rec, sizeof(rec));

		if (len == -EAGAIN)
			return 0;
		if (len == -EPIPE) {
			/* the hub left: read the ring ourselves, or through the
			 * reader that got there first */
			if ((r = trace_fanout_join(&t->fan, t->events_id)) < 0)
				return r;
			if (t->fan.hub)
				pr_info("the reading pftrace left: reading the ring now");
			return 0;
		}
		if (len == 1 + (ssize_t)sizeof(__u64) && rec[0] == TRACE_FAN_LOST) {
			__u64 lost;

			memcpy(&lost, rec + 1, sizeof(lost));
			t->fan_lost += lost;
			continue;
		}
		if (on_event(t, rec, (size_t)len) == -ECANCELED)
			return 0;
	}
}

/*
 * Our ring buffer stays readable after the datapath is unloaded or
 * reloaded (we hold it open), but nothing will ever write to it again:
 * say so instead of waiting in silence.  Returns 0 while the pin is ours.
 */
static int datapath_moved(struct pftrace *t)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	char path[PATH_MAX + 16];
	int fd, r = 0;

	if (!t->events_id)
		return 0;
	snprintf(path, sizeof(path), "%s/%s", t->maps.pin_dir, PFBPF_MAP_EVENTS);
	fd = bpf_obj_get(path);
	if (fd < 0) {
		if (errno != ENOENT)
			return 0;
		pr_warn("the pfbpf datapath was unloaded (%s is gone)", path);
		return 1;
	}
	if (!bpf_obj_get_info_by_fd(fd, &info, &len) && info.id != t->events_id) {
		pr_warn("the pfbpf datapath was reloaded (a new %s): "
			"run pftrace again to follow it", path);
		r = 1;
	}
	close(fd);
	return r;
}

/*
 * `pftrace | head -1`: head may leave while no event is coming, and a
 * write would only fail at the next event.  A pipe whose reader is gone
 * reports POLLERR on its write end, so notice it at once.
 */
static bool reader_gone(FILE *f)
{
	struct pollfd p = { .fd = fileno(f), .events = 0 };
	struct stat st;

	if (fstat(p.fd, &st) || !S_ISFIFO(st.st_mode))
		return false;
	return poll(&p, 1, 0) == 1 && (p.revents & (POLLERR | POLLHUP));
}

/* The main loop: drain, then every switchrate period account drops. */
static void run(struct pftrace *t)
{
	unsigned long long start = now_ns(), last_switch = start, now;
	unsigned long long period = 1000000000ull, deadline = 0;
	long long tick = 0;

	if (t->prog) {
		double hz = dt_switchrate_hz(t->prog);

		/* DTrace's default switchrate is 1 Hz. */
		if (hz > 0)
			period = (unsigned long long)(1e9 / hz);
		tick = dt_tick_interval_ns(t->prog);
		dt_begin(t->prog, start);
		if (dt_exited(t->prog, NULL))
			t->done = true;
	}
	if (t->seconds > 0)
		deadline = start + (unsigned long long)(t->seconds * 1e9);
	if (period < 1000000ull)
		period = 1000000ull;

	while (!t->done && !got_signal) {
		unsigned long long wait = period;
		int r;

		/* Wake up for the next tick probe, not just every switchrate period. */
		if (tick > 0) {
			unsigned long long next = dt_next_tick_ns(t->prog);

			now = now_ns();
			if (next)
				wait = next <= now ? 0 : (next - now < wait ? next - now : wait);
		}
		if (deadline) {
			now = now_ns();
			if (now >= deadline)
				break;
			if (deadline - now < wait)
				wait = deadline - now;
		}
		t->origins_stale = true;
		r = fan_poll(t, (int)((wait + 999999) / 1000000));
		if (r < 0 && r != -EINTR && r != -ECANCELED) {
			pr_warn("reading the event ring buffer: %s", strerror(-r));
			t->exit_status = 1;
			break;
		}
		now = now_ns();
		if (t->prog && !t->done && tick > 0) {
			dt_tick(t->prog, now);
			if (dt_exited(t->prog, NULL))
				t->done = true;
		}
		if (now - last_switch >= period) {
			last_switch = now;
			check_drops(t);
			if (datapath_moved(t)) {
				t->exit_status = 1;
				break;
			}
		}
		/*
		 * The reader went away (`| head`): leave quietly.  Any other
		 * write error (a full disk) is an error.
		 */
		if (fflush(t->out) || ferror(t->out)) {
			if (errno != EPIPE) {
				pr_warn("writing the output: %s", strerror(errno));
				t->exit_status = 1;
			}
			return;
		}
		if (reader_gone(t->out))
			return;
	}
	/*
	 * Ctrl-C or -T: what the datapath queued before we stopped still
	 * counts (`ping -c 5` then Ctrl-C must show 5), as dtrace consumes its
	 * buffers before printing the aggregations.  A second Ctrl-C cuts
	 * this short.
	 */
	if (!t->done && !ferror(t->out)) {
		t->origins_stale = true;
		ring_buffer__consume(t->rb);
	}
	check_drops(t);
}

static void cleanup(struct pftrace *t)
{
	trace_ip_disable(&t->ipctl);
	if (t->fan_lost)
		pr_warn("%llu events lost: this pftrace did not keep up with the one reading "
			"the ring", t->fan_lost);
	trace_fanout_close(&t->fan);
	ring_buffer__free(t->rb);
	dt_free(t->prog);
	trace_drops_free(&t->drops);
	free(t->pcpu);
	free(t->script);
	trace_set_rule_origins(NULL);
	pf_xflat_free(&t->origins);
	if (t->maps_open)
		pfbpf_maps_close(&t->maps);
}

int pftrace_main(int argc, char **argv)
{
	struct pftrace t = { .out = stdout };
	int r;

	/*
	 * `pftrace | head -1`: once head is gone, writes fail with EPIPE and
	 * the loop ends quietly with status 0 instead of dying of SIGPIPE
	 * with packet events still switched on.
	 */
	signal(SIGPIPE, SIG_IGN);

	/* Messages about the arguments carry the tool's name too. */
	pfbpf_log_init("pftrace", 0);
	r = parse_args(&t, argc, argv);
	if (r >= 0) {
		free(t.script);
		return r;
	}
	pfbpf_log_set_verbosity(t.verbose);
	t.wall_offset_ns = wall_offset();
	trace_fanout_init(&t.fan);
	if (t.list) {
		r = list_probes(t.list_pattern);
		free(t.script);
		return r;
	}
	/* A script with an error is rejected before anything is enabled. */
	if (t.script && compile_script(&t)) {
		cleanup(&t);
		return 1;
	}
	if (setup(&t)) {
		cleanup(&t);
		return 1;
	}
	if (t.verbose)
		pr_info("reading %s/%s", t.maps.pin_dir, PFBPF_MAP_EVENTS);

	run(&t);

	if (!ferror(t.out)) {
		if (t.prog) {
			int status = 0;

			dt_end(t.prog, now_ns());
			/* exit(n) in the script decides pftrace's status, as dtrace(1). */
			if (dt_exited(t.prog, &status))
				t.exit_status = status;
		}
		fflush(t.out);
	}
	if (t.malformed)
		pr_warn("%llu malformed events ignored", t.malformed);
	cleanup(&t);
	/* EPIPE on stdout is how `| head` ends us: not an error. */
	return t.exit_status;
}

#ifndef PFTRACE_NO_MAIN
int main(int argc, char **argv)
{
	int r = pftrace_main(argc, argv);

	/* stdout may be a closed pipe: do not let exit()'s flush complain. */
	fclose(stdout);
	return r;
}
#endif
