#!/usr/bin/env bash
# Runs the cforg benchmarks (docs/BENCHMARKS.md): all of them, or the ones named.
#
#   bench/run.sh                      # all: apply-latency throughput plan-scale refresh
#                                     #      consistency young-window requests shared-budget
#                                     #      contents-apply contents-refresh
#   bench/run.sh plan-scale refresh   # some
#   QUICK=1 bench/run.sh              # small sizes, 2 rounds: a smoke test of the harness
#
# Environment: QUICK=1; ROUNDS=N (default 5, quick 2); BUILD_DIR (default build-bench: cforg,
# cforg-emulator and the bench programs are all built there, RelWithDebInfo, so that every
# contender is compiled alike); WORK_DIR (generated estates and scratch state, default
# $BUILD_DIR/bench-work; it needs ~300 MB for plan-scale); OUT_DIR (results, default
# $BUILD_DIR/bench-results: BENCH.md tables and BENCH.json raw rounds).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${BUILD_DIR:-$root/build-bench}"
work="${WORK_DIR:-$build/bench-work}"
out="${OUT_DIR:-$build/bench-results}"

all=(apply-latency throughput plan-scale refresh consistency young-window requests shared-budget
     contents-apply contents-refresh)
benches=("$@")
[ ${#benches[@]} -gt 0 ] || benches=("${all[@]}")
for b in "${benches[@]}"; do
  case " ${all[*]} " in *" $b "*) ;; *) echo "unknown benchmark: $b (one of: ${all[*]})" >&2; exit 2 ;; esac
done

for tool in cmake make python3 /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "missing: $tool (apt-get install cmake make python3 time)" >&2; exit 1; }
done

cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCFORG_BUILD_TESTS=OFF \
  -DCFORG_BUILD_BENCH=ON >/dev/null
make -C "$build" -j"$(nproc)" --no-print-directory \
  cforg cforg-emulator curl_post_loop parse_baseline no_accept_encoding slow_fsync >/dev/null

args=(--build "$build" --work "$work" --out "$out")
[ "${QUICK:-0}" = 1 ] && args+=(--quick)
[ -n "${ROUNDS:-}" ] && args+=(--rounds "$ROUNDS")
echo "# cforg benchmarks: ${benches[*]}$([ "${QUICK:-0}" = 1 ] && echo " (QUICK=1)")"
echo "# $(nproc) CPUs, $(lscpu | sed -n 's/^Model name: *//p'), kernel $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# $("$build/cforg" version 2>/dev/null || true), built in $build ($(sed -n 's/^CMAKE_BUILD_TYPE:STRING=//p' "$build/CMakeCache.txt"))"
echo
python3 "$root/bench/bench.py" "${args[@]}" "${benches[@]}"
echo "Results: $out"
