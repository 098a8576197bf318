// SPDX-License-Identifier: BSD-2-Clause
/*
 * cmds.c - the DIOC command table, and the commands that cannot exist on
 * Linux (ALTQ, OS fingerprints): ENODEV with the reason.
 */
#include <errno.h>
#include <string.h>
#include "ioctl_priv.h"

#define CMD(fn) int pfbpf_cmd_##fn(struct pfbpf_handle *h, void *arg);
CMD(start) CMD(stop) CMD(setdebug) CMD(settimeout) CMD(gettimeout) CMD(setlimit)
CMD(getlimit) CMD(sethostid) CMD(setstatusif) CMD(getstatus) CMD(clrstatus)
CMD(getstates) CMD(getstate) CMD(addstate) CMD(killstates) CMD(clrstates) CMD(natlook)
CMD(xbegin) CMD(xcommit) CMD(xrollback) CMD(addrule) CMD(getrules) CMD(getrule)
CMD(changerule) CMD(clrrulectrs) CMD(getrulesets) CMD(getruleset)
CMD(rclrtables) CMD(raddtables) CMD(rdeltables) CMD(rgettables) CMD(rgettstats)
CMD(rclrtstats) CMD(rclraddrs) CMD(raddaddrs) CMD(rdeladdrs) CMD(rsetaddrs)
CMD(rgetaddrs) CMD(rgetastats) CMD(rclrastats) CMD(rtstaddrs) CMD(rsettflags)
CMD(rinadefine)
CMD(igetifaces) CMD(iclristats) CMD(setifflag) CMD(clrifflag)
CMD(setstatepolicy) CMD(getstatepolicy) CMD(ifaddrsync)
CMD(setsyncookies) CMD(getsyncookies)
CMD(beginaddrs) CMD(addaddr) CMD(getaddrs) CMD(getaddr) CMD(changeaddr)
#undef CMD

static int altq(struct pfbpf_handle *h, void *arg)
{
	return ctl_fail(h, -ENODEV, "ALTQ does not exist on Linux: queueing is done with tc qdiscs");
}

static int osfp(struct pfbpf_handle *h, void *arg)
{
	return ctl_fail(h, -ENODEV, "passive OS fingerprinting is not implemented by the datapath");
}

/* No source tracking: the list is always empty, clearing it is a no-op. */
static int getsrcnodes(struct pfbpf_handle *h, void *arg)
{
	struct pfioc_src_nodes *psn = arg;

	psn->psn_len = 0;
	return 0;
}

static int clrsrcnodes(struct pfbpf_handle *h, void *arg)
{
	return 0;
}

#define R(c, f) { c, pfbpf_cmd_##f, #c, false }
#define W(c, f) { c, pfbpf_cmd_##f, #c, true }
#define X(c, f, w) { c, f, #c, w }

const struct pfbpf_cmd ctl_cmds[] = {
	W(DIOCSTART, start),
	W(DIOCSTOP, stop),
	W(DIOCADDRULE, addrule),
	R(DIOCGETRULES, getrules),
	R(DIOCGETRULE, getrule),
	W(DIOCCLRSTATES, clrstates),
	R(DIOCGETSTATE, getstate),
	W(DIOCSETSTATUSIF, setstatusif),
	R(DIOCGETSTATUS, getstatus),
	W(DIOCCLRSTATUS, clrstatus),
	R(DIOCNATLOOK, natlook),
	W(DIOCSETDEBUG, setdebug),
	R(DIOCGETSTATES, getstates),
	W(DIOCCHANGERULE, changerule),
	W(DIOCSETTIMEOUT, settimeout),
	R(DIOCGETTIMEOUT, gettimeout),
	W(DIOCADDSTATE, addstate),
	W(DIOCCLRRULECTRS, clrrulectrs),
	R(DIOCGETLIMIT, getlimit),
	W(DIOCSETLIMIT, setlimit),
	W(DIOCKILLSTATES, killstates),
	X(DIOCSTARTALTQ, altq, false),
	X(DIOCSTOPALTQ, altq, false),
	X(DIOCADDALTQ, altq, false),
	X(DIOCGETALTQS, altq, false),
	X(DIOCGETALTQ, altq, false),
	X(DIOCCHANGEALTQ, altq, false),
	X(DIOCGETQSTATS, altq, false),
	W(DIOCBEGINADDRS, beginaddrs),
	W(DIOCADDADDR, addaddr),
	R(DIOCGETADDRS, getaddrs),
	R(DIOCGETADDR, getaddr),
	W(DIOCCHANGEADDR, changeaddr),
	R(DIOCGETRULESETS, getrulesets),
	R(DIOCGETRULESET, getruleset),
	W(DIOCRCLRTABLES, rclrtables),
	W(DIOCRADDTABLES, raddtables),
	W(DIOCRDELTABLES, rdeltables),
	R(DIOCRGETTABLES, rgettables),
	R(DIOCRGETTSTATS, rgettstats),
	W(DIOCRCLRTSTATS, rclrtstats),
	W(DIOCRCLRADDRS, rclraddrs),
	W(DIOCRADDADDRS, raddaddrs),
	W(DIOCRDELADDRS, rdeladdrs),
	W(DIOCRSETADDRS, rsetaddrs),
	R(DIOCRGETADDRS, rgetaddrs),
	R(DIOCRGETASTATS, rgetastats),
	W(DIOCRCLRASTATS, rclrastats),
	R(DIOCRTSTADDRS, rtstaddrs),
	W(DIOCRSETTFLAGS, rsettflags),
	W(DIOCRINADEFINE, rinadefine),
	X(DIOCOSFPFLUSH, osfp, false),
	X(DIOCOSFPADD, osfp, false),
	X(DIOCOSFPGET, osfp, false),
	W(DIOCXBEGIN, xbegin),
	W(DIOCXCOMMIT, xcommit),
	W(DIOCXROLLBACK, xrollback),
	X(DIOCGETSRCNODES, getsrcnodes, false),
	X(DIOCCLRSRCNODES, clrsrcnodes, true),
	W(DIOCSETHOSTID, sethostid),
	R(DIOCIGETIFACES, igetifaces),
	W(DIOCICLRISTATS, iclristats),
	W(DIOCSETIFFLAG, setifflag),
	W(DIOCCLRIFFLAG, clrifflag),
	W(DIOCSETSTATEPOLICY, setstatepolicy),
	R(DIOCGETSTATEPOLICY, getstatepolicy),
	W(DIOCIFADDRSYNC, ifaddrsync),
	W(DIOCSETSYNCOOKIES, setsyncookies),
	R(DIOCGETSYNCOOKIES, getsyncookies),
	{ 0, NULL, NULL, false },
};
