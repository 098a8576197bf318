/* SPDX-License-Identifier: BSD-2-Clause */
/* ifwatch.h - call back when interface addresses change (ifwatch.c). */
#ifndef PFBPF_IFWATCH_H
#define PFBPF_IFWATCH_H

#include <signal.h>

/*
 * Until *stop: wait for rtnetlink address messages and call changed(arg)
 * once a burst of them has been quiet for a moment.  A negative return of
 * changed ends the watch with that value.  Returns 0 or -errno.
 */
int pfbpf_ifwatch(int (*changed)(void *arg), void *arg, volatile sig_atomic_t *stop);

#endif
