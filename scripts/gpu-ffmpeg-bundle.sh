#!/usr/bin/env bash
# Builds a minimal, relocatable, shared FFmpeg 5.1 for the GPU machine (Ubuntu 24.04, no FFmpeg, no package manager,
# no network) and packs it as OUT (default .gpu/ffmpeg.tar.xz, one top folder "ffmpeg/"). scripts/gpu-env.sh unpacks
# it there and makes it visible to pkg-config, the loader and the shell. Run on this (Debian 12) machine: what is
# built against glibc 2.36 runs on 2.39.
#
# Why build rather than copy Debian's libav*.so: Debian's libraries pull in ~100 codec, X11 and audio libraries
# (hundreds of MB); trackkit needs demuxing, a few video decoders (CPU and NVDEC) and libswscale.
# What is in it (configure line below): containers MP4/MOV, Matroska/WebM, MPEG-TS, AVI, FLV, raw H.264/HEVC, IVF,
# image sequences, MJPEG-over-HTTP; network input over file, pipe, http(s), tcp, udp, rtp, rtsp, rtmp, hls;
# decoders H.264, HEVC (8/10 bit), MPEG-4 part 2, MJPEG, VP9 on the CPU, the same plus AV1 through NVDEC (the native
# av1 decoder only drives a hwaccel: no CPU AV1); encoders h264_nvenc/hevc_nvenc (need an NVENC engine: H100 and
# H200 have none), mpeg4, mjpeg, rawvideo; the ffmpeg CLI with a few filters (scale, format, fps, hwupload_cuda,
# hwdownload, testsrc2) and ffprobe. No audio decoders: audio streams are demuxed and can be copied, not decoded.
# FFmpeg dlopens libcuda, libnvcuvid and libnvidia-encode at run time (nv-codec-headers): no link dependency.
# https: OpenSSL 3 (Debian's libssl/libcrypto.so.3, 1.7 MB of the 4.2 MB xz) goes into lib/openssl, reached through
# the bundle's RUNPATHs only (not LD_LIBRARY_PATH), so that the image's own OpenSSL (if any) stays the one other programs load.
# pkgconf (with libpkgconf) is bundled too: the GPU image may have no pkg-config, and CMake's FindPkgConfig needs one.
#
# Needs: apt sources reachable (deb-src of bookworm is added through a private apt state under the scratch folder,
# never in /etc/apt), dpkg-dev, gcc, make, nasm, patchelf, libffmpeg-nvenc-dev, libssl-dev, zlib1g-dev, pkgconf.
# Usage: scripts/gpu-ffmpeg-bundle.sh [OUT]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=$(realpath -m "${1:-$root/.gpu/ffmpeg.tar.xz}")
missing=""
for tool in dpkg-source gcc make nasm patchelf pkgconf xz; do
  command -v "$tool" >/dev/null || missing+=" $tool"
done
for header in ffnvcodec/nvEncodeAPI.h openssl/ssl.h zlib.h; do [ -f "/usr/include/$header" ] || missing+=" $header"; done
if [ -n "$missing" ]; then
  echo "gpu-ffmpeg-bundle: missing$missing; apt-get install dpkg-dev nasm patchelf libffmpeg-nvenc-dev" \
    "libssl-dev zlib1g-dev pkgconf xz-utils" >&2
  exit 1
fi
work=$(mktemp -d /tmp/gpu-ffmpeg.XXXXXX)
trap 'rm -rf "$work"' EXIT

# Sources: Debian's FFmpeg 5.1 (with Debian's patches), through a private apt configuration so that no deb-src entry
# is ever written to /etc/apt and the system's package lists stay as they are. apt checks the files against the
# signed Sources index; dpkg-source's warning that it cannot verify the .dsc's own signature is expected.
mkdir -p "$work/apt/parts" "$work/apt/lists/partial" "$work/apt/cache/archives/partial" "$work/src"
deb_src() {
  printf 'Types: deb-src\nURIs: http://deb.debian.org/%s\nSuites: %s\nComponents: main\n' "$1" "$2"
  printf 'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n\n'
}
{ deb_src debian "bookworm bookworm-updates" && deb_src debian-security bookworm-security; } \
  >"$work/apt/parts/bookworm-src.sources"
apt_private=(-o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts="$work/apt/parts"
  -o Dir::State::Lists="$work/apt/lists" -o Dir::Cache="$work/apt/cache")
apt-get "${apt_private[@]}" -q update >/dev/null
(cd "$work/src" && apt-get "${apt_private[@]}" -q source --download-only ffmpeg >/dev/null &&
  dpkg-source -x ffmpeg_*.dsc ffmpeg >/dev/null)
src=$work/src/ffmpeg
grep -q '^5\.1' "$src/VERSION" 2>/dev/null || grep -q '^5\.1' "$src/RELEASE" ||
  { echo "gpu-ffmpeg-bundle: expected FFmpeg 5.1 sources, got $(cat "$src/RELEASE")" >&2; exit 1; }

stage=$work/ffmpeg
list() { local IFS=,; echo "$*"; }
configure_args=(
  --prefix="$stage" --disable-everything --disable-autodetect --disable-doc --disable-debug
  --disable-static --enable-shared --enable-pic
  --disable-avdevice --disable-swresample --disable-postproc --disable-ffplay --enable-ffmpeg --enable-ffprobe
  --enable-ffnvcodec --enable-cuda --enable-nvdec --enable-nvenc --enable-zlib --enable-openssl --enable-network
  --enable-protocol="$(list file pipe http https httpproxy tls tcp udp rtp hls crypto rtmp)"
  --enable-demuxer="$(list mov matroska mpegts avi flv h264 hevc ivf rawvideo rtsp rtp sdp hls image2 mjpeg mpjpeg)"
  --enable-decoder="$(list h264 hevc mpeg4 mjpeg vp9 av1 rawvideo)"
  --enable-hwaccel="$(list h264_nvdec hevc_nvdec vp9_nvdec mpeg4_nvdec av1_nvdec mjpeg_nvdec)"
  --enable-parser="$(list h264 hevc mpeg4video vp9 av1 mjpeg)"
  --enable-bsf="$(list h264_mp4toannexb hevc_mp4toannexb null)"
  --enable-encoder="$(list h264_nvenc hevc_nvenc mpeg4 mjpeg rawvideo)"
  --enable-muxer="$(list mp4 mov matroska mpegts rawvideo null h264 hevc rtp rtsp)"
  --enable-filter="$(list scale format null fps setpts hwupload hwupload_cuda hwdownload testsrc2)"
)
echo "gpu-ffmpeg-bundle: ./configure ${configure_args[*]}" | sed "s|$stage|PREFIX|"
(cd "$src" && ./configure "${configure_args[@]}" >"$work/configure.log") ||
  { tail -20 "$src/ffbuild/config.log" >&2; exit 1; }
for needed in h264_nvdec_hwaccel hevc_nvdec_hwaccel vp9_nvdec_hwaccel av1_nvdec_hwaccel h264_nvenc_encoder \
  hevc_nvenc_encoder https_protocol; do
  grep -q "^#define CONFIG_${needed^^} 1" "$src/config_components.h" ||
    { echo "gpu-ffmpeg-bundle: configure dropped $needed" >&2; exit 1; }
done
(cd "$src" && nice -n 10 make -j2 >"$work/make.log" 2>&1 && make install >/dev/null) ||
  { tail -30 "$work/make.log" >&2; exit 1; }

# OpenSSL and pkgconf from this machine, each with its runtime library next to it.
mkdir -p "$stage/lib/openssl"
cp -L /usr/lib/x86_64-linux-gnu/libssl.so.3 /usr/lib/x86_64-linux-gnu/libcrypto.so.3 "$stage/lib/openssl/"
cp -L "$(command -v pkgconf)" "$stage/bin/pkgconf"
cp -L /usr/lib/x86_64-linux-gnu/libpkgconf.so.3 "$stage/lib/"
cp -r /usr/include/ffnvcodec "$stage/include/" && cp /usr/share/pkgconfig/ffnvcodec.pc "$stage/lib/pkgconfig/"
sed -i 's|^prefix=.*|prefix=/usr|' "$stage/lib/pkgconfig/ffnvcodec.pc"
# Relative RUNPATHs (bin/../lib is lib/../lib): the bundle runs from any folder without LD_LIBRARY_PATH.
# shellcheck disable=SC2016 # $ORIGIN is for the dynamic loader, not the shell
for f in "$stage"/bin/* "$stage"/lib/lib*.so.*[0-9]; do
  [ -L "$f" ] && continue
  patchelf --set-rpath '$ORIGIN/../lib:$ORIGIN/../lib/openssl' "$f"
done
# shellcheck disable=SC2016 # as above
patchelf --set-rpath '$ORIGIN' "$stage/lib/openssl/libssl.so.3"
strip --strip-unneeded "$stage"/bin/* "$stage"/lib/lib*.so.*[0-9] "$stage"/lib/openssl/*.so.3
# Relocatable .pc files: every absolute path of the stage becomes relative to the .pc file itself.
sed -i -e "s|^prefix=.*|prefix=\${pcfiledir}/../..|" -e "s|$stage|\${prefix}|g" "$stage"/lib/pkgconfig/libav*.pc \
  "$stage"/lib/pkgconfig/libsw*.pc
rm -rf "$stage/share"
cp "$src/COPYING.LGPLv2.1" "$src/LICENSE.md" "$stage/"
echo "FFmpeg $(cat "$src/RELEASE") from Debian's $(basename "$work"/src/ffmpeg_*.dsc .dsc); configure:" \
  "${configure_args[*]}" | sed "s|$stage|PREFIX|" >"$stage/BUILDINFO"

# Checks on this machine: the NVIDIA pieces are in, the libraries need nothing beyond glibc, zlib and OpenSSL, and the
# bundled ffprobe reads the PETS09 video (H.264 in AVI) from any folder.
awk '/^Enabled (hwaccels|encoders):/{show=1} /^$/{show=0} show' "$work/configure.log"
extra=$(ldd "$stage"/lib/libav*.so.*[0-9] "$stage"/lib/libsw*.so.*[0-9] | awk '/=>/{print $1}' | sort -u |
  grep -vE '^(libav[a-z]*|libsw[a-z]*|libc|libm|libz|libssl|libcrypto|linux-vdso)\.so' || true)
[ -z "$extra" ] || { echo "gpu-ffmpeg-bundle: unexpected dependencies: $extra" >&2; exit 1; }
video=$root/../shared/data/video/PETS09-S2L1_480x360.avi
if [ -f "$video" ]; then
  (cd / && "$stage/bin/ffprobe" -v error -select_streams v:0 -count_frames -show_entries \
    stream=codec_name,width,height,nb_read_frames -of compact "$video")
fi
PKG_CONFIG_PATH=$stage/lib/pkgconfig "$stage/bin/pkgconf" --cflags --libs libavformat libavcodec libavutil libswscale
mkdir -p "$(dirname "$out")"
tar -C "$work" -cJf "$out" ffmpeg
du -sh "$stage" "$out"
