/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pfbpf_syncookie.h - pf's `set syncookies`: the modes, the shared map, and
 * the cookie itself (docs/syncookies.md).
 *
 * The cookie is pf's format (OpenBSD pf_syncookies.c): a 32-bit ISN whose
 * top 24 bits are a MAC of the connection and whose low 8 bits carry
 * {odd/even key, SACK, window-scale index, MSS index} XORed with the MAC's
 * top byte.  The MAC is SipHash-2-4 over the 4-tuple and the client's ISN.
 *
 * Unlike pf, whose keys are random and rotated by a 15 s timeout, the key
 * of period e (CLOCK_TAI seconds / PF_SYNCOOKIE_PERIOD) is derived from one
 * long-lived secret: key(e) = SipHash(secret, e).  The odd/even bit is
 * e & 1.  So the two firewalls of an HA pair that share the secret (and run
 * NTP) compute the same keys and accept each other's cookies, and no timer
 * has to rotate anything.  A cookie is good in its own period and the next.
 *
 * Compiled by clang's BPF target and by gcc alike: the datapath makes and
 * checks cookies with it, the unit tests check the datapath's cookies.
 */
#ifndef PFBPF_SYNCOOKIE_H
#define PFBPF_SYNCOOKIE_H

#include "pfbpf_types.h"

/* pf's PF_SYNCOOKIES_* */
enum pf_syncookies_mode {
	PF_SYNCOOKIES_NEVER = 0,
	PF_SYNCOOKIES_ALWAYS = 1,
	PF_SYNCOOKIES_ADAPTIVE = 2,
	PF_SYNCOOKIES_MODE_MAX = 2,
};

/* pf's defaults, in hundredths of a percent of `limit states`
 * (PF_SYNCOOKIES_HIWATPCT 25, LOWATPCT HIWATPCT / 2). */
#define PF_SYNCOOKIES_START_DEFAULT 2500
#define PF_SYNCOOKIES_END_DEFAULT 1200
#define PF_SYNCOOKIES_PCT_MAX 10000

#define PF_SYNCOOKIE_PERIOD 15 /* seconds a key lives (pf's SECRET_LIFETIME) */
#define PF_SYNCOOKIE_SECRET_SIZE 16

#define PFBPF_MAP_SYNCOOKIE "pf_syncookie" /* array[1]: struct pf_syncookie_st */

/*
 * The live part (the configured mode and thresholds are in pf_config):
 * shared, updated atomically, one copy for every CPU and attachment.
 */
struct pf_syncookie_st {
	__u8 secret[PF_SYNCOOKIE_SECRET_SIZE]; /* all zero: made at PF_CTL_ARM */
	__s64 halfopen;     /* TCP states not yet established (pf's states_halfopen) */
	__u64 inflight[2];  /* cookies sent under the odd/even key, not yet validated */
	__u32 active;       /* 1: SYNs are answered with cookies */
	__u32 period;       /* the period inflight[period & 1] counts for */
	__u64 bad;          /* ACKs with a cookie that did not validate */
	__u64 replay_fail;  /* valid cookie, but the recreated SYN was refused */
};
PFBPF_ASSERT(sizeof(struct pf_syncookie_st) == 64, "pf_syncookie_st layout");

/* ---- SipHash-2-4 (Aumasson, Bernstein), over bytes, little endian ---- */

#define PF_SIP_ROTL(x, b) (((x) << (b)) | ((x) >> (64 - (b))))
#define PF_SIP_ROUND(v0, v1, v2, v3)                                          \
	do {                                                                  \
		v0 += v1; v1 = PF_SIP_ROTL(v1, 13); v1 ^= v0; v0 = PF_SIP_ROTL(v0, 32); \
		v2 += v3; v3 = PF_SIP_ROTL(v3, 16); v3 ^= v2;                 \
		v0 += v3; v3 = PF_SIP_ROTL(v3, 21); v3 ^= v0;                 \
		v2 += v1; v1 = PF_SIP_ROTL(v1, 17); v1 ^= v2; v2 = PF_SIP_ROTL(v2, 32); \
	} while (0)

static inline __u64 pf_sip_le64(const __u8 *p)
{
	__u64 v = 0;

	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

/* len is a compile-time constant at every call, so the loops unroll. */
static inline __u64 pf_siphash24(const __u8 key[16], const __u8 *msg, __u32 len)
{
	__u64 k0 = pf_sip_le64(key), k1 = pf_sip_le64(key + 8);
	__u64 v0 = k0 ^ 0x736f6d6570736575ULL, v1 = k1 ^ 0x646f72616e646f6dULL;
	__u64 v2 = k0 ^ 0x6c7967656e657261ULL, v3 = k1 ^ 0x7465646279746573ULL;
	__u64 m, b = (__u64)len << 56;
	__u32 i, full = len & ~7u;

	for (i = 0; i < full; i += 8) {
		m = pf_sip_le64(msg + i);
		v3 ^= m;
		PF_SIP_ROUND(v0, v1, v2, v3);
		PF_SIP_ROUND(v0, v1, v2, v3);
		v0 ^= m;
	}
	for (i = 0; i < (len & 7); i++)
		b |= (__u64)msg[full + i] << (8 * i);
	v3 ^= b;
	PF_SIP_ROUND(v0, v1, v2, v3);
	PF_SIP_ROUND(v0, v1, v2, v3);
	v0 ^= b;
	v2 ^= 0xff;
	PF_SIP_ROUND(v0, v1, v2, v3);
	PF_SIP_ROUND(v0, v1, v2, v3);
	PF_SIP_ROUND(v0, v1, v2, v3);
	PF_SIP_ROUND(v0, v1, v2, v3);
	return v0 ^ v1 ^ v2 ^ v3;
}

/* ---- the cookie -------------------------------------------------------- */

/* pf's tables: the MSS and window-scale values a cookie can say (MSS in
 * between rounds down; Alcock/Nelson 2011 and Allman 2012 distributions). */
/* Functions, not arrays: the datapath has no .rodata (pf_maps.h). */
static inline __u16 pf_syncookie_msstab(__u32 i)
{
	switch (i & 7) {
	case 0: return 216;
	case 1: return 536;
	case 2: return 1200;
	case 3: return 1360;
	case 4: return 1400;
	case 5: return 1440;
	case 6: return 1452;
	default: return 1460;
	}
}

static inline __u8 pf_syncookie_wstab(__u32 i)
{
	switch (i & 7) {
	case 0:
	case 1: return 0;
	case 2: return 1;
	case 3: return 2;
	case 4: return 4;
	case 5: return 6;
	case 6: return 7;
	default: return 8;
	}
}

/* The low byte before the XOR (pf's union pf_syncookie, low bit first). */
#define PF_SYNCOOKIE_ODDEVEN 0x01
#define PF_SYNCOOKIE_SACK 0x02
#define PF_SYNCOOKIE_WS_SHIFT 2 /* 3 bits */
#define PF_SYNCOOKIE_MSS_SHIFT 5 /* 3 bits */

/* What the MAC covers, in this order: the connection as the client sent it. */
struct pf_syncookie_msg {
	struct pf_addr src, dst; /* IPv4 in the first 4 bytes, the rest zero */
	__be16 sport, dport;
	__u32 seq;               /* the client's ISN, host order, little endian */
	__u8 cookie;             /* the flags byte */
	__u8 af;
	__u8 pad[6];
};
PFBPF_ASSERT(sizeof(struct pf_syncookie_msg) == 48, "pf_syncookie_msg layout");

/* The key of a period: SipHash(secret, period). */
static inline void pf_syncookie_key(const __u8 secret[16], __u32 period, __u8 key[16])
{
	__u8 p[8] = { (__u8)period, (__u8)(period >> 8), (__u8)(period >> 16),
		      (__u8)(period >> 24), 'p', 'f', 's', 'c' };
	__u64 a = pf_siphash24(secret, p, 8), b;

	p[7] = 'C';
	b = pf_siphash24(secret, p, 8);
	for (int i = 0; i < 8; i++) {
		key[i] = (__u8)(a >> (8 * i));
		key[8 + i] = (__u8)(b >> (8 * i));
	}
}

static inline __u32 pf_syncookie_mac(const __u8 key[16], struct pf_syncookie_msg *m, __u8 flags)
{
	__u64 h;

	m->cookie = flags;
	h = pf_siphash24(key, (const __u8 *)m, sizeof(*m));
	return (__u32)h ^ (__u32)(h >> 32);
}

/* MSS and wscale (0xff: no option) to the flags byte. */
static inline __u8 pf_syncookie_flags(__u16 mss, __u8 wscale, __u32 period)
{
	__u8 mi = 7, wi = 7;

	while (mi > 0 && pf_syncookie_msstab(mi) > mss)
		mi--;
	if (wscale == 0xff)
		wi = 0;
	else
		while (wi > 1 && pf_syncookie_wstab(wi) > wscale)
			wi--;
	/* pf: sack_ok stays 0 (its SYN|ACK offers no SACK either) */
	return (__u8)((period & 1) | (wi << PF_SYNCOOKIE_WS_SHIFT) | (mi << PF_SYNCOOKIE_MSS_SHIFT));
}

/* The ISN of our SYN|ACK: MAC in the top 24 bits, flags ^ MAC's top byte. */
static inline __u32 pf_syncookie_iss(const __u8 key[16], struct pf_syncookie_msg *m, __u8 flags)
{
	__u32 h = pf_syncookie_mac(key, m, flags);

	return (h & ~0xffu) | ((flags ^ (h >> 24)) & 0xff);
}

/* The flags byte a returned ISN (the client's ack - 1) claims. */
static inline __u8 pf_syncookie_flags_of(__u32 iss)
{
	return (__u8)((iss & 0xff) ^ (iss >> 24));
}

/* Does iss (the client's ack - 1) carry a good MAC under key? */
static inline int pf_syncookie_ok(const __u8 key[16], struct pf_syncookie_msg *m, __u32 iss)
{
	__u32 h = pf_syncookie_mac(key, m, pf_syncookie_flags_of(iss));

	return (iss & ~0xffu) == (h & ~0xffu);
}

static inline __u16 pf_syncookie_mss(__u8 flags)
{
	return pf_syncookie_msstab(flags >> PF_SYNCOOKIE_MSS_SHIFT);
}

/* Adaptive mode: on above start, off below end (hundredths of a percent of
 * `limit states`); counts as pf compares them (states_halfopen > hiwat). */
static inline int pf_syncookie_above(__s64 n, __u32 limit, __u32 pct)
{
	return n > 0 && (__u64)n * PF_SYNCOOKIES_PCT_MAX > (__u64)limit * pct;
}

#endif /* PFBPF_SYNCOOKIE_H */
