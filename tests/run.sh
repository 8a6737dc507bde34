#!/usr/bin/env bash
# Runs the test layers (default: arch unit netns interop) and prints one closing
# line: "N passed, N failed, N skipped". A skipped test is never a pass; with
# FOUD_REQUIRE_ALL=1 (CI) a skip counts as a failure.
set -u
cd "$(dirname "$0")/.."
B=${B:-build}
export FOUD_BIN=${FOUD_BIN:-$PWD/$B/foud} FOUCTL_BIN=${FOUCTL_BIN:-$PWD/$B/fouctl}
layers=("$@")
[ ${#layers[@]} -eq 0 ] && layers=(arch unit netns interop)
pass=0 fail=0 skip=0
failed=()

run_unit() {
	local t out p f
	for t in "$B"/tests/test_*; do
		[ -x "$t" ] || continue
		out=$("$t" 2>&1)
		p=$(grep -oE '^\[  PASSED  \] [0-9]+' <<<"$out" | grep -oE '[0-9]+$' | tail -1)
		f=$(grep -oE '^\[  FAILED  \] [0-9]+ test' <<<"$out" | grep -oE '[0-9]+' | tail -1)
		pass=$((pass + ${p:-0})); fail=$((fail + ${f:-0}))
		if [ -n "${f:-}" ] && [ "${f:-0}" -gt 0 ] || [ -z "${p:-}" ]; then
			[ -z "${p:-}${f:-}" ] && fail=$((fail + 1))
			failed+=("$t"); echo "$out" | grep -E 'FAIL|ERROR|error' | head -20
		fi
		echo "unit: $(basename "$t"): ${p:-0} passed, ${f:-0} failed"
	done
}

# The structure checks (issue #13): no call loop or upward call among daemon
# files, no function over 60 lines. Each counts as one check.
run_arch() {
	local t
	for t in callgraph fnlen; do
		if python3 "tests/tools/$t.py"; then
			pass=$((pass + 1)); echo "PASS arch: $t"
		else
			fail=$((fail + 1)); failed+=("tests/tools/$t.py"); echo "FAIL arch: $t"
		fi
	done
}

# A script whose header says "# sweep: once" runs in the plain sweep only:
# it already runs foud -O itself (11, 62), or it tests what neither -O nor
# the sanitizers change (91-deb builds its own packages). .ci/run's -O and
# sanitized sweeps skip it, saying so; it is not counted as a skip.
sweep_once() {
	grep -q '^# sweep: once' "$1" || return 1
	[ -n "${FOUD_TEST_OPTS:-}" ] || [ "$B" = build-san ]
}

run_scripts() {
	local dir=$1 t rc start log
	for t in "$dir"/[0-9]*.sh; do
		[ -f "$t" ] || continue
		if sweep_once "$t"; then
			echo "ONCE $t: its subject does not change with \"${FOUD_TEST_OPTS:-}\" or $B; run in the plain sweep"
			continue
		fi
		log=$(mktemp /tmp/foud-test.XXXXXX)
		start=$(date +%s)
		timeout --kill-after=10 600 bash "$t" >"$log" 2>&1
		rc=$?
		# A script's checks count one by one ("ok N"/"not ok N" lines); a
		# script that fails without a failed check counts as one failure.
		local okn nokn
		okn=$(grep -c '^ok ' "$log"); nokn=$(grep -c '^not ok ' "$log")
		case $rc in
		0) pass=$((pass + (okn > 0 ? okn : 1))); echo "PASS $t ($(( $(date +%s) - start ))s)" ;;
		77) if [ "${FOUD_REQUIRE_ALL:-0}" = 1 ]; then
			fail=$((fail + 1)); failed+=("$t (skipped)")
		    else skip=$((skip + 1)); fi
		    echo "SKIP $t: $(tail -1 "$log")" ;;
		*) pass=$((pass + okn)); fail=$((fail + (nokn > 0 ? nokn : 1))); failed+=("$t")
		   echo "FAIL $t (exit $rc)"; tail -40 "$log" ;;
		esac
		grep -E '^(not ok|#) ' "$log" | sed 's/^/    /'
		rm -f "$log"
	done
}

for l in "${layers[@]}"; do
	case $l in
	arch) run_arch ;;
	unit) run_unit ;;
	netns) run_scripts tests/netns ;;
	interop) run_scripts tests/interop ;;
	*) echo "run.sh: unknown layer \"$l\" (arch, unit, netns, interop)" >&2; exit 2 ;;
	esac
done
[ ${#failed[@]} -gt 0 ] && printf 'failed: %s\n' "${failed[@]}"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
