// SPDX-License-Identifier: BSD-2-Clause
/* Evaluator: operators, variables, members, functions, printf, actions and
 * runtime errors, driven by synthetic pf and ip events. */
#include "test_dt_helpers.h"

#define BEGIN_EQ(body, want)                                       \
	do {                                                       \
		struct dtrun r_;                                   \
		cr_assert_str_eq(begin_out(&r_, body), want, "%s", body); \
		dtdone(&r_);                                       \
	} while (0)

Test(dt_eval, arithmetic_and_precedence)
{
	BEGIN_EQ("printf(\"%d %d %d %d %d\", 1 + 2 * 3, (1 + 2) * 3, 7 / 2, -7 / 2, -7 % 3);",
		 "7 9 3 -3 -1");
	BEGIN_EQ("printf(\"%d %d %d %d\", 1 << 4, 256 >> 2, 0xf0 | 0x0f, 0xff & ~0x0f);",
		 "16 64 255 240");
	BEGIN_EQ("printf(\"%d %d %d\", 6 ^ 3, 1 + 2 == 3, 2 < 1 || 3 > 2 && 1);", "5 1 1");
	BEGIN_EQ("printf(\"%d %d %d %d\", 1 ^^ 1, 0 ^^ 2, !0, !5);", "0 1 1 0");
	BEGIN_EQ("printf(\"%d %d\", 10 - 2 - 3, 2 * 3 % 4);", "5 2");
	BEGIN_EQ("printf(\"%d %d %d\", 1 ? 2 : 3, 0 ? 2 : 0 ? 4 : 5, -(-3));", "2 5 3");
	BEGIN_EQ("printf(\"%u %d\", (uint8_t)257, (int8_t)255);", "1 -1");
	BEGIN_EQ("printf(\"%d %d %d\", (uint8_t)257 + 1, (uint8_t)(255 + 2) * 3, -(int8_t)200);", "2 3 56");
	BEGIN_EQ("printf(\"%u\", (uint64_t)0 - 1);", "18446744073709551615");
	/* unsigned 64-bit operands compare and divide unsigned */
	BEGIN_EQ("printf(\"%d %u\", 0xffffffffffffffff > 1, 0xffffffffffffffff / 2);",
		 "1 9223372036854775807");
}

Test(dt_eval, strings)
{
	BEGIN_EQ("printf(\"%d %d %d %d\", \"abc\" == \"abc\", \"abc\" < \"abd\", \"b\" > \"a\", \"x\" != \"x\");",
		 "1 1 1 0");
	BEGIN_EQ("printf(\"%s|%s|%s\", strjoin(\"foo\", \"bar\"), stringof(42), stringof(\"s\"));",
		 "foobar|42|s");
	BEGIN_EQ("printf(\"%s %s %s %s\", lltostr(-12), lltostr(255, 16), lltostr(5, 2), lltostr(0));",
		 "-12 0xff 101 0");
	BEGIN_EQ("printf(\"%d %s|%s|%s|%s\", strlen(\"hello\"), substr(\"hello\", 1), substr(\"hello\", 1, 3), "
		 "substr(\"hello\", -2), strstr(\"hello\", \"ll\"));", "5 ello|ell|lo|llo");
	BEGIN_EQ("x = \"\"; printf(\"%d %d\", !x, x == \"\");", "1 1");
}

Test(dt_eval, printf_conversions)
{
	BEGIN_EQ("printf(\"[%5d][%-5d][%05d][%+d][% d]\", 42, 42, 42, 42, 42);",
		 "[   42][42   ][00042][+42][ 42]");
	BEGIN_EQ("printf(\"[%x][%X][%#x][%o][%#o][%c][%%][%i]\", 255, 255, 255, 8, 8, 65, 7);",
		 "[ff][FF][0xff][10][010][A][%][7]");
	BEGIN_EQ("printf(\"[%10s][%-10s][%.2s][%s]\", \"abc\", \"abc\", \"abc\", \"\");",
		 "[       abc][abc       ][ab][]");
	BEGIN_EQ("printf(\"[%lld][%llu][%lu][%hhd][%zu]\", -1, 5, 6, 7, 8);", "[-1][5][6][7][8]");
	BEGIN_EQ("printf(\"%u\", -1);", "18446744073709551615");
	BEGIN_EQ("printf(\"%d%%\", 50);", "50%");
	BEGIN_EQ("printf(\"%.2f %e\", 3, 10);", "3.00 1.000000e+01");
	BEGIN_EQ("printf(\"no conversions\\n\");", "no conversions\n");
}

Test(dt_eval, constants)
{
	BEGIN_EQ("printf(\"%d %d %d %d %d %d\", TCPS_ESTABLISHED, TCPS_FIN_WAIT_2, PF_IN, PF_OUT, "
		 "PF_SK_WIRE, PF_SK_STACK);", "4 9 1 2 0 1");
	BEGIN_EQ("printf(\"%d %d %d %d %d\", AF_INET, AF_INET6, IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMPV6);",
		 "2 10 6 17 58");
	BEGIN_EQ("printf(\"%s %s %s %s %s\", protocols[6], protocols[17], protocols[1], protocols[58], "
		 "protocols[253]);", "tcp udp icmp ipv6-icmp 253");
}

Test(dt_eval, global_this_and_self_variables)
{
	struct dtrun r;
	struct pf_event ev = mkpf(PF_EV_STATE_CREATE, 1, PF_OUT, "198.51.100.1", 1000,
				  "198.51.100.2", 80, 6, 2, 0);

	cr_assert_not_null(dtc(&r, "BEGIN { n = 10; self->k = 1; }\n"
			       "pf:::state-create { n++; ++n; n += 2; n -= 1; n *= 2; this->t = n; self->k <<= 1; }\n"
			       "pf:::state-create { printf(\"%d %d %d|\", n, this->t, self->k); }\n"
			       "pf:::state-destroy { printf(\"this=%d|\", this->t); }\n", 1), "%s", r.cerr);
	dt_begin(r.p, 0);
	dt_fire_pf(r.p, DT_PROBE_PF_STATE_CREATE, &ev);
	dt_fire_pf(r.p, DT_PROBE_PF_STATE_CREATE, &ev);
	/* this-> is clause-local: a new firing starts from zero */
	dt_fire_pf(r.p, DT_PROBE_PF_STATE_DESTROY, &ev);
	cr_assert_str_eq(dt_out(&r), "26 26 2|58 58 4|this=0|");
	dtdone(&r);
}

Test(dt_eval, x_post_and_pre_increment_values)
{
	BEGIN_EQ("x = 5; a = x++; b = ++x; c = x--; printf(\"%d %d %d %d\", a, b, c, x);", "5 7 7 6");
	BEGIN_EQ("x = 7; x /= 2; y = 7; y %= 4; z = 1; z |= 6; z ^= 1; z &= 3; w = 256; w >>= 4;"
		 "printf(\"%d %d %d %d\", x, y, z, w);", "3 3 2 16");
	/* an int variable keeps its C type: it wraps as a 32-bit int */
	BEGIN_EQ("x = 2147483647; x++; printf(\"%d\", x);", "-2147483648");
}

static const char *seed_create =
	"pf*:::state-create\n{\n    state = args[0];\n    src = args[0]->key[PF_SK_STACK];\n"
	"    dst = args[0]->key[PF_SK_WIRE];\n    proto_num  = src->proto;\n"
	"    proto_name = protocols[proto_num];\n"
	"    direction = state->direction == PF_IN ? \"<-\" : \"->\";\n"
	"\tsaddr = src->af == AF_INET ?\n\t    inet_ntoa(&(src->addr[src_ip].pfa.v4.s_addr)) :\n"
	"\t    inet_ntoa6(&(src->addr[src_ip].pfa.v6));\n"
	"    daddr = src->af == AF_INET ?\n\t    inet_ntoa(&(src->addr[dst_ip].pfa.v4.s_addr)) :\n"
	"\t    inet_ntoa6(&(src->addr[dst_ip].pfa.v6));\n"
	"    printf( \"pf:::state:create(%u) %s %i %s %s %s\\n\",\n            state->id,\n"
	"            proto_name,\n            proto_num,\n            saddr, direction, daddr );\n}\n";

Test(dt_eval, seed_state_create_clause)
{
	struct dtrun r;
	struct pf_event out4 = mkpf(PF_EV_STATE_CREATE, 7, PF_OUT, "198.51.100.1", 40000,
				    "198.51.100.2", 80, 6, 2, 0);
	struct pf_event in6 = mkpf(PF_EV_STATE_CREATE, 8, PF_IN, "2001:db8::1", 5000,
				   "2001:db8::2", 22, 17, 1, 0);

	cr_assert_not_null(dtc(&r, seed_create, 1), "%s", r.cerr);
	dt_begin(r.p, 0);
	dt_fire_pf(r.p, DT_PROBE_PF_STATE_CREATE, &out4);
	dt_fire_pf(r.p, DT_PROBE_PF_STATE_CREATE, &in6);
	/* this host's side first, like pfctl -ss, whichever way the state points */
	cr_assert_str_eq(dt_out(&r), "pf:::state:create(7) tcp 6 198.51.100.1 -> 198.51.100.2\n"
			 "pf:::state:create(8) udp 17 2001:db8::2 <- 2001:db8::1\n");
	cr_assert_eq(dt_errors(r.p), 0);
	dtdone(&r);
}

Test(dt_eval, src_ip_can_be_a_variable)
{
	struct dtrun r;
	struct pf_event ev = mkpf(PF_EV_STATE_CREATE, 1, PF_OUT, "198.51.100.1", 1, "198.51.100.2",
				  2, 6, 2, 0);

	cr_assert_not_null(dtc(&r, "BEGIN { src_ip = 0; }\npf:::state-create { printf(\"%s\", "
			       "inet_ntoa(&args[0]->key[0]->addr[src_ip].pfa.v4.s_addr)); }", 1), "%s", r.cerr);
	dt_begin(r.p, 0);
	dt_fire_pf(r.p, DT_PROBE_PF_STATE_CREATE, &ev);
	cr_assert_str_eq(dt_out(&r), "198.51.100.2");
	dtdone(&r);
}

Test(dt_eval, state_members)
{
	struct dtrun r;
	struct pf_event ev = mkpf(PF_EV_STATE_DESTROY, 3, PF_IN, "203.0.113.5", 1234,
				  "198.51.100.2", 443, 6, TCPS_FIN_WAIT_2, TCPS_TIME_WAIT);

	ev.reason = PF_DESTROY_RST;
	ev.old_pstate[0] = TCPS_ESTABLISHED;
	ev.state.packets[0] = 10;
	ev.state.packets[1] = 12;
	ev.state.bytes[0] = 1000;
	ev.state.bytes[1] = 9000;
	ev.state.rule = 4;
	ev.state.seqlo[0] = 0xdeadbeef;
	ev.state.max_win[1] = 65535;
	ev.state.wscale[1] = 0x87;
	ev.state.mss[0] = 1460;
	ev.state.creation = 100;
	ev.state.expire = 160;
	ev.state.timeout = 5;
	cr_assert_not_null(dtc(&r, "pf:::state-destroy {\n"
			       "printf(\"%d %x %s %d|\", args[0]->id, args[0]->creatorid, args[0]->direction, args[0]->direction);\n"
			       "printf(\"%d %d %d %x|\", args[0]->src.state, args[0]->dst.state, args[0]->src.old_state, args[0]->src.seqlo);\n"
			       "printf(\"%d %x %d|\", args[0]->dst.max_win, args[0]->dst.wscale, args[0]->src.mss);\n"
			       "printf(\"%d %d %d %d|\", args[0]->packets[0], args[0]->packets[1], args[0]->bytes[0], args[0]->bytes[1]);\n"
			       "printf(\"%d %d %d %d %d %s|\", args[0]->rule, args[0]->creation, args[0]->expire, args[0]->timeout, args[0]->reason, args[0]->reason_str);\n"
			       "printf(\"%s:%d %s:%d %s %d %d %s|\", args[0]->src_ip, args[0]->src_port, args[0]->dst_ip, args[0]->dst_port, args[0]->proto_str, args[0]->proto, args[0]->af, args[0]->ifname);\n"
			       "printf(\"%d %d %d|\", ntohs(args[0]->key[PF_SK_WIRE]->port[0]), ntohs(args[0]->key[1]->port[1]), args[0]->key[0]->af);\n"
			       "printf(\"%d.%d %x\", args[0]->key[0]->addr[0].pfa.addr8[0], args[0]->key[0]->addr[0].addr8[3], ntohl(args[0]->key[0]->addr[1].v4.s_addr));\n"
			       "}", 1), "%s", r.cerr);
	dt_begin(r.p, 0);
	dt_fire_pf(r.p, DT_PROBE_PF_STATE_DESTROY, &ev);
	cr_assert_str_eq(dt_out(&r), "3 abcd <- 1|9 10 4 deadbeef|65535 87 1460|10 12 1000 9000|"
			 "4 100 160 5 5 rst|198.51.100.2:443 203.0.113.5:1234 tcp 6 2 veth0|"
			 "1234 443 2|203.5 c6336402");
	dtdone(&r);
}

Test(dt_eval, struct_copy_is_a_snapshot)
{
	struct dtrun r;
	struct pf_event a = mkpf(PF_EV_STATE_CREATE, 1, PF_OUT, "198.51.100.1", 1, "198.51.100.2", 2, 6, 2, 0);
	struct pf_event b = mkpf(PF_EV_STATE_DESTROY, 2, PF_IN, "2001:db8::5", 1, "2001:db8::6", 2, 17, 1, 1);

	cr_assert_not_null(dtc(&r, "pf:::state-create { s = *args[0]; p = args[0]; k = *args[0]->key[0]; }\n"
			       "pf:::state-destroy { printf(\"%d %s %s %d|%d|%d\", s.id, s.src_ip, s.direction, "
			       "s.src.state, p->id, k.proto); }", 1), "%s", r.cerr);
	dt_begin(r.p, 0);
	dt_fire_pf(r.p, DT_PROBE_PF_STATE_CREATE, &a);
	dt_fire_pf(r.p, DT_PROBE_PF_STATE_DESTROY, &b);
	/* the copy keeps event 1; the pointer sees the probe's current state */
	cr_assert_str_eq(dt_out(&r), "1 198.51.100.1 -> 2|2|6");
	dtdone(&r);
}

Test(dt_eval, inet_functions)
{
	struct dtrun r;
	struct pf_event ev = mkpf(PF_EV_STATE_CREATE, 1, PF_IN, "2001:db8::1", 1, "2001:db8:0:0:1::2", 2, 6, 2, 0);
	struct pf_event e4 = mkpf(PF_EV_STATE_CREATE, 2, PF_IN, "192.0.2.1", 1, "192.0.2.200", 2, 6, 2, 0);

	cr_assert_not_null(dtc(&r, "pf:::state-create { k = args[0]->key[0];\n"
			       "printf(\"%s %s %s|\", inet_ntop(k->af, &k->addr[0]), inet_ntop(k->af, &k->addr[1].pfa),"
			       " k->af == AF_INET6 ? inet_ntoa6(&k->addr[1].v6) : inet_ntoa(&k->addr[1].v4.s_addr)); }", 1),
			   "%s", r.cerr);
	dt_begin(r.p, 0);
	dt_fire_pf(r.p, DT_PROBE_PF_STATE_CREATE, &ev);
	dt_fire_pf(r.p, DT_PROBE_PF_STATE_CREATE, &e4);
	cr_assert_str_eq(dt_out(&r), "2001:db8::1 2001:db8::1:0:0:2 2001:db8::1:0:0:2|192.0.2.1 192.0.2.200 192.0.2.200|");
	dtdone(&r);
}

Test(dt_eval, ip_probe_arguments)
{
	struct dtrun r;
	struct pf_ip_event v4 = mkip(PF_EV_IP_SEND, "198.51.100.1", "198.51.100.2", 100, 2, 5000);
	struct pf_ip_event v6 = mkip(PF_EV_IP_RECEIVE, "2001:db8::1", "2001:db8::2", 64, 1, 9000);

	cr_assert_not_null(dtc(&r, "ip:::send {\n"
			       "printf(\"%d %d %d %d|\", args[0]->pkt_addr, args[1]->cs_addr, args[1]->cs_cid, args[1]->cs_pid);\n"
			       "printf(\"%d %d %s %s|\", args[2]->ip_ver, args[2]->ip_plength, args[2]->ip_saddr, args[2]->ip_daddr);\n"
			       "printf(\"%s %d %d|\", args[3]->if_name, args[3]->if_local, args[3]->if_addr);\n"
			       "printf(\"%d %d %d %x %d %s %s %s %s|\", args[4]->ipv4_ver, args[4]->ipv4_ihl, args[4]->ipv4_length,"
			       " args[4]->ipv4_ident, args[4]->ipv4_ttl, args[4]->ipv4_protostr, args[4]->ipv4_saddr,"
			       " args[4]->ipv4_daddr, inet_ntoa(&args[4]->ipv4_src));\n}\n"
			       "ip:::receive {\n"
			       "printf(\"%d %s %d|\", args[2]->ip_ver, args[3]->if_name, args[3]->if_local);\n"
			       "printf(\"%d %d %x %d %s %d %s %s %s|\", args[5]->ipv6_ver, args[5]->ipv6_plen, args[5]->ipv6_flow,"
			       " args[5]->ipv6_nexthdr, args[5]->ipv6_nextstr, args[5]->ipv6_hlim, args[5]->ipv6_saddr,"
			       " args[5]->ipv6_daddr, inet_ntoa6(args[5]->ipv6_dst));\n}\n", 1), "%s", r.cerr);
	cr_assert(dt_prog_uses(r.p, DT_PROBE_IP_SEND) && dt_prog_uses(r.p, DT_PROBE_IP_RECEIVE));
	dt_begin(r.p, 0);
	dt_fire_ip(r.p, DT_PROBE_IP_SEND, &v4);
	dt_fire_ip(r.p, DT_PROBE_IP_RECEIVE, &v6);
	cr_assert_str_eq(dt_out(&r), "0 0 0 0|4 100 198.51.100.1 198.51.100.2|veth0 0 0|"
			 "4 5 120 1234 64 tcp 198.51.100.1 198.51.100.2 198.51.100.1|"
			 "6 lo 1|6 64 12345 58 ipv6-icmp 64 2001:db8::1 2001:db8::2 2001:db8::2|");
	cr_assert_eq(dt_errors(r.p), 0);
	dtdone(&r);
}

Test(dt_eval, seed_ip_table_script)
{
	struct dtrun r;
	struct pf_ip_event s = mkip(PF_EV_IP_SEND, "198.51.100.1", "198.51.100.2", 40, 2, 2000000);
	struct pf_ip_event v = mkip(PF_EV_IP_RECEIVE, "2001:db8::1", "2001:db8::2", 64, 2, 5500000);
	const char *src =
		"#pragma D option quiet\n#pragma D option switchrate=10Hz\ndtrace:::BEGIN\n{\n"
		"printf(\" %10s %30s %-30s %8s %6s\\n\", \"DELTA(us)\", \"SOURCE\",\n\"DEST\", \"INT\", \"BYTES\");\n"
		"last = timestamp;\n}\nip:::send\n{\nthis->elapsed = (timestamp - last) / 1000;\n"
		"printf(\" %10d %30s -> %-30s %8s %6d\\n\", this->elapsed,\nargs[2]->ip_saddr, args[2]->ip_daddr, "
		"args[3]->if_name,\nargs[2]->ip_plength);\nlast = timestamp;\n}\nip:::receive\n{\n"
		"this->elapsed = (timestamp - last) / 1000;\nprintf(\" %10d %30s <- %-30s %8s %6d\\n\", this->elapsed,\n"
		"args[2]->ip_daddr, args[2]->ip_saddr, args[3]->if_name,\nargs[2]->ip_plength);\nlast = timestamp;\n}\n";

	cr_assert_not_null(dtc(&r, src, 0), "%s", r.cerr);
	dt_begin(r.p, 1000000);
	dt_fire_ip(r.p, DT_PROBE_IP_SEND, &s);
	dt_fire_ip(r.p, DT_PROBE_IP_RECEIVE, &v);
	dt_end(r.p, 2000000);
	cr_assert_str_eq(dt_out(&r),
			 "  DELTA(us)                         SOURCE DEST                                INT  BYTES\n"
			 "       1000                   198.51.100.1 -> 198.51.100.2                      veth0     40\n"
			 "       3500                    2001:db8::2 <- 2001:db8::1                       veth0     64\n");
	dtdone(&r);
}

Test(dt_eval, builtins)
{
	struct dtrun r;
	struct pf_event ev = mkpf(PF_EV_TCP_CLOSED, 4, PF_OUT, "198.51.100.1", 1, "198.51.100.2", 2, 6, 9, 9);

	cr_assert_not_null(dtc(&r, "pf:::tcp-closed { printf(\"%d %d %d %s:%s:%s:%s %d %d %d %s\", timestamp, walltimestamp,"
			       " cpu, probeprov, probemod, probefunc, probename, id, epid, pid, execname); }", 1), "%s", r.cerr);
	dt_begin(r.p, 0);
	dt_fire_pf(r.p, DT_PROBE_PF_TCP_CLOSED, &ev);
	cr_assert_str_eq(dt_out(&r), "4000000000 1004000000000 1 pf:pf_kern::tcp-closed 8 1 0 pftrace");
	dtdone(&r);
}

Test(dt_eval, predicates)
{
	struct dtrun r;
	struct pf_event a = mkpf(PF_EV_STATE_CHANGE, 1, PF_OUT, "198.51.100.1", 1, "198.51.100.2", 2, 6,
				 TCPS_ESTABLISHED, TCPS_ESTABLISHED);
	struct pf_event b = mkpf(PF_EV_STATE_CHANGE, 2, PF_OUT, "198.51.100.1", 1, "198.51.100.2", 2, 6,
				 TCPS_FIN_WAIT_2, TCPS_FIN_WAIT_2);

	cr_assert_not_null(dtc(&r, "pf*:::state-change\n/ args[0]->src.state == TCPS_ESTABLISHED && "
			       "args[0]->dst.state == TCPS_ESTABLISHED /\n{ printf(\"est(%d)\", args[0]->id); }\n"
			       "pf*:::state-change / args[0]->src_ip == \"198.51.100.1\" && (args[0]->id / 2) == 1 / "
			       "{ printf(\"two(%d)\", args[0]->id); }\n"
			       "pf:::state-change / args[0]->src.state != TCPS_ESTABLISHED / { printf(\"fin(%d)\", args[0]->id); }\n", 1),
			   "%s", r.cerr);
	dt_begin(r.p, 0);
	dt_fire_pf(r.p, DT_PROBE_PF_STATE_CHANGE, &a);
	dt_fire_pf(r.p, DT_PROBE_PF_STATE_CHANGE, &b);
	cr_assert_str_eq(dt_out(&r), "est(1)two(2)fin(2)");
	dtdone(&r);
}

Test(dt_eval, non_quiet_output)
{
	struct dtrun r;
	struct pf_event ev = mkpf(PF_EV_STATE_DESTROY, 9, PF_OUT, "198.51.100.1", 1, "198.51.100.2", 2, 6, 0, 0);

	cr_assert_not_null(dtc(&r, "BEGIN { }\npf:::state-destroy { printf(\"destroy(%d)\", args[0]->id); trace(7);"
			       " trace(\"s\"); }\npf:::state-destroy { @n = count(); }\nEND { x = 1; }", 0), "%s", r.cerr);
	dt_begin(r.p, 0);
	dt_fire_pf(r.p, DT_PROBE_PF_STATE_DESTROY, &ev);
	dt_end(r.p, 1);
	/* an aggregation-only clause prints no probe line */
	cr_assert_str_eq(dt_out(&r),
			 "CPU     ID                    FUNCTION:NAME\n"
			 "  0      1                           :BEGIN \n"
			 "  1      6                   :state-destroy destroy(9)                7 s\n"
			 "  0      2                             :END \n"
			 "\n                1\n");
	dtdone(&r);
}

Test(dt_eval, trace_quiet)
{
	BEGIN_EQ("trace(1); trace(\"-\"); trace(-2); trace(\"|\"); trace(timestamp);", "1--2|5000");
}

Test(dt_eval, exit_stops_and_end_runs)
{
	struct dtrun r;
	struct pf_event ev = mkpf(PF_EV_STATE_CREATE, 1, PF_OUT, "198.51.100.1", 1, "198.51.100.2", 2, 6, 0, 0);
	int st = -1;

	cr_assert_not_null(dtc(&r, "BEGIN { n = 0; }\npf:::state-create { n++; printf(\"%d;\", n); }\n"
			       "pf:::state-create / n == 2 / { exit(4); printf(\"same clause;\"); }\n"
			       "pf:::state-create { printf(\"after;\"); }\nEND { printf(\"end %d\", n); }", 1), "%s", r.cerr);
	dt_begin(r.p, 0);
	cr_assert_eq(dt_fire_pf(r.p, DT_PROBE_PF_STATE_CREATE, &ev), 0);
	cr_assert_eq(dt_exited(r.p, &st), 0);
	cr_assert_neq(dt_fire_pf(r.p, DT_PROBE_PF_STATE_CREATE, &ev), 0);
	cr_assert_neq(dt_fire_pf(r.p, DT_PROBE_PF_STATE_CREATE, &ev), 0);
	cr_assert(dt_exited(r.p, &st));
	cr_assert_eq(st, 4);
	dt_end(r.p, 5);
	cr_assert_str_eq(dt_out(&r), "1;after;2;same clause;end 2");
	dtdone(&r);
}

Test(dt_eval, ticks)
{
	struct dtrun r;

	cr_assert_not_null(dtc(&r, "tick-1s { printf(\"a%d \", (timestamp - 100) / 1000000); }\n"
			       "profile:::tick-300ms { printf(\"b%d \", (timestamp - 100) / 1000000); }\n"
			       "tick-2hz / probename == \"tick-500ms\" / { printf(\"c \"); }", 1), "%s", r.cerr);
	cr_assert_eq(dt_tick_interval_ns(r.p), 300000000LL);
	dt_begin(r.p, 100);
	cr_assert_eq(dt_next_tick_ns(r.p), 100 + 300000000ULL);
	dt_tick(r.p, 100 + 999999999);
	cr_assert_eq(dt_next_tick_ns(r.p), 100 + 1000000000ULL);
	dt_tick(r.p, 100 + 1000000000);
	cr_assert_str_eq(dt_out(&r), "b300 c b600 b900 a1000 c ");
	dtdone(&r);
}

Test(dt_eval, runtime_errors_once_per_clause)
{
	struct dtrun r;
	struct pf_ip_event v6 = mkip(PF_EV_IP_RECEIVE, "2001:db8::1", "2001:db8::2", 64, 2, 1);
	struct pf_event ev = mkpf(PF_EV_STATE_CREATE, 1, PF_OUT, "198.51.100.1", 1, "198.51.100.2", 2, 6, 0, 0);

	cr_assert_not_null(dtc(&r, "ip:::receive { printf(\"a\"); x = args[4]->ipv4_ttl; printf(\"b\"); }\n"
			       "ip:::receive { printf(\"c\"); }\n"
			       "pf:::state-create { i = 2; k = args[0]->key[i]; }\n"
			       "pf:::state-create / 1 / { z = 0; y = 5 % z; }\n", 1), "%s", r.cerr);
	dt_begin(r.p, 0);
	dt_fire_ip(r.p, DT_PROBE_IP_RECEIVE, &v6);
	dt_fire_ip(r.p, DT_PROBE_IP_RECEIVE, &v6);
	dt_fire_pf(r.p, DT_PROBE_PF_STATE_CREATE, &ev);
	dt_fire_pf(r.p, DT_PROBE_PF_STATE_CREATE, &ev);
	cr_assert_str_eq(dt_out(&r), "acac");
	cr_assert_eq(dt_errors(r.p), 6);
	cr_assert_str_eq(dt_errout(&r),
			 "pftrace: error on enabled probe ID 1 (ID 10: ip:pf_kern::receive): invalid address (0x0) "
			 "in ipv4info_t *->ipv4_ttl in action #2 at line 1\n"
			 "pftrace: error on enabled probe ID 3 (ID 4: pf:pf_kern::state-create): index 2 is out of "
			 "range for key[2] in action #2 at line 3\n"
			 "pftrace: error on enabled probe ID 4 (ID 4: pf:pf_kern::state-create): division by zero "
			 "in action #2 at line 4\n");
	dtdone(&r);
}

Test(dt_eval, fire_rejects_wrong_probe)
{
	struct dtrun r;
	struct pf_event ev = mkpf(PF_EV_STATE_CREATE, 1, PF_OUT, "198.51.100.1", 1, "198.51.100.2", 2, 6, 0, 0);
	struct pf_ip_event ip = mkip(PF_EV_IP_SEND, "198.51.100.1", "198.51.100.2", 1, 2, 1);

	cr_assert_not_null(dtc(&r, "BEGIN { }", 1), "%s", r.cerr);
	cr_assert_lt(dt_fire_pf(r.p, DT_PROBE_IP_SEND, &ev), 0);
	cr_assert_lt(dt_fire_ip(r.p, DT_PROBE_PF_STATE_CREATE, &ip), 0);
	cr_assert_eq(dt_fire_pf(r.p, DT_PROBE_PF_STATE_CREATE, &ev), 0);
	dtdone(&r);
}

Test(dt_eval, associative_arrays)
{
	struct dtrun r;
	struct pf_event c1 = mkpf(PF_EV_STATE_CREATE, 1, PF_OUT, "198.51.100.1", 1, "198.51.100.2", 2, 6, 2, 0);
	struct pf_event c2 = mkpf(PF_EV_STATE_CREATE, 2, PF_OUT, "198.51.100.1", 3, "198.51.100.3", 4, 17, 1, 0);
	struct pf_event d1 = mkpf(PF_EV_STATE_DESTROY, 5, PF_OUT, "198.51.100.1", 1, "198.51.100.2", 2, 6, 9, 9);

	d1.state.id = 1;
	cr_assert_not_null(dtc(&r, "pf:::state-create { start[args[0]->id] = timestamp; peer[args[0]->id] = args[0]->dst_ip;"
			       " n[args[0]->proto_str, args[0]->af]++; n[\"all\", 0] += 2; }\n"
			       "pf:::state-destroy / start[args[0]->id] / { printf(\"%d lived %ds to %s|\", args[0]->id,"
			       " (timestamp - start[args[0]->id]) / 1000000000, peer[args[0]->id]);"
			       " start[args[0]->id] = 0; peer[args[0]->id] = \"\"; }\n"
			       "pf:::state-destroy / !start[args[0]->id] / { printf(\"gone %d %d %d %s|\", n[\"tcp\", 2],"
			       " n[\"udp\", 2], n[\"all\", 0], peer[1]); }", 1), "%s", r.cerr);
	dt_begin(r.p, 0);
	dt_fire_pf(r.p, DT_PROBE_PF_STATE_CREATE, &c1);
	dt_fire_pf(r.p, DT_PROBE_PF_STATE_CREATE, &c2);
	dt_fire_pf(r.p, DT_PROBE_PF_STATE_DESTROY, &d1);
	cr_assert_str_eq(dt_out(&r), "1 lived 4s to 198.51.100.2|gone 1 1 4 |");
	dtdone(&r);
}

Test(dt_eval, begin_fires_once_even_if_the_caller_skips_it)
{
	struct dtrun r;
	struct pf_event ev = mkpf(PF_EV_STATE_CREATE, 3, PF_OUT, "198.51.100.1", 1, "198.51.100.2", 2, 6, 0, 0);

	cr_assert_not_null(dtc(&r, "BEGIN { printf(\"begin@%d;\", timestamp); }\n"
			       "pf:::state-create { printf(\"create;\"); }\nEND { printf(\"end@%d\", timestamp); }", 1),
			   "%s", r.cerr);
	dt_fire_pf(r.p, DT_PROBE_PF_STATE_CREATE, &ev);
	dt_begin(r.p, 1);
	dt_end(r.p, 7000000000ULL);
	dt_end(r.p, 8000000000ULL);
	cr_assert_str_eq(dt_out(&r), "begin@3000000000;create;end@7000000000");
	dtdone(&r);
}

Test(dt_eval, runtime_errors_in_functions)
{
	struct dtrun r;
	struct pf_event ev = mkpf(PF_EV_STATE_CREATE, 1, PF_OUT, "198.51.100.1", 1, "198.51.100.2", 2, 6, 0, 0);

	cr_assert_not_null(dtc(&r, "pf:::state-create { a = &args[0]->key[0]->addr[0].v4.s_addr;"
			       " b = &args[0]->key[0]->addr[0].v6; c = &args[0]->key[0]->addr[0]; }\n"
			       "BEGIN { trace(inet_ntoa(a)); }\nBEGIN { trace(inet_ntoa6(b)); }\n"
			       "BEGIN { trace(inet_ntop(AF_INET, c)); }\n"
			       "pf:::state-create { trace(inet_ntop(3, c)); }\n"
			       "pf:::state-create { trace(lltostr(1, 40)); }\n"
			       "pf:::state-create { x = &args[0]->src_port; }\n", 1), "%s", r.cerr);
	dt_begin(r.p, 0);
	dt_fire_pf(r.p, DT_PROBE_PF_STATE_CREATE, &ev);
	cr_assert_str_eq(dt_out(&r), "");
	cr_assert_str_eq(dt_errout(&r),
			 "pftrace: error on enabled probe ID 2 (ID 1: dtrace:::BEGIN): invalid address (0x0) passed to inet_ntoa( ) in action #1 at line 2\n"
			 "pftrace: error on enabled probe ID 3 (ID 1: dtrace:::BEGIN): invalid address (0x0) passed to inet_ntoa6( ) in action #1 at line 3\n"
			 "pftrace: error on enabled probe ID 4 (ID 1: dtrace:::BEGIN): invalid address (0x0) passed to inet_ntop( ) in action #1 at line 4\n"
			 "pftrace: error on enabled probe ID 5 (ID 4: pf:pf_kern::state-create): inet_ntop( ): invalid address family 3 in action #1 at line 5\n"
			 "pftrace: error on enabled probe ID 6 (ID 4: pf:pf_kern::state-create): lltostr( ): invalid base 40 in action #1 at line 6\n"
			 "pftrace: error on enabled probe ID 7 (ID 4: pf:pf_kern::state-create): cannot take the address of a computed value in action #1 at line 7\n");
	dtdone(&r);
}

Test(dt_eval, if_else)
{
	struct dtrun r;
	struct pf_event ev = mkpf(PF_EV_STATE_CHANGE, 1, PF_OUT, "198.51.100.1", 1, "198.51.100.2", 2, 6,
				  TCPS_ESTABLISHED, TCPS_SYN_SENT);

	cr_assert_not_null(dtc(&r, "pf:::state-change {\n"
			       "  if (args[0]->src.state == TCPS_ESTABLISHED) { x = \"src-est\"; n = 1; }\n"
			       "  else x = \"other\";\n"
			       "  if (args[0]->dst.state == TCPS_ESTABLISHED)\n    printf(\"both \");\n"
			       "  else if (args[0]->dst.state == TCPS_SYN_SENT) { printf(\"dst-syn \"); @c[\"syn\"] = count(); }\n"
			       "  else { printf(\"?\"); }\n"
			       "  if (n) printf(\"%s %d\", x, n);\n}\n", 1), "%s", r.cerr);
	dt_begin(r.p, 0);
	dt_fire_pf(r.p, DT_PROBE_PF_STATE_CHANGE, &ev);
	dt_end(r.p, 1);
	cr_assert_str_eq(dt_out(&r), "dst-syn src-est 1\n  syn                                                               1\n");
	dtdone(&r);
	expect_cerr("BEGIN { if (1) { x = 1;\n", "line 2: syntax error: `{` on line 1 is not closed with `}`");
	expect_cerr("pf:::state-create { if (*args[0]) x = 1; }",
		    "line 1: if ( ) condition must be a scalar, not `struct pf_state`");
	expect_cerr("BEGIN { if 1 { } }", "line 1: syntax error: expected `(` near `1`");
}
