/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * net/pfvar.h - compatibility header so programs written for BSD's
 * <net/pfvar.h> build against libpfbpf unchanged except for their open()
 * and ioctl() lines (which become pfbpf_open() and pfbpf_ioctl()).
 */
#ifndef PFBPF_NET_PFVAR_H
#define PFBPF_NET_PFVAR_H

#include <string.h> /* BSD's pfvar.h drags it in; programs rely on it */
#include "pfbpf.h"

#endif /* PFBPF_NET_PFVAR_H */
