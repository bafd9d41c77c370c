#!/usr/bin/env bash
# The tests of core, the tracker, MOT files and the C ABI under AddressSanitizer + UBSan: configures the `asan`
# preset (gcc, RelWithDebInfo, CPU only, no examples or benchmarks), builds the library and those tests' programs
# only, and runs their ctest tests. docs/reliability.md has the figures.
#   scripts/sanitize.sh [CTEST_REGEX]   default: every test of the programs built (below)
# Environment: TRACKKIT_ASAN_BUILD (build folder, default build-asan), TRACKKIT_DATA (default ../shared/data),
# TRACKKIT_VENV (default .venv), SANITIZE_TARGETS (the test programs to build, a space-separated list; "all" builds
# every target of the preset and runs every test it has, as the `asan` test preset does).
# ASan and UBSan stop a test at the first report (halt_on_error, -fno-sanitize-recover=undefined), so a report
# fails it. LibTorch is not instrumented: what it holds at exit reads as leaks, hence detect_leaks=0.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${TRACKKIT_ASAN_BUILD:-$root/build-asan}
venv=${TRACKKIT_VENV:-$root/.venv}
data=${TRACKKIT_DATA:-$(cd "$root/.." && pwd)/shared/data}
say() { printf '[sanitize] %s\n' "$*"; }

# Test programs -> their ctest names (tests/CMakeLists.txt).
declare -A tests_of=(
  [test_core]='^core/' [test_tracker]='^tracker/' [test_mot]='^mot/' [test_capi_guard]='^capi_guard/'
  [test_capi]='^capi/c99$' [test_capi_tracker]='^capi/tracker_c99$' [test_capi_mot]='^capi/mot_c99$'
  [test_capi_bad_input]='^capi/bad_input_c99$'
)
read -r -a targets <<<"${SANITIZE_TARGETS:-test_core test_tracker test_mot test_capi_guard test_capi test_capi_tracker test_capi_mot test_capi_bad_input}"

"$root/scripts/setup.sh"
cd "$root"
start=$(date +%s)
cmake --preset asan -B "$build" -DTRACKKIT_PYTHON="$venv/bin/python" -DTRACKKIT_DATA_DIR="$data" >/dev/null
regex=${1:-}
if [ "${targets[*]}" = all ]; then
  cmake --build "$build" --parallel "$(nproc)"
else
  built=()
  for t in "${targets[@]}"; do
    if grep -q "^build $t: phony" "$build/build.ninja"; then # the preset's generator is Ninja
      built+=("$t")
    else
      say "no target $t in this tree: skipped"
    fi
  done
  cmake --build "$build" --parallel "$(nproc)" --target "${built[@]}"
  if [ -z "$regex" ]; then
    for t in "${built[@]}"; do regex+="${regex:+|}${tests_of[$t]:-^$t/}"; done
  fi
fi
built_at=$(date +%s)
say "configured and built in $((built_at - start)) s"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:halt_on_error=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# The Python suite and the downstream package test run programs not built here, which cannot load an ASan library.
rc=0
ctest --test-dir "$build" --output-on-failure --parallel "$(nproc)" ${regex:+-R "$regex"} \
  -E '^(python/pytest|package/)' || rc=$?
say "tests in $(($(date +%s) - built_at)) s; $(($(date +%s) - start)) s in all"
exit "$rc"
