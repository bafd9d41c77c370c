#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ (the `fuzz` preset: clang, ASan + UBSan, CPU only) and runs each for a
# bounded time, starting from its seeds (fuzz/corpus/<target>/, read, never written) and the inputs earlier runs
# kept (<build>/corpus/<target>/). docs/reliability.md says what each target checks.
#   scripts/fuzz.sh [SECONDS] [TARGET...]   SECONDS per target (default 10); targets: all of them, or e.g. fuzz_npy
# A crash, a sanitizer report or a broken property stops that target; the input that did it is saved as
# <build>/artifacts/<target>-crash-<hash> (replay: <build>/fuzz/<target> FILE) and the script exits 1 after the others
# ran. Prints executions, executions/s and the corpus size per target.
# Environment: TRACKKIT_FUZZ_BUILD (build folder, default build-fuzz), TRACKKIT_VENV (default .venv),
# FUZZ_ARGS (more libFuzzer flags, e.g. "-jobs=4 -workers=4" or "-dict=FILE").
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
seconds=${1:-10}
[[ "$seconds" =~ ^[0-9]+$ ]] || { echo "usage: scripts/fuzz.sh [SECONDS] [TARGET...]" >&2; exit 2; }
shift $(($# > 0 ? 1 : 0))
build=${TRACKKIT_FUZZ_BUILD:-$root/build-fuzz}
venv=${TRACKKIT_VENV:-$root/.venv}
say() { printf '[fuzz] %s\n' "$*"; }

# clang and its runtime libraries (libFuzzer, the sanitizers): Debian 12 splits them into two packages.
"$root/scripts/setup.sh"
missing=()
for p in clang libclang-rt-14-dev; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})) && command -v apt-get >/dev/null; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  say "installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
command -v clang++ >/dev/null || { echo "[fuzz] clang++ not found (apt-get install clang)" >&2; exit 1; }
[ -f "$(clang++ -print-resource-dir)/lib/linux/libclang_rt.fuzzer-x86_64.a" ] || {
  echo "[fuzz] clang's libFuzzer is missing (Debian 12: apt-get install libclang-rt-14-dev)" >&2; exit 1; }

cd "$root"
cmake --preset fuzz -B "$build" -DTRACKKIT_PYTHON="$venv/bin/python" >/dev/null
all=$(sed -n 's/^trackkit_fuzz_target(\(fuzz_[a-z_]*\).*/\1/p' fuzz/CMakeLists.txt)
targets=("$@")
((${#targets[@]})) || read -r -a targets <<<"$(echo $all)"
for t in "${targets[@]}"; do
  grep -qx "$t" <<<"$all" || { echo "[fuzz] unknown target $t (known: $(echo $all))" >&2; exit 2; }
done
start=$(date +%s)
cmake --build "$build" --parallel "$(nproc)" --target "${targets[@]}"
say "built ${#targets[@]} targets in $(($(date +%s) - start)) s"

mkdir -p "$build/artifacts" "$build/logs"
failed=()
printf '%-22s %5s %10s %8s %7s  %s\n' target wall execs exec/s corpus result
for t in "${targets[@]}"; do
  corpus="$build/corpus/$t"
  log="$build/logs/$t.log"
  mkdir -p "$corpus"
  rc=0
  t0=$(date +%s)
  # -timeout: one input running this long is a finding (a hang); -rss_limit_mb: LibTorch alone holds ~250 MB.
  # shellcheck disable=SC2086 # FUZZ_ARGS is a list of flags
  "$build/fuzz/$t" -max_total_time="$seconds" -timeout=30 -rss_limit_mb=4096 -print_final_stats=1 \
    -artifact_prefix="$build/artifacts/$t-" ${FUZZ_ARGS:-} "$corpus" "fuzz/corpus/$t" >"$log" 2>&1 || rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  result=ok
  if [ "$rc" -ne 0 ]; then
    result="FAILED ($(grep -m1 -oE 'runtime error: .*|ERROR: [A-Za-z]+: [^ ]+.*|property violated: .*' "$log" || echo "exit $rc")) log $log"
    failed+=("$t")
  fi
  printf '%-22s %5s %10s %8s %7s  %s\n' "$t" "$(($(date +%s) - t0))" "${execs:-?}" "${rate:-?}" \
    "$(find "$corpus" -type f | wc -l)" "$result"
done
if ((${#failed[@]})); then
  say "findings in: ${failed[*]} (inputs in $build/artifacts/, replay with $build/fuzz/<target> <input>)"
  exit 1
fi
say "no findings ($(($(date +%s) - start)) s in all)"
