// SPDX-License-Identifier: BSD-2-Clause
/*
 * ctl_prog.c - load the datapath's pf_ctl syscall program when nobody has.
 *
 * iproute2 (`ip link set dev X xdp obj pf_kern.bpf.o`) loads only the
 * program it attaches, so a datapath can run without pf_ctl in the kernel.
 * States must still be killed and added through pf_ctl (destroy events, the
 * atomic state counter), so the library loads it from the datapath object
 * it was built with (embedded through the skeleton; $PFBPF_OBJ overrides),
 * with every map reusing the pins of the handle's folder.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "ioctl_priv.h"
#include "pf_kern.skel.h"

int ctl_load_pf_ctl(struct pfbpf_handle *h)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = h->pin_dir,
		    .object_name = "pf_kern");
	const char *path = getenv("PFBPF_OBJ");
	struct bpf_object *obj;
	struct bpf_program *p, *ctl = NULL;
	const void *elf;
	size_t sz;
	int err;

	if (path && *path) {
		obj = bpf_object__open_file(path, &opts);
	} else {
		elf = pf_kern__elf_bytes(&sz);
		obj = bpf_object__open_mem(elf, sz, &opts);
	}
	if (!obj)
		return ctl_fail(h, -errno, "cannot open the datapath object%s%s: %s",
				path ? " " : "", path ? path : "", strerror(errno));
	bpf_object__for_each_program(p, obj) {
		bool want = !strcmp(bpf_program__name(p), "pf_ctl");

		bpf_program__set_autoload(p, want);
		if (want)
			ctl = p;
	}
	if (!ctl) {
		bpf_object__close(obj);
		return ctl_fail(h, -ENOENT, "the datapath object has no pf_ctl program");
	}
	err = bpf_object__load(obj);
	if (err) {
		bpf_object__close(obj);
		return ctl_fail(h, err, "loading pf_ctl against the maps in %s: %s", h->pin_dir,
				strerror(-err));
	}
	h->ctl_obj = obj;
	return bpf_program__fd(ctl);
}
