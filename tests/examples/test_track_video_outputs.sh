#!/usr/bin/env bash
# track_video's outputs (issue 26): an output folder that cannot be created is an error naming it, before any frame
# and without the "terminate called" abort; a normal run writes results.txt and tracks.csv and exits 0.
#   test_track_video_outputs.sh TRACK_VIDEO MODEL        (skips, 77, without the model or MOT17 frames)
set -uo pipefail
track_video=$1 model=$2
data=${TRACKKIT_DATA:-}
seq=$data/mot/MOT17/train/MOT17-02-FRCNN
[ -f "$model" ] || { echo "SKIP: no detector model $model (scripts/detector-models.sh)"; exit 77; }
[ -d "$seq/img1" ] || { echo "SKIP: no MOT17-02 frames under TRACKKIT_DATA"; exit 77; }
tmp=$(mktemp -d) && trap 'rm -rf "$tmp"' EXIT
failures=0
check() { if eval "$2"; then echo "ok: $1"; else echo "FAILED: $1"; failures=$((failures + 1)); fi; }

# A folder under a regular file cannot be created.
touch "$tmp/file"
"$track_video" "$seq" --model "$model" --device cpu --max-frames 2 --out "$tmp/file/out" > "$tmp/bad.log" 2>&1
status=$?
check "unwritable --out exits 1 (got $status)" '[ $status -eq 1 ]'
check "the message names the folder" 'grep -q "$tmp/file/out" "$tmp/bad.log"'
check "no abort" '! grep -q "terminate called" "$tmp/bad.log"'

# tracks.csv that cannot be opened (a directory in its place).
mkdir -p "$tmp/blocked/tracks.csv"
"$track_video" "$seq" --model "$model" --device cpu --max-frames 2 --out "$tmp/blocked" > "$tmp/csv.log" 2>&1
status=$?
check "unwritable tracks.csv exits 1 (got $status)" '[ $status -eq 1 ]'
check "the message names tracks.csv" 'grep -q "tracks.csv" "$tmp/csv.log"'
check "no results.txt claimed" '[ ! -s "$tmp/blocked/results.txt" ]'

"$track_video" "$seq" --model "$model" --device cpu --max-frames 3 --out "$tmp/good" > "$tmp/good.log" 2>&1
status=$?
check "a normal run exits 0 (got $status)" '[ $status -eq 0 ]'
check "results.txt and tracks.csv written" '[ -s "$tmp/good/results.txt" ] && [ -s "$tmp/good/tracks.csv" ]'
[ $failures -eq 0 ] || { cat "$tmp"/*.log; exit 1; }
