/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pf_errno.h - the errno values the BPF programs return (negated, as the
 * kernel and libbpf do).  vmlinux.h carries the kernel's types but none of
 * its #defines, and the libc's <errno.h> is not for the BPF target; these
 * are Linux's numbers (asm-generic/errno-base.h, errno.h), which user space
 * reads back with its own <errno.h>.  BPF only.
 */
#ifndef PF_ERRNO_H
#define PF_ERRNO_H

#ifndef ENOENT
#define ENOENT 2
#endif
#ifndef EBUSY
#define EBUSY 16
#endif
#ifndef EEXIST
#define EEXIST 17
#endif
#ifndef EINVAL
#define EINVAL 22
#endif
#ifndef ENOSPC
#define ENOSPC 28
#endif
#ifndef EPROTO
#define EPROTO 71
#endif

#endif /* PF_ERRNO_H */
