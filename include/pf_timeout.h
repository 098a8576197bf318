/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pf_timeout.h - the timeout in force for a state, written once for both
 * sides: clang's BPF target compiles it into the datapath (the sweep and
 * the lookup decide with it) and gcc into libpfbpf (pfctl_bpf -st, -ss -v
 * "expires in"), so what pfctl shows is what the datapath does.
 *
 * The rules followed are pf's (OpenBSD sys/net/pf.c pf_state_expires(),
 * FreeBSD sys/netpfil/pf/pf.c the same, pfctl's parse.y and pfctl.c):
 *  - a timeout class takes the value of the state's rule if the rule set
 *    one, else the global one, else pf's default;
 *  - adaptive scaling uses the rule's own adaptive.start/adaptive.end and
 *    the rule's current state count when the rule set adaptive.start
 *    (a rule end of 0 then means no scaling), else the global bounds and
 *    the global state count;
 *  - between start and end every timeout shrinks by
 *    (end - states) / (end - start); at end states the state dies now;
 *  - pfctl derives adaptive bounds it was not given from the state limit
 *    as (limit / 10) * 6 and (limit / 10) * 12, but only when neither bound
 *    was set (globally from `set limit states`, per rule from `max N`).
 *    pf_config keeps unset bounds as 0, so the global derivation follows a
 *    later change of the limit as a reloaded pfctl ruleset would.
 *
 * Nothing here touches a map: callers look up the rule's profile and state
 * count (each side has its own way) and pass them in.  No tables either:
 * a table would land in .rodata, which iproute2 gives each attachment a
 * copy of.
 */
#ifndef PF_TIMEOUT_H
#define PF_TIMEOUT_H

#include "pfbpf_types.h"

#ifdef __bpf__
#define PF_TM_INLINE static __always_inline
/*
 * v if v < lim, else 0, with the comparison made on the very register that
 * indexes the array afterwards: clang otherwise happily tests one copy and
 * indexes with another, which the verifier cannot follow.
 */
#define PF_CLAMP(v, lim) \
	asm volatile("if %[x] < %[l] goto +1; %[x] = 0" : [x] "+r"(v) : [l] "i"(lim))
#else
#define PF_TM_INLINE static inline
#define PF_CLAMP(v, lim) \
	do {                     \
		if ((v) >= (lim)) \
			(v) = 0;  \
	} while (0)
#endif

#define PF_ADAPTIVE_START_DEFAULT 60000  /* pf's PFSTATE_ADAPT_START */
#define PF_ADAPTIVE_END_DEFAULT 120000   /* pf's PFSTATE_ADAPT_END */

/* pf's default for a timeout class, in seconds (states for the adaptive
 * bounds: those of the default limit of 100000 states). */
PF_TM_INLINE __u32 pf_default_timeout(__u32 c)
{
	if (c == PFTM_TCP_FIRST_PACKET) return 120;
	if (c == PFTM_TCP_OPENING) return 30;
	if (c == PFTM_TCP_ESTABLISHED) return 86400;
	if (c == PFTM_TCP_CLOSING) return 900;
	if (c == PFTM_TCP_FIN_WAIT) return 45;
	if (c == PFTM_TCP_CLOSED) return 90;
	if (c == PFTM_UDP_FIRST_PACKET) return 60;
	if (c == PFTM_UDP_SINGLE) return 30;
	if (c == PFTM_UDP_MULTIPLE) return 60;
	if (c == PFTM_ICMP_FIRST_PACKET) return 20;
	if (c == PFTM_ICMP_ERROR_REPLY) return 10;
	if (c == PFTM_OTHER_FIRST_PACKET) return 60;
	if (c == PFTM_OTHER_SINGLE) return 30;
	if (c == PFTM_OTHER_MULTIPLE) return 60;
	if (c == PFTM_FRAG) return 30;
	if (c == PFTM_INTERVAL) return 10;
	if (c == PFTM_ADAPTIVE_START) return PF_ADAPTIVE_START_DEFAULT;
	if (c == PFTM_ADAPTIVE_END) return PF_ADAPTIVE_END_DEFAULT;
	if (c == PFTM_TS_DIFF) return 30;
	return 0;
}

PF_TM_INLINE int pf_timeout_is_adaptive(__u32 c)
{
	return c == PFTM_ADAPTIVE_START || c == PFTM_ADAPTIVE_END;
}

/* Only the state classes scale (pf scales whatever s->timeout names, and
 * those are the only classes a state carries). */
PF_TM_INLINE int pf_timeout_scales(__u32 c)
{
	return c <= PFTM_OTHER_MULTIPLE;
}

PF_TM_INLINE __u32 pf_config_limit_states(const struct pf_config *cfg)
{
	return cfg->limit[PF_LIMIT_STATES] ? cfg->limit[PF_LIMIT_STATES] : PF_DEFAULT_LIMIT_STATES;
}

/* pfctl's bounds for a state limit (parse.y for `max N`, pfctl.c for
 * `set limit states`): the division first, as pfctl does it. */
PF_TM_INLINE __u32 pf_adaptive_start_for(__u32 limit)
{
	return (limit / 10) * 6;
}

PF_TM_INLINE __u32 pf_adaptive_end_for(__u32 limit)
{
	return (limit / 10) * 12;
}

/*
 * The global bounds as stored, derived when neither is set.  Values may
 * carry PFBPF_ADAPTIVE_OFF (pfbpf_ioctl.h): compared raw they exceed any
 * state count, which is how "scaling off" works; pf_timeout_shown() masks
 * the bit for display.
 */
PF_TM_INLINE __u32 pf_adaptive_global(const struct pf_config *cfg, __u32 c)
{
	__u32 start = cfg->timeout[PFTM_ADAPTIVE_START], end = cfg->timeout[PFTM_ADAPTIVE_END];

	if (!start && !end) {
		__u32 limit = pf_config_limit_states(cfg);

		return c == PFTM_ADAPTIVE_START ? pf_adaptive_start_for(limit)
						: pf_adaptive_end_for(limit);
	}
	if (c == PFTM_ADAPTIVE_START) {
		if (!start)
			return PF_ADAPTIVE_START_DEFAULT;
		/* an explicit start of 0 under a live end: scale from the
		 * first state, as pf does (only end 0 turns scaling off) */
		if (start == PFBPF_ADAPTIVE_OFF && end && !(end & PFBPF_ADAPTIVE_OFF))
			return 0;
		return start;
	}
	return end ? end : PF_ADAPTIVE_END_DEFAULT;
}

/* Global value of a class: pf_config, zero meaning pf's default. */
PF_TM_INLINE __u32 pf_timeout_global(const struct pf_config *cfg, __u32 c)
{
	__u64 i = c;
	__u32 v;

	if (c >= PFTM_MAX)
		return 0;
	if (pf_timeout_is_adaptive(c))
		return pf_adaptive_global(cfg, c);
	PF_CLAMP(i, PFTM_MAX);
	v = cfg->timeout[i];
	return v ? v : pf_default_timeout(c);
}

/* The global value as pfctl shows and DIOCGETTIMEOUT returns it. */
PF_TM_INLINE __u32 pf_timeout_shown(const struct pf_config *cfg, __u32 c)
{
	__u32 v = pf_timeout_global(cfg, c);

	return pf_timeout_is_adaptive(c) ? v & PFBPF_ADAPTIVE_MAX : v;
}

/* A rule's own value of a class, 0 if it set none (or has no profile). */
PF_TM_INLINE __u32 pf_tprofile_value(const struct pf_tprofile *tp, __u32 c)
{
	__u64 i = c;

	if (!tp || c >= PFTM_MAX)
		return 0;
	PF_CLAMP(i, PFTM_MAX);
	return tp->timeout[i];
}

/* Does the rule scale by its own state count?  pf: when it set
 * adaptive.start (pfctl sets it for every `max N` rule). */
PF_TM_INLINE int pf_tprofile_adaptive(const struct pf_tprofile *tp)
{
	return pf_tprofile_value(tp, PFTM_ADAPTIVE_START) != 0;
}

/*
 * Seconds a state of class c lives past its last refresh: the rule's or
 * the global value, scaled by the rule's or the global adaptive bounds.
 * gstates is the global state count, rstates the rule's (only read when
 * pf_tprofile_adaptive(tp)).  *dead is set when the count reached end:
 * the state expires now, whatever its refresh time.
 */
PF_TM_INLINE __u64 pf_timeout_in_force(const struct pf_config *cfg, const struct pf_tprofile *tp,
				       __u32 c, __s64 gstates, __u64 rstates, int *dead)
{
	__u64 timeout = pf_tprofile_value(tp, c), start, end, states;

	*dead = 0;
	if (c >= PFTM_MAX)
		return 0;
	if (!timeout)
		timeout = pf_timeout_global(cfg, c);
	if (!pf_timeout_scales(c))
		return timeout;
	if (pf_tprofile_adaptive(tp)) {
		start = pf_tprofile_value(tp, PFTM_ADAPTIVE_START);
		end = pf_tprofile_value(tp, PFTM_ADAPTIVE_END);
		states = rstates;
	} else {
		start = pf_adaptive_global(cfg, PFTM_ADAPTIVE_START);
		end = pf_adaptive_global(cfg, PFTM_ADAPTIVE_END);
		states = gstates > 0 ? (__u64)gstates : 0;
	}
	if (end && start < end && states > start) {
		if (states >= end) {
			*dead = 1;
			return 0;
		}
		timeout = timeout * (end - states) / (end - start);
	}
	return timeout;
}

/* pf_state_expires(): the second at which a state refreshed at `expire`
 * dies, `now` if the adaptive end is reached. */
PF_TM_INLINE __u64 pf_expires_at(const struct pf_config *cfg, const struct pf_tprofile *tp,
				 __u32 c, __u32 expire, __s64 gstates, __u64 rstates, __u32 now)
{
	int dead;
	__u64 t = pf_timeout_in_force(cfg, tp, c, gstates, rstates, &dead);

	return dead ? now : (__u64)expire + t;
}

#endif /* PF_TIMEOUT_H */
