/* SPDX-License-Identifier: BSD-2-Clause */
/* cls_probe.h - load tests/unit/cls_probe.bpf.c (unpinned) and run the
 * classifier on one packet descriptor with BPF_PROG_TEST_RUN. */
#ifndef CLS_PROBE_H
#define CLS_PROBE_H

#include <bpf/libbpf.h>
#include "cls/cls.h"
#include "pfbpf_types.h"

#ifndef CLS_PROBE_OBJ
#define CLS_PROBE_OBJ "build/cls_probe.bpf.o"
#endif

/* pf_pkt as the datapath fills it (bpf/pf_pkt.h is BPF-only). */
struct cls_probe_pkt {
	struct pf_addr src, dst;
	__be16 sport, dport;
	__u8 af, proto, dir, tcp_flags, icmp_type, icmp_code, has_ports, frag;
	__u32 ifindex, tot_len, l4_off, l4_len, seq, ack;
	__u16 win, mss;
	__u8 wscale, th_off;
	__u16 pad;
	__u32 payload_len;
};

struct cls_probe_match {
	__u32 idx, slot, stop;
};

struct cls_probe {
	struct bpf_object *obj;
	int prog_fd;
};

/* Open and load with every pin path cleared: a unit test never touches
 * the shared bpffs folder. */
int cls_probe_open(struct cls_probe *p, const char *path);
void cls_probe_close(struct cls_probe *p);
/* map_fd callback for pfbpf_cls_install; arg is the struct cls_probe. */
int cls_probe_map_fd(const char *name, void *arg);
int cls_probe_run(struct cls_probe *p, const struct pfbpf_cls_pkt *pk, unsigned active,
		  struct cls_probe_match *m);
/* Time it: repeat runs, returns ns per run (kernel's own measure). */
int cls_probe_time(struct cls_probe *p, const struct pfbpf_cls_pkt *pk, unsigned active, int repeat,
		   __u32 *ns);
/* pf_tables entry (table id, af, prefix), neg as a table's `!addr`. */
int cls_probe_table_add(struct cls_probe *p, unsigned table, __u8 af, const struct pf_addr *a,
			unsigned plen, int neg);
int cls_probe_table_del(struct cls_probe *p, unsigned table, __u8 af, const struct pf_addr *a,
			unsigned plen);

#endif
