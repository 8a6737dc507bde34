#!/usr/bin/env bash
# sweep: once
# make deb: the packages (foud, libfou0, libfou-dev) hold what the README
# says they do, foud's conffile, unit and example configuration are valid,
# lintian finds no error or warning, and a program builds against the libfou they
# install (pkg-config, headers, libfou.so.0) in a scratch root.
. "$(dirname "$0")/lib.sh"
for c in dpkg-deb dpkg-shlibdeps pkg-config lintian systemd-analyze cc; do
	command -v $c >/dev/null || skip "$c missing (scripts/install-deps.sh installs it)"
done
MA=$(dpkg-architecture -qDEB_HOST_MULTIARCH)

check "make deb" make -j2 -C "$ROOT" deb
V=$(sed -n 's/^VERSION *:= *//p' "$ROOT/Makefile") A=$(dpkg-architecture -qDEB_HOST_ARCH)
debs=()
for p in foud libfou0 libfou-dev; do
	f=$ROOT/build-deb/${p}_${V}_$A.deb
	check "make deb built $(basename "$f")" test -f "$f"
	debs+=("$f")
done
[ "$T_FAIL" -eq 0 ] || finish
# holds PKG PATH: the .deb of PKG holds /PATH
holds() { dpkg-deb -c "$ROOT/build-deb/${1}_${V}_$A.deb" | awk '{print $6}' | grep -qx "./$2"; }
for f in usr/sbin/foud usr/sbin/fouctl usr/bin/tou-run usr/lib/foud/libtou.so \
	 lib/systemd/system/foud.service etc/foud/foud.conf usr/share/man/man8/foud.8.gz \
	 usr/share/man/man8/fouctl.8.gz usr/share/man/man1/tou-run.1.gz usr/share/doc/foud/copyright \
	 usr/share/foud/wireshark/gue.lua; do
	check "foud holds /$f" holds foud "$f"
done
for f in usr/lib/$MA/libfou.so.0 usr/lib/$MA/libfou.so.$V; do check "libfou0 holds /$f" holds libfou0 "$f"; done
for f in usr/lib/$MA/libfou.so usr/lib/$MA/pkgconfig/libfou.pc usr/include/fou/fou.h usr/include/fou/wire.h \
	 usr/include/fou/l2.h usr/include/fou/gro.h; do
	check "libfou-dev holds /$f" holds libfou-dev "$f"
done
check "libfou-dev depends on this libfou0" test "$(dpkg-deb -f "${debs[2]}" Depends)" = "libfou0 (= $V)"
check "/etc/foud/foud.conf is foud's only conffile" test "$(dpkg-deb -I "${debs[0]}" conffiles)" = /etc/foud/foud.conf

R=$TMP/root
for f in "${debs[@]}"; do dpkg-deb -x "$f" "$R"; done
check "libfou.so.0 is the SONAME" sh -c "readelf -d '$R/usr/lib/$MA/libfou.so.0' | grep -q 'SONAME.*\[libfou.so.0\]'"
check "the shipped foud.conf passes foud -n" "$R/usr/sbin/foud" -n -c "$R/etc/foud/foud.conf"
sed "s|/usr/sbin/foud|$R/usr/sbin/foud|" "$R/lib/systemd/system/foud.service" >"$TMP/foud.service"
check "systemd-analyze verify finds nothing to say of the unit" \
	sh -c "systemd-analyze verify --man=no '$TMP/foud.service' 2>&1 | tee /dev/stderr | wc -c | grep -qx 0"

# A program of libfou's, built with pkg-config against the scratch root only.
cat >"$TMP/p.c" <<'C'
#include <stdio.h>
#include <fou/fou.h>
int main(void) { struct fou_addr a; return printf("%d %zu\n", fou_addr_parse("192.0.2.1", &a), fou_gue_hdr_len(false)) < 0; }
C
export PKG_CONFIG_PATH=$R/usr/lib/$MA/pkgconfig PKG_CONFIG_SYSROOT_DIR=$R
flags=$(pkg-config --cflags --libs libfou)
check "pkg-config --cflags --libs libfou: $flags" grep -q -- "-I$R/usr/include.*-L$R/usr/lib/$MA -lfou" <<<"$flags"
# shellcheck disable=SC2086
check "a program includes <fou/fou.h> and links libfou.so" cc -Wall -Werror -o "$TMP/p" "$TMP/p.c" $flags
check "it needs libfou.so.0" sh -c "readelf -d '$TMP/p' | grep -q 'NEEDED.*\[libfou.so.0\]'"
check "it runs with the installed library: $(LD_LIBRARY_PATH=$R/usr/lib/$MA "$TMP/p")" \
	test "$(LD_LIBRARY_PATH=$R/usr/lib/$MA "$TMP/p")" = "0 4"

lintian "${debs[@]}" >"$TMP/lintian" 2>/dev/null
sed 's/^/# lintian: /' "$TMP/lintian"
check "lintian: no error, no warning" sh -c "! grep -q '^[EW]:' '$TMP/lintian'"
finish
