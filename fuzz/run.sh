#!/usr/bin/env bash
# Builds every libFuzzer target (fuzz/fuzz_*.c) with clang into build-fuzz/
# and runs each for FUZZ_SECONDS (default 60), one after the other, so that
# the load stays at one core. Seeds: fuzz/corpus/<target>/ (read only; made
# by fuzz/seeds.sh); what the fuzzer adds goes to build-fuzz/corpus/<target>/.
# A crash, leak, sanitizer report or timeout is kept as
# build-fuzz/crashes/<target>/crash-* (or leak-*, timeout-*, oom-*); the
# script then goes on with the other targets and exits 1 at the end.
#
#   bash fuzz/run.sh                     all targets, 60 s each
#   FUZZ_SECONDS=10 bash fuzz/run.sh     CI smoke
#   bash fuzz/run.sh rx gue              only these
#   build-fuzz/fuzz_rx build-fuzz/crashes/rx/crash-...   replays one input
set -u
cd "$(dirname "$0")/.."
SECS=${FUZZ_SECONDS:-60}
OUT=build-fuzz
CC=${FUZZ_CC:-clang}
WARN="-Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wpointer-arith -Wno-missing-field-initializers"
SAN="-fsanitize=address,undefined -fno-sanitize-recover=all"
CFLAGS="-std=gnu11 $WARN -O1 -g -fno-omit-frame-pointer $SAN -Iinclude -Icommon -D_GNU_SOURCE"

die() { echo "fuzz: $*" >&2; exit 2; }

# libFuzzer ships with clang; on Debian the runtime may be a package of its own.
fuzzer_links() {
	local d
	d=$(mktemp -d) || return 1
	printf '#include <stddef.h>\n#include <stdint.h>\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }\n' >"$d/t.c"
	"$CC" -fsanitize=fuzzer,address,undefined -o "$d/t" "$d/t.c" >/dev/null 2>&1
	local rc=$?
	rm -rf "$d"
	return $rc
}
command -v "$CC" >/dev/null || die "$CC not found (apt-get install clang)"
if ! fuzzer_links; then
	ver=$("$CC" -dumpversion | cut -d. -f1)
	[ "$(id -u)" = 0 ] || die "clang cannot link -fsanitize=fuzzer; as root: apt-get install libclang-rt-$ver-dev"
	echo "fuzz: installing libclang-rt-$ver-dev for libFuzzer"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "libclang-rt-$ver-dev" >/dev/null ||
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "libclang-rt-$ver-dev" >/dev/null; }
	fuzzer_links || die "clang still cannot link -fsanitize=fuzzer"
fi

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
	for f in fuzz/fuzz_*.c; do t=${f#fuzz/fuzz_}; targets+=("${t%.c}"); done
fi

# ---- build: the Makefile's library sources, instrumented, once ---------------
mkdir -p "$OUT/obj"
objs=()
for s in lib/*.c common/*.c; do
	o=$OUT/obj/$(echo "${s%.c}" | tr / _).o
	if [ ! -f "$o" ] || [ "$s" -nt "$o" ] || [ -n "$(find include common \( -name '*.h' -o -name '*.def' \) -newer "$o" 2>/dev/null | head -1)" ]; then
		"$CC" $CFLAGS -fsanitize=fuzzer-no-link -c -o "$o" "$s" || die "build of $s failed"
	fi
	objs+=("$o")
done
for t in "${targets[@]}"; do
	[ -f "fuzz/fuzz_$t.c" ] || die "no target fuzz/fuzz_$t.c"
	"$CC" $CFLAGS -fsanitize=fuzzer -o "$OUT/fuzz_$t" "fuzz/fuzz_$t.c" "${objs[@]}" -lcrypto ||
		die "build of fuzz_$t failed"
done

# ---- seeds --------------------------------------------------------------------
for t in "${targets[@]}"; do
	[ -n "$(ls -A "fuzz/corpus/$t" 2>/dev/null)" ] || { bash fuzz/seeds.sh || die "seeds.sh failed"; break; }
done

# ---- run ----------------------------------------------------------------------
# Text parsers take short inputs; packets go up to 64 KiB, the control
# protocol to its header plus CTL_MAX.
max_len() {
	case $1 in
	conf|netdev) echo 8192 ;;
	ctl) echo 65552 ;;
	*) echo 65535 ;;
	esac
}

fail=0
summary=()
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
for t in "${targets[@]}"; do
	mkdir -p "$OUT/corpus/$t" "$OUT/crashes/$t"
	log=$OUT/fuzz_$t.log
	echo "fuzz: $t for ${SECS}s"
	nice -n 10 "$OUT/fuzz_$t" -max_total_time="$SECS" -max_len="$(max_len "$t")" \
		-timeout=20 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$OUT/crashes/$t/" \
		"$OUT/corpus/$t" "fuzz/corpus/$t" >"$log" 2>&1
	rc=$?
	execs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$' | tail -1)
	last=$(grep -E '^#[0-9]+' "$log" | tail -1)
	cov=$(grep -oE 'cov: [0-9]+' <<<"$last" | grep -oE '[0-9]+')
	ft=$(grep -oE 'ft: [0-9]+' <<<"$last" | grep -oE '[0-9]+')
	corp=$(grep -oE 'corp: [0-9]+' <<<"$last" | grep -oE '[0-9]+')
	if [ $rc -eq 0 ]; then
		res=ok
	else
		fail=1
		art=$(grep -oE "Test unit written to [^ ]+" "$log" | tail -1 | cut -d' ' -f5)
		res="FAILED (exit $rc) ${art:-see $log}"
		grep -E 'ERROR|SUMMARY|invariant broken|runtime error' "$log" | head -5 | sed 's/^/    /'
		grep -E '^ +#[0-9]+ ' "$log" | head -12 | sed 's/^/    /'
	fi
	summary+=("$(printf '%-9s execs %-10s cov %-5s ft %-6s corpus %-6s %s' "$t" "${execs:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" "$res")")
done
echo "fuzz: ${SECS}s per target; logs in $OUT/fuzz_<target>.log"
printf '  %s\n' "${summary[@]}"
nfail=$(printf '%s\n' "${summary[@]}" | grep -c FAILED)
if [ $fail -ne 0 ]; then
	echo "fuzz: FAILED; reproduce with: $OUT/fuzz_<target> $OUT/crashes/<target>/<file>"
	echo "fuzz: $(( ${#summary[@]} - nfail )) passed, $nfail failed"
	exit 1
fi
echo "fuzz: all targets clean"
echo "fuzz: ${#summary[@]} passed, 0 failed"
