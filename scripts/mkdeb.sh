#!/usr/bin/env bash
# mkdeb.sh ROOT OUTDIR: turns the staged "make install DESTDIR=ROOT" of
# "make deb" into OUTDIR/foud_VERSION_ARCH.deb with dpkg-deb (no debhelper):
# binaries stripped, manual pages and changelog compressed, the copyright,
# control (dependencies from dpkg-shlibdeps), conffiles, md5sums, shlibs,
# ldconfig trigger and the maintainer scripts of debian/. VERSION and ARCH
# come from the Makefile, which must agree with debian/changelog.
set -eu
root=$1 out=$2
cd "$(dirname "$0")/.."
ver=$(dpkg-parsechangelog -S Version)
[ "$ver" = "$VERSION" ] || { echo "mkdeb: Makefile VERSION $VERSION, debian/changelog $ver" >&2; exit 1; }

find "$root" -type f -exec sh -c 'file -b "$1" | grep -q "^ELF"' _ {} \; -print | while read -r f; do
	strip --remove-section=.comment --remove-section=.note --strip-unneeded "$f"
done
gzip -9nf "$root"/usr/share/man/man[18]/*.[18]
doc=$root/usr/share/doc/foud
install -d "$doc"
install -m 0644 debian/copyright "$doc/"
gzip -9nc debian/changelog >"$doc/changelog.gz"
find "$root" -type d -exec chmod 0755 {} +

install -d "$root/DEBIAN"
install -m 0644 debian/conffiles debian/triggers "$root/DEBIAN/"
install -m 0755 debian/postinst debian/prerm debian/postrm "$root/DEBIAN/"
echo "libfou 0 foud (>= $VERSION)" >"$root/DEBIAN/shlibs"
dpkg-shlibdeps -T"$out/substvars" -l"$root/usr/lib/$(dpkg-architecture -qDEB_HOST_MULTIARCH)" \
	"$root"/usr/sbin/* "$root"/usr/lib/*/libfou.so.* "$root"/usr/lib/foud/*.so
dpkg-gencontrol -pfoud -P"$root" -T"$out/substvars" -f"$out/files"
(cd "$root" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | sort -z |
	xargs -0 md5sum >DEBIAN/md5sums)
chmod 0644 "$root/DEBIAN/md5sums" "$root/DEBIAN/shlibs" "$root/DEBIAN/control"
dpkg-deb --root-owner-group -Zxz --build "$root" "$out/foud_${VERSION}_$ARCH.deb"
