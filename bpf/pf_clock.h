/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pf_clock.h - the datapath's clock: seconds since boot (CLOCK_BOOTTIME,
 * what states' creation and expiry are kept in and what user space
 * compares them with), read cheaply.
 *
 * bpf_ktime_get_boot_ns() reads the clocksource on every call: about a
 * third of a bare LRU lookup+update on this machine's KVM TSC (measured
 * by variants, docs/PERFORMANCE.md).  bpf_ktime_get_coarse_ns() returns
 * the time of the last tick (a few ms old at most) without touching the
 * hardware, but on CLOCK_MONOTONIC, which stops during suspend.  So the
 * packet path adds the boot - monotonic offset kept in pf_clock, renewed
 * by the first packet of every 2^30 ns of coarse time (about a second):
 * one exact read per second instead of one per packet, and a resume from
 * suspend is seen within that second.  Truncated to seconds, the result
 * differs from the exact clock only within a tick of a second's
 * boundary; pf's own clock (time_uptime) has 1 s steps too.
 *
 * Syscall programs (pf_ctl, and the sweep it runs) may not call the
 * coarse helper: they use pf_now_exact().  The map is private to the
 * loaded object (not pinned): a new object fills it on its first packet.
 */
#ifndef PF_CLOCK_H
#define PF_CLOCK_H

#define PF_NSEC 1000000000ULL

struct pf_clock_val {
	__u64 off;   /* CLOCK_BOOTTIME - CLOCK_MONOTONIC_COARSE, ns */
	__u64 epoch; /* coarse ns >> 30 when off was taken; 0: never */
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pf_clock_val);
} pf_clock SEC(".maps");

static __always_inline __u32 pf_now_exact(void)
{
	return (__u32)(bpf_ktime_get_boot_ns() / PF_NSEC);
}

/* Seconds since boot, for the packet programs. */
static __always_inline __u32 pf_now(void)
{
#ifdef PF_CLOCK_EXACT /* the exact clock on every call, for measuring */
	return pf_now_exact();
#else
	__u32 z = 0;
	struct pf_clock_val *cv = bpf_map_lookup_elem(&pf_clock, &z);
	__u64 c;

	if (!cv)
		return pf_now_exact();
	c = bpf_ktime_get_coarse_ns();
	if ((c >> 30) != cv->epoch) {
		cv->off = bpf_ktime_get_boot_ns() - c;
		cv->epoch = c >> 30;
	}
	return (__u32)((c + cv->off) / PF_NSEC);
#endif
}

#endif /* PF_CLOCK_H */
