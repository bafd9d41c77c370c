#!/usr/bin/env bash
# Makes the videos the video tests read (tests/video) from real frames in the data folder, with the ffmpeg CLI:
#   pets_h264.mp4       PETS09-S2L1 (795 frames, 480x360, 10 fps) as H.264, yuv420p, BT.709 tags of the source
#   pets_hevc.mp4       the same as HEVC with its colour tags removed (unspecified: BT.601 at this size)
#   pets_full.mp4       60 frames as full-range H.264 (yuvj420p), tagged BT.601
#   pets.mkv            pets_h264's stream in Matroska (no frame count in the container)
#   pets_hevc10.mp4     30 frames as 10-bit HEVC (yuv420p10le; P010 surfaces on NVDEC)
#   pets_1080p_h264.mp4, pets_1080p_hevc.mp4   60 frames scaled to 1920x1080, tagged BT.709
#   pets_truncated.mp4  the first 60 % of pets_h264.mp4's bytes (its index is at the front: +faststart)
#   pets_corrupt.mp4    pets_h264.mp4 with 20 000 bytes in its middle overwritten
# and beside a video X: X.pts.csv, ffprobe's pts_time of every frame, and for pets_h264, pets_hevc and pets_full
# the ffmpeg CLI's first 10 frames as X.yuv (the decoder's planes, raw yuv420p) and X.bgr (raw bgr24, converted by
# its libswscale).
# Options: --8k adds equirect_8k_hevc.mp4 (gvr_testRoom1_1920Mono.mp4 scaled to 7680x3840, HEVC, 20 frames; slow);
# --figures adds the full 795 frames at 1080p and 2160p (H.264 and HEVC) for the decoding figures (slow).
# Files that exist are kept (a folder copied from another machine is reused as is). Without ffmpeg, or without the
# data folder, it says so and exits 0 (the tests that need a file then skip). Never commit these files.
# Usage: scripts/test-videos.sh OUT_DIR [--8k] [--figures]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
[ $# -ge 1 ] || { echo "usage: scripts/test-videos.sh OUT_DIR [--8k] [--figures]" >&2; exit 2; }
out=$1
shift
eightk=0 figures=0
for arg in "$@"; do
  case $arg in
    --8k) eightk=1 ;;
    --figures) figures=1 ;;
    *) echo "test-videos: unknown option $arg" >&2; exit 2 ;;
  esac
done
data=${TRACKKIT_DATA:-$(cd "$root/.." && pwd)/shared/data}
pets=$data/video/PETS09-S2L1_480x360.avi
for tool in ffmpeg ffprobe; do
  command -v $tool >/dev/null || { echo "test-videos: no $tool: skipped (apt-get install ffmpeg)"; exit 0; }
done
[ -f "$pets" ] || { echo "test-videos: $pets not found: skipped"; exit 0; }
mkdir -p "$out"
cd "$out"
exec 9>.lock
flock 9 # concurrent callers (parallel builds) wait for one another

ff() { ffmpeg -nostdin -hide_banner -v error -y "$@"; }
x264=(-c:v libx264 -preset veryfast -pix_fmt yuv420p)
x265=(-c:v libx265 -preset ultrafast -x265-params log-level=error -tag:v hvc1)
# Every source frame once (the AVI's timestamps would make the CFR muxer duplicate two), no audio, index in front.
common=(-an -fps_mode passthrough -movflags +faststart)
encoders=$(ffmpeg -hide_banner -encoders 2>/dev/null)
# encode NAME COMMAND...: runs the command (writing NAME.tmp.<ext>) unless NAME exists, then renames. An ffmpeg without
# the encoder the command names (the GPU machine's bundle has neither libx264 nor libx265) skips it.
encode() {
  local name=$1 tmp=${1%.*}.tmp.${1##*.} encoder
  shift
  [ -s "$name" ] && return 0
  for encoder in libx264 libx265; do
    if [[ " $* " == *" $encoder "* ]] && ! grep -q " $encoder " <<<"$encoders"; then
      echo "test-videos: $name skipped: this ffmpeg has no $encoder"
      return 0
    fi
  done
  echo "test-videos: $name"
  "$@" "$tmp"
  mv "$tmp" "$name"
}
pts() { # X.pts.csv: one pts_time a line, in presentation order (ffprobe adds a blank line after side data)
  [ -s "$1" ] || return 0
  [ -s "${1%.*}.pts.csv" ] || ffprobe -v error -select_streams v:0 -show_entries frame=pts_time -of csv=p=0 "$1" |
    sed 's/,.*$//' | grep -v '^$' >"${1%.*}.pts.csv"
}
raw() { # X.yuv and X.bgr: the CLI's first 10 frames as decoded (planar YUV) and converted by libswscale
  [ -s "$1" ] || return 0
  [ -s "${1%.*}.yuv" ] || ff -i "$1" -frames:v 10 -f rawvideo "${1%.*}.yuv"
  [ -s "${1%.*}.bgr" ] || ff -i "$1" -frames:v 10 -pix_fmt bgr24 -f rawvideo "${1%.*}.bgr"
}
untag=(-color_primaries unknown -color_trc unknown -colorspace unknown)
bt709=(-color_primaries bt709 -color_trc bt709 -colorspace bt709)

encode pets_h264.mp4 ff -i "$pets" "${common[@]}" "${x264[@]}"
# HEVC without colour tags: the stream's VUI says "unspecified" (the bitstream filter clears what x265 writes).
encode pets_hevc.mp4 ff -i "$pets" "${common[@]}" "${x265[@]}" -pix_fmt yuv420p "${untag[@]}" \
  -bsf:v hevc_metadata=colour_primaries=2:transfer_characteristics=2:matrix_coefficients=2
encode pets_full.mp4 ff -i "$pets" -frames:v 60 "${common[@]}" -c:v libx264 -preset veryfast -pix_fmt yuvj420p \
  -color_range pc -color_primaries smpte170m -color_trc smpte170m -colorspace smpte170m
[ -s pets_h264.mp4 ] && encode pets.mkv ff -i pets_h264.mp4 -c copy
encode pets_hevc10.mp4 ff -i "$pets" -frames:v 30 "${common[@]}" "${x265[@]}" -pix_fmt yuv420p10le
encode pets_1080p_h264.mp4 ff -i "$pets" -frames:v 60 "${common[@]}" -vf scale=1920:1080 "${x264[@]}" "${bt709[@]}"
encode pets_1080p_hevc.mp4 ff -i "$pets" -frames:v 60 "${common[@]}" -vf scale=1920:1080 "${x265[@]}" \
  -pix_fmt yuv420p "${bt709[@]}"
if [ ! -s pets_truncated.mp4 ] && [ -s pets_h264.mp4 ]; then
  size=$(stat -c %s pets_h264.mp4)
  head -c $((size * 6 / 10)) pets_h264.mp4 >pets_truncated.tmp.mp4 && mv pets_truncated.tmp.mp4 pets_truncated.mp4
fi
if [ ! -s pets_corrupt.mp4 ] && [ -s pets_h264.mp4 ]; then
  size=$(stat -c %s pets_h264.mp4)
  cp pets_h264.mp4 pets_corrupt.tmp.mp4
  head -c 20000 /dev/zero | tr '\0' '\377' | dd of=pets_corrupt.tmp.mp4 bs=1 seek=$((size / 2)) conv=notrunc status=none
  mv pets_corrupt.tmp.mp4 pets_corrupt.mp4
fi
for v in pets_h264.mp4 pets_hevc.mp4 pets_full.mp4 pets.mkv pets_hevc10.mp4 pets_1080p_h264.mp4 pets_1080p_hevc.mp4; do
  pts "$v"
done
for v in pets_h264.mp4 pets_hevc.mp4 pets_full.mp4; do raw "$v"; done

if ((eightk)); then
  room=$data/equirect/gvr_testRoom1_1920Mono.mp4
  encode equirect_8k_hevc.mp4 ff -i "$room" -frames:v 20 "${common[@]}" -vf scale=7680:3840 "${x265[@]}" \
    -pix_fmt yuv420p "${bt709[@]}"
  pts equirect_8k_hevc.mp4
fi
if ((figures)); then
  encode pets_1080p_full_h264.mp4 ff -i "$pets" "${common[@]}" -vf scale=1920:1080 "${x264[@]}" "${bt709[@]}"
  encode pets_1080p_full_hevc.mp4 ff -i "$pets" "${common[@]}" -vf scale=1920:1080 "${x265[@]}" -pix_fmt yuv420p \
    "${bt709[@]}"
  encode pets_2160p_full_h264.mp4 ff -i "$pets" "${common[@]}" -vf scale=3840:2160 "${x264[@]}" "${bt709[@]}"
  encode pets_2160p_full_hevc.mp4 ff -i "$pets" "${common[@]}" -vf scale=3840:2160 "${x265[@]}" -pix_fmt yuv420p \
    "${bt709[@]}"
fi
echo "test-videos: $out ready"
