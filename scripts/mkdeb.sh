#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# mkdeb.sh BUILD OUT.deb - the pfbpf Debian package from a built tree
# (make deb).  dpkg-deb, not dpkg-buildpackage: the tree is already built
# by make, and the package only lays the results out as Debian wants them.
set -euo pipefail

BUILD=$(cd "${1:?usage: mkdeb.sh BUILD OUT.deb}" && pwd)
OUT=${2:?usage: mkdeb.sh BUILD OUT.deb}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PKG=$ROOT/packaging
STAGE=$BUILD/deb/pfbpf
ARCH=$(dpkg --print-architecture)
COMMIT=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
# A native version that grows with every commit: 0.<commits>.
VERSION=0.$(git -C "$ROOT" rev-list --count HEAD 2>/dev/null || echo 0)

rm -rf "$BUILD/deb"
install -d -m 0755 "$STAGE/DEBIAN" "$STAGE/usr/sbin" "$STAGE/usr/lib/pfbpf" \
	"$STAGE/lib/systemd/system" "$STAGE/etc/default" \
	"$STAGE/usr/share/man/man5" "$STAGE/usr/share/man/man8" "$STAGE/usr/share/man/man3" \
	"$STAGE/usr/share/doc/pfbpf/examples" "$STAGE/usr/share/lintian/overrides"

for t in pfctl_bpf pftrace pfbpf-load pfbpf-exporter pftop_bpf; do
	install -m 0755 "$BUILD/$t" "$STAGE/usr/sbin/$t"
	strip --strip-unneeded --remove-section=.comment --remove-section=.note "$STAGE/usr/sbin/$t"
done
install -m 0644 "$BUILD/pf_kern.bpf.o" "$STAGE/usr/lib/pfbpf/pf_kern.bpf.o"
install -m 0755 "$PKG/pfbpf-service" "$STAGE/usr/lib/pfbpf/pfbpf-service"
install -m 0644 "$PKG/pfbpf.service" "$STAGE/lib/systemd/system/pfbpf.service"
install -m 0644 "$PKG/pfbpf-ifwatch.service" "$STAGE/lib/systemd/system/pfbpf-ifwatch.service"
install -m 0644 "$PKG/default" "$STAGE/etc/default/pfbpf"
for m in "$ROOT"/docs/*.[358]; do
	sec=${m##*.}
	gzip -9n < "$m" > "$STAGE/usr/share/man/man$sec/$(basename "$m").gz"
	chmod 0644 "$STAGE/usr/share/man/man$sec/$(basename "$m").gz"
done
install -m 0644 "$PKG/debian/copyright" "$STAGE/usr/share/doc/pfbpf/copyright"
sed -e "s/@VERSION@/$VERSION/" -e "s/@COMMIT@/$COMMIT/" -e "s/@DATE@/$(date -R)/" \
	"$PKG/debian/changelog.in" | gzip -9n > "$STAGE/usr/share/doc/pfbpf/changelog.gz"
chmod 0644 "$STAGE/usr/share/doc/pfbpf/changelog.gz"
install -m 0644 "$PKG/pf.conf.example" "$STAGE/usr/share/doc/pfbpf/examples/pf.conf"
install -m 0644 "$PKG/lintian-overrides" "$STAGE/usr/share/lintian/overrides/pfbpf"

# Shared-library dependencies as Debian computes them: dpkg-shlibdeps
# wants a source tree's debian/control, so give it a minimal one.
shl=$BUILD/deb/shlibdeps
install -d "$shl/debian"
printf 'Source: pfbpf\n\nPackage: pfbpf\nArchitecture: any\n' > "$shl/debian/control"
deps=$(cd "$shl" && dpkg-shlibdeps -O "$STAGE"/usr/sbin/* 2>"$BUILD/deb/shlibdeps.log" |
	sed -n 's/^shlibs:Depends=//p')
[ -n "$deps" ] || { echo "mkdeb: dpkg-shlibdeps found no dependencies" >&2; exit 1; }
# Run-time tools the service and the tools call.
deps="$deps, iproute2, mount"

for f in postinst prerm postrm conffiles; do
	install -m "$([ "$f" = conffiles ] && echo 0644 || echo 0755)" "$PKG/debian/$f" "$STAGE/DEBIAN/$f"
done
size=$(du -sk --exclude=DEBIAN "$STAGE" | cut -f1)
sed -e "s/@VERSION@/$VERSION/" -e "s/@ARCH@/$ARCH/" -e "s/@SIZE@/$size/" -e "s/@DEPENDS@/$deps/" \
	"$PKG/debian/control.in" > "$STAGE/DEBIAN/control"
(cd "$STAGE" && find . -type f ! -path './DEBIAN/*' -printf '%P\0' | sort -z | xargs -0 md5sum) \
	> "$STAGE/DEBIAN/md5sums"
chmod 0644 "$STAGE/DEBIAN/md5sums"

dpkg-deb --root-owner-group -Zxz --build "$STAGE" "$OUT" >/dev/null
echo "$OUT: pfbpf $VERSION ($ARCH)"
