// The GPU paths against the CPU ones (skipped without a GPU or without FFmpeg's CUDA hwaccel): yuv_to_bgr's CUDA
// kernel equals the CPU kernel byte for byte on NV12- and P010-style planes; NVDEC frames equal libavcodec's
// within 1 level (the decoders are bit-exact and the conversion is the same formula, so 0 is expected) for H.264,
// HEVC, 10-bit HEVC and 8K HEVC; timestamps, damage and FrameReader's CUDA batches as on the CPU.
#include <ATen/ATen.h>

#include <cstdio>
#include <string>

#include "catch.hpp"
#include "trackkit/device.hpp"
#include "trackkit/video.hpp"
#include "trackkit/video_io.hpp"
#include "video/video_test_util.hpp"

using trackkit::VideoDecoder;
using video_test::on;
using video_test::video;

TEST_CASE("video: yuv_to_bgr CUDA equals CPU on NV12 and P010 planes", "[video][cuda]") {
  if (!trackkit::cuda_available()) TK_SKIP("no CUDA device");
  at::manual_seed(5);
  const int64_t h = 1081, w = 1921, h2 = (h + 1) / 2, w2 = (w + 1) / 2, pitch = 2048; // odd sizes, padded rows
  for (bool p010 : {false, true}) {
    for (auto m : {trackkit::ColorMatrix::BT601, trackkit::ColorMatrix::BT709, trackkit::ColorMatrix::BT2020}) {
      const at::ScalarType type = p010 ? at::kUInt16 : at::kByte;
      const at::Tensor buffer = at::randint(0, p010 ? 65536 : 256, {h + h2, pitch}, at::kInt).to(type);
      const at::Tensor y = buffer.narrow(0, 0, h).narrow(1, 0, w);
      const at::Tensor uv = buffer.narrow(0, h, h2).narrow(1, 0, 2 * w2).view({h2, w2, 2});
      trackkit::YuvFormat f;
      f.matrix = m, f.full_range = m == trackkit::ColorMatrix::BT601, f.bits = p010 ? 10 : 8, f.msb_aligned = p010;
      const at::Tensor cpu =
          trackkit::yuv_to_bgr(y, uv.select(2, 0), uv.select(2, 1), f, m == trackkit::ColorMatrix::BT709);
      const at::Tensor gpu_buffer = buffer.cuda();
      const at::Tensor gy = gpu_buffer.narrow(0, 0, h).narrow(1, 0, w);
      const at::Tensor guv = gpu_buffer.narrow(0, h, h2).narrow(1, 0, 2 * w2).view({h2, w2, 2});
      const at::Tensor gpu =
          trackkit::yuv_to_bgr(gy, guv.select(2, 0), guv.select(2, 1), f, m == trackkit::ColorMatrix::BT709);
      CHECK(gpu.is_cuda());
      CHECK(at::equal(gpu.cpu(), cpu));
    }
  }
}

TEST_CASE("video: NVDEC frames equal libavcodec's", "[video][cuda]") {
  if (!VideoDecoder::gpu_available()) TK_SKIP("no GPU decoding here (CUDA device and FFmpeg's CUDA hwaccel)");
  for (const char* name : {"pets_h264.mp4", "pets_hevc.mp4", "pets_hevc10.mp4", "pets_full.mp4", "pets_1080p_h264.mp4",
                           "pets_1080p_hevc.mp4", "equirect_8k_hevc.mp4"}) {
    const std::string path = video(name);
    if (path.empty()) {
      WARN(std::string("missing ") + name + " (scripts/test-videos.sh; the 8K one with --8k)");
      continue;
    }
    VideoDecoder gpu(path, on("gpu")), cpu(path, on("cpu"));
    CHECK(gpu.decode_mode() == "gpu");
    CHECK(gpu.device().is_cuda());
    const video_test::Decoded g = video_test::decode_all(gpu, 8), c = video_test::decode_all(cpu, 8);
    INFO(name);
    REQUIRE(g.frames.size(0) == c.frames.size(0));
    const int64_t worst = video_test::max_abs_diff(g.frames, c.frames);
    std::printf("%s: %lld frames, NVDEC vs libavcodec max |diff| %lld\n", name, (long long)g.frames.size(0),
                (long long)worst);
    CHECK(worst <= 1);
    CHECK(g.timestamps == c.timestamps);
  }
}

TEST_CASE("video: GPU decoding of a truncated file stops at the damage with an error", "[video][cuda]") {
  if (!VideoDecoder::gpu_available()) TK_SKIP("no GPU decoding here");
  const std::string intact = video("pets_h264.mp4"), cut = video("pets_truncated.mp4");
  if (intact.empty() || cut.empty()) TK_SKIP("needs scripts/test-videos.sh");
  VideoDecoder d(cut, on("gpu"));
  const auto [frames, error] = video_test::read_until_error(d);
  REQUIRE(frames.size(0) > 0);
  CHECK(error.rfind("VideoDecoder: source \"" + cut + "\" ", 0) == 0);
  CHECK(error.find("at frame " + std::to_string(frames.size(0)) + " ") != std::string::npos);
  VideoDecoder whole(intact, on("cpu"));
  CHECK(video_test::max_abs_diff(frames, whole.read(frames.size(0))) <= 1);
}

TEST_CASE("video: FrameReader decodes on the GPU into CUDA batches", "[video][cuda]") {
  if (!VideoDecoder::gpu_available()) TK_SKIP("no GPU decoding here");
  const std::string path = video("pets_h264.mp4");
  if (path.empty()) TK_SKIP("needs pets_h264.mp4 (scripts/test-videos.sh)");
  trackkit::FrameReaderOptions g, c;
  g.decode = "gpu", c.decode = "cpu", g.prefetch = c.prefetch = 8; // small rings: they wrap many times
  trackkit::FrameReader gpu(path, g), cpu(path, c);
  CHECK(gpu.info().decoder == "gpu");
  CHECK(cpu.info().decoder == "cpu");
  int64_t frames = 0;
  for (;;) {
    const at::Tensor a = gpu.read(5), b = cpu.read(5);
    REQUIRE(a.size(0) == b.size(0));
    if (a.size(0) == 0) break;
    CHECK(a.is_cuda());
    CHECK(video_test::max_abs_diff(a.cpu(), b) <= 1);
    CHECK(gpu.last_timestamps() == cpu.last_timestamps());
    frames += a.size(0);
  }
  CHECK(frames == 795);
}
