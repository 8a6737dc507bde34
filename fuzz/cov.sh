#!/usr/bin/env bash
# Line coverage of each fuzz target over its corpus (seeds + what fuzz/run.sh
# found), per source file it exercises: builds the targets with clang's
# source-based coverage into build-fuzz/cov/ and replays the corpora.
#   bash fuzz/cov.sh [target...]
set -u
cd "$(dirname "$0")/.."
OUT=build-fuzz/cov
CC=${FUZZ_CC:-clang}
CFLAGS="-std=gnu11 -O1 -g -fprofile-instr-generate -fcoverage-mapping -Iinclude -Icommon -D_GNU_SOURCE"
PROFDATA=$(command -v llvm-profdata || command -v llvm-profdata-14) || { echo "cov: llvm-profdata missing" >&2; exit 2; }
LLVMCOV=$(command -v llvm-cov || command -v llvm-cov-14) || { echo "cov: llvm-cov missing" >&2; exit 2; }
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
	for f in fuzz/fuzz_*.c; do t=${f#fuzz/fuzz_}; targets+=("${t%.c}"); done
fi
mkdir -p "$OUT"
for t in "${targets[@]}"; do
	"$CC" $CFLAGS -fsanitize=fuzzer -o "$OUT/fuzz_$t" "fuzz/fuzz_$t.c" lib/*.c common/*.c || exit 1
	dirs=("fuzz/corpus/$t"); [ -d "build-fuzz/corpus/$t" ] && dirs+=("build-fuzz/corpus/$t")
	LLVM_PROFILE_FILE="$OUT/$t.profraw" "$OUT/fuzz_$t" -runs=0 "${dirs[@]}" >/dev/null 2>&1
	"$PROFDATA" merge -sparse -o "$OUT/$t.profdata" "$OUT/$t.profraw"
	echo "== $t (files it reaches; lines covered / lines)"
	"$LLVMCOV" report "$OUT/fuzz_$t" -instr-profile="$OUT/$t.profdata" lib common 2>/dev/null |
		awk 'NR > 2 && $1 ~ /\.c$/ && $9 != "-" && $8 != $9 { printf "  %-18s %5d/%-5d %s\n", $1, $8 - $9, $8, $10 }'
done
