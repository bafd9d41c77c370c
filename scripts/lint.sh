#!/usr/bin/env bash
# clang-tidy (checks: .clang-tidy) over trackkit's C++ sources (src/**.cpp, capi/src/**.cpp; not .cu), within a
# time budget, with the compile commands of a configured build folder.
#   scripts/lint.sh BUILD_DIR [SECONDS]     (default 240 s; CI: scripts/test.sh calls it with its build folder)
# Order: the files changed since the merge-base with main (committed, staged, unstaged or untracked) first, so a
# developer's change is always checked, then the others in name order from a place set by the commit's hash. No
# file but the first is started once SECONDS have passed (those running finish); the summary says "N of M files
# checked in S s". Every warning is an error (--warnings-as-errors='*'): the exit status is 1 if any was reported,
# 0 otherwise, 2 for a usage problem.
# Environment: CLANG_TIDY (default: clang-tidy, else the newest clang-tidy-NN on PATH), LINT_JOBS (parallel
# clang-tidy processes; default: the number of cores), LINT_BASE (the branch to diff against; default: main).
# The compile commands are gcc's: lint.sh hands clang-tidy a copy without the flags clang cannot take (the
# precompiled-header include, gcc-only -f options) and drops nvcc's entries.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
usage() { echo "usage: scripts/lint.sh BUILD_DIR [SECONDS]" >&2; exit 2; }
[ $# -ge 1 ] && [ $# -le 2 ] || usage
build=$(cd "$1" 2>/dev/null && pwd) || { echo "lint: no build folder $1" >&2; exit 2; }
budget=${2:-240}
[[ "$budget" =~ ^[0-9]+$ ]] || usage
[ -f "$build/compile_commands.json" ] || {
  echo "lint: $build/compile_commands.json is missing (configure the build first)" >&2; exit 2; }

tidy=${CLANG_TIDY:-}
if [ -z "$tidy" ]; then
  if command -v clang-tidy >/dev/null; then
    tidy=clang-tidy
  else
    tidy=$(compgen -c clang-tidy- | grep -E '^clang-tidy-[0-9]+$' | sort -t- -k3 -n | tail -1 || true)
  fi
fi
[ -n "$tidy" ] && command -v "$tidy" >/dev/null || {
  echo "lint: clang-tidy not found (apt-get install clang-tidy, or set CLANG_TIDY)" >&2; exit 2; }
jobs=${LINT_JOBS:-$(nproc)}
cd "$root"

# ---- the files, changed ones first ---------------------------------------------------------------------------
in_scope() { grep -E '^(src|capi/src)/.*\.cpp$' || true; }
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  all=$(git ls-files --cached --others --exclude-standard -- src capi/src | in_scope | sort -u)
  base_ref=${LINT_BASE:-main}
  base=$(git merge-base HEAD "$base_ref" 2>/dev/null || git merge-base HEAD "origin/$base_ref" 2>/dev/null \
         || git rev-parse HEAD)
  changed=$( { git diff --name-only "$base" -- src capi/src
               git ls-files --others --exclude-standard -- src capi/src; } | in_scope | sort -u)
else
  all=$(find src capi/src -name '*.cpp' | in_scope | sort)
  changed=""
  base=""
fi
# The rest start at a place set by the commit (the same list for a commit, another for the next), so budgeted runs
# of successive commits (CI: HEAD is main, nothing "changed") come round to every file, not always the first ones.
count=$(printf '%s\n' "$all" | grep -c . || true)
offset=0
if [ "$count" -gt 0 ] && head=$(git rev-parse --short=7 HEAD 2>/dev/null); then offset=$(( 16#$head % count )); fi
rotated=$(printf '%s\n' "$all" |
  awk -v k="$offset" 'NF { line[n++] = $0 } END { for (i = 0; i < n; i++) print line[(i + k) % n] }')
ordered=$(printf '%s\n%s\n' "$changed" "$rotated" | awk 'NF && !seen[$0]++' | while read -r f; do
  [ -f "$f" ] && echo "$f"; done)

# ---- a compile database clang can read ---------------------------------------------------------------------------
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf '%s\n' "$ordered" > "$work/files"
python3 - "$build/compile_commands.json" "$work" "$root" <<'EOF'
import json, os, re, shlex, sys
db_path, work, root = sys.argv[1:4]
wanted = {os.path.join(root, f) for f in open(os.path.join(work, "files")).read().split()}
# gcc-only options clang rejects or misreads; the precompiled header (gcc's .gch) is dropped with its -include.
drop = re.compile(r"^(-Winvalid-pch|-fno-tree-.*|-ftree-.*|-fconserve-stack|-fno-ipa-.*|-fipa-.*|-flto=.*|"
                  r"-fno-fat-lto-objects|-fmax-errors=.*|-fno-semantic-interposition|-fdiagnostics-color=.*)$")
out, seen = [], set()
for e in json.load(open(db_path)):
    f = os.path.normpath(os.path.join(e["directory"], e["file"]))
    if f not in wanted or f in seen or f.endswith(".cu"):
        continue
    args = e["arguments"] if "arguments" in e else shlex.split(e["command"])
    if "nvcc" in os.path.basename(args[0]):
        continue
    kept, skip = [], False
    for i, a in enumerate(args):
        if skip:
            skip = False
            continue
        if a == "-include" and i + 1 < len(args) and "cmake_pch" in args[i + 1]:
            skip = True
            continue
        if drop.match(a):
            continue
        kept.append(a)
    seen.add(f)
    out.append({"directory": e["directory"], "file": f, "arguments": kept})
json.dump(out, open(os.path.join(work, "compile_commands.json"), "w"), indent=0)
open(os.path.join(work, "in_db"), "w").write("\n".join(os.path.relpath(x, root) for x in sorted(seen)) + "\n")
EOF
files=()
while read -r f; do
  [ -n "$f" ] || continue
  if grep -qxF "$f" "$work/in_db"; then
    files+=("$f")
  else
    echo "lint: $f is not in $build/compile_commands.json (configure again): skipped" >&2
  fi
done <<< "$ordered"
total=${#files[@]}
nchanged=$(printf '%s\n' "$changed" | grep -c . || true)
since=${base:+ since $(git rev-parse --short "$base")}
echo "lint: $total files ($nchanged changed$since), budget $budget s, $jobs jobs," \
     "clang-tidy $("$tidy" --version | grep -oE 'version [0-9.]+' | head -1)"

# ---- run, in order, at most $jobs at a time, none started after the budget (the first always runs) -------------
start=$SECONDS
started=0
running=0
for i in "${!files[@]}"; do
  while (( running >= jobs )); do wait -n || true; running=$((running - 1)); done
  if (( i > 0 && SECONDS - start >= budget )); then break; fi
  f=${files[$i]}
  (
    "$tidy" -p "$work" --quiet --warnings-as-errors='*' --extra-arg=-Wno-unknown-warning-option "$f" \
      > "$work/$i.out" 2> "$work/$i.err"
    echo $? > "$work/$i.rc"
  ) &
  started=$((started + 1))
  running=$((running + 1))
done
wait
elapsed=$((SECONDS - start))

# ---- report ------------------------------------------------------------------------------------------------------
failed=0
: > "$work/diagnostics"
for ((i = 0; i < started; i++)); do
  rc=$(cat "$work/$i.rc" 2>/dev/null || echo 1)
  diag=$(grep -E '^[^ ].*:[0-9]+:[0-9]+: (warning|error): ' "$work/$i.out" || true)
  if [ "$rc" != 0 ] || [ -n "$diag" ]; then
    failed=$((failed + 1))
    echo "---- ${files[$i]}"
    cat "$work/$i.out"
    grep -vE '^[0-9]+ (warning|error)s? generated\.$|^Suppressed [0-9]+ warnings|^Use -header-filter' \
      "$work/$i.err" || true
    printf '%s\n' "$diag" >> "$work/diagnostics"
  fi
done
if [ -s "$work/diagnostics" ]; then
  echo "---- warnings by check (each distinct location once)"
  grep -v '^$' "$work/diagnostics" | sort -u \
    | sed -E 's/.*\[([^],]+)(,-warnings-as-errors)?\]$/\1/; t; s/.*/clang-diagnostic-error/' | sort | uniq -c | sort -rn
fi
if (( started < total )); then
  echo "lint: not checked (budget spent): ${files[*]:started}" | fold -s -w 120
fi
echo "lint: $started of $total files checked in ${elapsed} s; $failed with warnings"
(( failed == 0 ))
