#!/usr/bin/env bash
# mkdeb.sh ROOT OUTDIR: turns the staged "make install DESTDIR=ROOT" of
# "make deb" into OUTDIR/{foud,libfou0,libfou-dev}_VERSION_ARCH.deb with
# dpkg-deb (no debhelper): binaries stripped, manual pages and changelog
# compressed, each package's copyright, control (dependencies from
# dpkg-shlibdeps), md5sums; foud's conffiles and maintainer scripts,
# libfou0's shlibs and ldconfig trigger. VERSION and ARCH come from the
# Makefile, which must agree with debian/changelog.
set -eu
root=$1 out=$2
cd "$(dirname "$0")/.."
ver=$(dpkg-parsechangelog -S Version)
[ "$ver" = "$VERSION" ] || { echo "mkdeb: Makefile VERSION $VERSION, debian/changelog $ver" >&2; exit 1; }
ma=$(dpkg-architecture -qDEB_HOST_MULTIARCH)

find "$root" -type f -exec sh -c 'file -b "$1" | grep -q "^ELF"' _ {} \; -print | while read -r f; do
	strip --remove-section=.comment --remove-section=.note --strip-unneeded "$f"
done
gzip -9nf "$root"/usr/share/man/man[18]/*.[18]

# split PKG PATH...: moves PATHs (relative to ROOT) into PKG's tree.
split() {
	local pkg=$1 p; shift
	for p in "$@"; do
		install -d "$out/$pkg/$(dirname "$p")"
		mv "$root/$p" "$out/$pkg/$p"
	done
}
rm -rf "$out/foud" "$out/libfou0" "$out/libfou-dev"
split libfou0 "usr/lib/$ma/libfou.so.0" "usr/lib/$ma/libfou.so.$VERSION"
split libfou-dev usr/include "usr/lib/$ma/libfou.so" "usr/lib/$ma/pkgconfig"
rmdir "$root/usr/lib/$ma"
mv "$root" "$out/foud"

for pkg in foud libfou0 libfou-dev; do
	d=$out/$pkg
	install -d "$d/usr/share/doc/$pkg" "$d/DEBIAN"
	install -m 0644 debian/copyright "$d/usr/share/doc/$pkg/"
	gzip -9nc debian/changelog >"$d/usr/share/doc/$pkg/changelog.gz"
	find "$d" -type d -exec chmod 0755 {} +
done
install -m 0644 debian/conffiles "$out/foud/DEBIAN/"
install -m 0755 debian/postinst debian/prerm debian/postrm "$out/foud/DEBIAN/"
install -m 0644 debian/triggers "$out/libfou0/DEBIAN/"
echo "libfou 0 libfou0 (>= $VERSION)" >"$out/libfou0/DEBIAN/shlibs"

rm -f "$out/substvars" "$out"/*.deb
dpkg-shlibdeps -T"$out/substvars.foud" "$out"/foud/usr/sbin/* "$out"/foud/usr/lib/foud/*.so
dpkg-shlibdeps -T"$out/substvars.libfou0" "$out/libfou0/usr/lib/$ma/libfou.so.$VERSION"
touch "$out/substvars.libfou-dev"
for pkg in foud libfou0 libfou-dev; do
	d=$out/$pkg
	dpkg-gencontrol -p$pkg -P"$d" -T"$out/substvars.$pkg" -f"$out/files"
	(cd "$d" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | sort -z |
		xargs -0 md5sum >DEBIAN/md5sums)
	chmod 0644 "$d"/DEBIAN/md5sums "$d"/DEBIAN/control
	dpkg-deb --root-owner-group -Zxz --build "$d" "$out/${pkg}_${VERSION}_$ARCH.deb"
done
