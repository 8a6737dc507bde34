#!/bin/bash
# SPDX-License-Identifier: MIT
# sweep: once
# foud's BPF programs pass the verifier of Debian 12's kernel: the guest
# (the peer's kernel, 6.1) runs build/tests/bpf-verify, which loads every
# program of the object foud embeds, opened as foud opens it. Every program
# must print "ok NAME"; a refusal prints the verifier log's last lines.
set -u
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

FI_VERIFY=${BPF_VERIFY_BIN:-$FI_TOP/build/tests/bpf-verify}
fi_require socat
[[ -x $FI_VERIFY ]] || { fi_log "FAIL: $FI_VERIFY not built (make unit)"; exit 1; }
file -L "$FI_VERIFY" | grep -q 'statically linked' ||
	{ fi_log "FAIL: $FI_VERIFY is not static (a SANITIZE=1 build?)"; exit 1; }
fi_setup || exit 1
kp_prepare || exit 1

: >"$FI_TMP/guest.sh"
KP_EXTRA="$FI_VERIFY:bin/bpf-verify" kp_boot "$FI_NS" "$FI_TMP/guest.sh" "$FI_TMP/guest.log" || exit 1
kp_wait_ready "$FI_TMP/guest.log" 90 || exit 1

kver=$(kp_exec uname -r)
out=$(kp_exec -t 120 /bin/bpf-verify "${BPF_VERIFY_LINES:-6}")
rc=$?
printf '%s\n' "$out" | sed "s/^/[$FI_NAME] $kver: /" >&2
[[ $rc -eq 0 ]] || fi_fail "bpf-verify exited $rc on $kver"
grep -q '^ok foud_ingress$' <<<"$out" || fi_fail "foud_ingress not loaded on $kver"
grep -q '^ok foud_egress$' <<<"$out" || fi_fail "foud_egress not loaded on $kver"
! grep -q '^refused ' <<<"$out" || fi_fail "a program refused on $kver"
fi_done
