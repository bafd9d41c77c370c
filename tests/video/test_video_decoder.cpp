// VideoDecoder on the CPU (libavcodec) against independent outputs of the ffmpeg CLI (scripts/test-videos.sh):
// frame counts and ffprobe's timestamps, the CLI's own bgr24 frames, truncated and corrupted files (the frames
// before the damage equal the intact file's, then an error naming the source and the frame), a stream served over
// HTTP by ffmpeg, and bad arguments.
#include <ATen/ATen.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "catch.hpp"
#include "trackkit/video.hpp"
#include "video/video_test_util.hpp"

using trackkit::VideoDecoder;
using video_test::on;
using video_test::read_until_error;
using video_test::video;

namespace {

/// A TCP port on 127.0.0.1 that nothing listens on right now.
int free_port() {
  const int s = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET, a.sin_addr.s_addr = htonl(INADDR_LOOPBACK), a.sin_port = 0;
  socklen_t size = sizeof a;
  const bool ok = bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
                  getsockname(s, reinterpret_cast<sockaddr*>(&a), &size) == 0;
  close(s);
  return ok ? ntohs(a.sin_port) : -1;
}

bool have_ffmpeg_cli() { return std::system("ffmpeg -hide_banner -version > /dev/null 2>&1") == 0; }

} // namespace

TEST_CASE("video: frame counts and timestamps equal ffprobe's") {
  if (!VideoDecoder::available()) TK_SKIP("trackkit was built without FFmpeg");
  for (const char* name : {"pets_h264.mp4", "pets.mkv", "pets_hevc10.mp4", "pets_1080p_hevc.mp4"}) {
    const std::string path = video(name);
    if (path.empty()) TK_SKIP(std::string("needs ") + name + " (scripts/test-videos.sh)");
    VideoDecoder d(path, on("cpu"));
    const video_test::Decoded all = video_test::decode_all(d);
    const std::vector<double> expected = video_test::probe_timestamps(path);
    INFO(name);
    REQUIRE(all.frames.size(0) == static_cast<int64_t>(expected.size()));
    CHECK(d.frames_read() == all.frames.size(0));
    double worst = 0;
    for (size_t i = 0; i < expected.size(); ++i) worst = std::max(worst, std::abs(all.timestamps[i] - expected[i]));
    CHECK(worst < 1e-6);                                                                   // ffprobe prints 6 decimals
    CHECK(d.info().frames == (std::string(name) == "pets.mkv" ? -1 : all.frames.size(0))); // Matroska has no count
    CHECK(d.read(8).size(0) == 0);
  }
  VideoDecoder d(video("pets_h264.mp4"));
  const trackkit::VideoStreamInfo& i = d.info();
  CHECK((i.width == 480 && i.height == 360 && i.fps == 10 && i.frames == 795));
  CHECK((i.codec == "h264" && i.pixel_format == "yuv420p" && i.container.find("mp4") != std::string::npos));
  if (!VideoDecoder::gpu_available()) CHECK(d.decode_mode() == "cpu");
}

TEST_CASE("video: CPU frames equal the ITU-R formula on the ffmpeg CLI's planes and its bgr24 within 3") {
  if (!VideoDecoder::available()) TK_SKIP("trackkit was built without FFmpeg");
  // BT.709 limited (tagged), unspecified (BT.601 at 360 rows, as libswscale assumes), BT.601 full range (yuvj420p).
  const trackkit::ColorMatrix matrices[] = {trackkit::ColorMatrix::BT709, trackkit::ColorMatrix::BT601,
                                            trackkit::ColorMatrix::BT601};
  const char* names[] = {"pets_h264.mp4", "pets_hevc.mp4", "pets_full.mp4"};
  for (int v = 0; v < 3; ++v) {
    const std::string path = video(names[v]);
    if (path.empty()) TK_SKIP(std::string("needs ") + names[v] + " (scripts/test-videos.sh)");
    VideoDecoder d(path, on("cpu"));
    const int64_t h = d.info().height, w = d.info().width;
    const at::Tensor cli = video_test::cli_frames(path, h, w);
    const std::vector<at::Tensor> planes = video_test::cli_planes(path, h, w);
    REQUIRE((cli.defined() && planes.size() == 3));
    const at::Tensor ours = d.read(cli.size(0));
    REQUIRE(ours.size(0) == cli.size(0));
    // The decoders agree on the planes and we convert them by the formula: exact but for float rounding at ties.
    trackkit::YuvFormat f;
    f.matrix = matrices[v], f.full_range = v == 2;
    video_test::Agreement a;
    for (int64_t k = 0; k < ours.size(0); ++k)
      video_test::compare_with_reference(ours[k], planes[0][k], planes[1][k], planes[2][k], f, a);
    CHECK(a.off_tie_mismatches == 0);
    CHECK(a.max_diff <= 1);
    // libswscale's own conversion (the CLI's bgr24): its fast unscaled path rounds coarsely and low.
    const at::Tensor diff = ours.to(at::kInt) - cli.to(at::kInt);
    const int64_t worst = diff.abs().max().item<int64_t>();
    const double mean = diff.abs().to(at::kDouble).mean().item<double>(),
                 bias = diff.to(at::kDouble).mean().item<double>();
    std::printf(
        "%s, %lld frames: ours vs formula on the CLI's planes: %lld of %lld values differ (all at ties); "
        "ours vs CLI bgr24: max |diff| %lld, mean |diff| %.3f, mean (ours - CLI) %+.3f\n",
        names[v], (long long)ours.size(0), (long long)(a.near_tie_mismatches + a.off_tie_mismatches),
        (long long)a.values, (long long)worst, mean, bias);
    CHECK(worst <= 3);
    CHECK(mean < 1.5);
  }
}

TEST_CASE("video: RGB is BGR reversed and threads do not change frames") {
  const std::string path = video("pets_h264.mp4");
  if (path.empty() || !VideoDecoder::available()) TK_SKIP("needs FFmpeg and pets_h264.mp4 (scripts/test-videos.sh)");
  trackkit::VideoDecoderOptions rgb = on("cpu"), one = on("cpu");
  rgb.rgb = true, one.threads = 1;
  VideoDecoder a(path, on("cpu")), b(path, rgb), c(path, one);
  const at::Tensor bgr = a.read(40);
  CHECK(at::equal(b.read(40), bgr.flip(3)));
  CHECK(at::equal(c.read(40), bgr));
  at::Tensor into = at::empty({3, 360, 480, 3}, at::kByte);
  CHECK(a.read_into(into) == 3);
  CHECK(a.last_timestamps().size() == 3);
  CHECK(a.frames_read() == 43);
}

TEST_CASE("video: a truncated file gives the frames before the damage then an error naming it") {
  const std::string intact = video("pets_h264.mp4"), cut = video("pets_truncated.mp4");
  if (intact.empty() || cut.empty() || !VideoDecoder::available()) TK_SKIP("needs FFmpeg and scripts/test-videos.sh");
  VideoDecoder d(cut, on("cpu"));
  const auto [frames, error] = read_until_error(d);
  const int64_t n = frames.size(0);
  std::printf("pets_truncated.mp4 (60%% of the bytes): %lld frames, then: %s\n", (long long)n, error.c_str());
  CHECK(n > 300);
  CHECK(n < 795);
  CHECK(error.rfind("VideoDecoder: source \"" + cut + "\" ", 0) == 0);
  CHECK(error.find("at frame " + std::to_string(n) + " ") != std::string::npos);
  VideoDecoder whole(intact, on("cpu"));
  CHECK(at::equal(frames, whole.read(n)));
  CHECK(tk_error_of([&] { d.read(1); }) == error); // and again on the next read
}

TEST_CASE("video: a corrupted file gives the frames before the damage then an error naming it") {
  const std::string intact = video("pets_h264.mp4"), bad = video("pets_corrupt.mp4");
  if (intact.empty() || bad.empty() || !VideoDecoder::available()) TK_SKIP("needs FFmpeg and scripts/test-videos.sh");
  VideoDecoder d(bad, on("cpu"));
  const auto [frames, error] = read_until_error(d);
  const int64_t n = frames.size(0);
  std::printf("pets_corrupt.mp4 (20 000 bytes overwritten mid-file): %lld frames, then: %s\n", (long long)n,
              error.c_str());
  CHECK(n > 100);
  CHECK(n < 795);
  CHECK(error.rfind("VideoDecoder: source \"" + bad + "\" ", 0) == 0);
  CHECK(error.find("at frame " + std::to_string(n) + " ") != std::string::npos);
  VideoDecoder whole(intact, on("cpu"));
  CHECK(at::equal(frames, whole.read(n))); // no damaged frame slipped through
}

TEST_CASE("video: a stream served over HTTP by ffmpeg is read completely") {
  const std::string path = video("pets_h264.mp4");
  if (path.empty() || !VideoDecoder::available()) TK_SKIP("needs FFmpeg and pets_h264.mp4 (scripts/test-videos.sh)");
  if (!have_ffmpeg_cli()) TK_SKIP("needs the ffmpeg CLI to serve the stream");
  const int port = free_port();
  REQUIRE(port > 0);
  const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/pets.ts";
  const pid_t server = fork();
  REQUIRE(server >= 0);
  if (server == 0) { // MPEG-TS over HTTP to the one client that connects
    std::freopen("/dev/null", "w", stderr);
    execlp("ffmpeg", "ffmpeg", "-nostdin", "-v", "error", "-i", path.c_str(), "-c", "copy", "-f", "mpegts", "-listen",
           "1", url.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  std::unique_ptr<VideoDecoder> d;
  std::string last_error;
  for (int attempt = 0; attempt < 100 && !d; ++attempt) { // until the server listens (up to 10 s)
    try {
      d = std::make_unique<VideoDecoder>(url, on("cpu"));
    } catch (const trackkit::Error& e) {
      last_error = e.what();
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  at::Tensor streamed;
  if (d) {
    CHECK(d->info().container == "mpegts");
    streamed = video_test::decode_all(*d).frames;
  }
  kill(server, SIGKILL);
  waitpid(server, nullptr, 0);
  INFO(last_error);
  REQUIRE(d);
  VideoDecoder file(path, on("cpu"));
  const at::Tensor expected = video_test::decode_all(file).frames;
  CHECK(streamed.size(0) == 795);
  CHECK(at::equal(streamed, expected));
}

TEST_CASE("video: VideoDecoder names bad sources and options") {
  if (!VideoDecoder::available()) {
    CHECK(tk_error_of([] { VideoDecoder d("x.mp4"); }).find("built without FFmpeg") != std::string::npos);
    TK_SKIP("trackkit was built without FFmpeg");
  }
  CHECK(tk_error_of([] { VideoDecoder d("/nonexistent/x.mp4"); }) ==
        "VideoDecoder: source \"/nonexistent/x.mp4\" does not exist");
  const std::string text = (std::filesystem::temp_directory_path() / "tk_not_a_video.mp4").string();
  std::ofstream(text) << "not a video at all";
  CHECK(tk_error_of([&] { VideoDecoder d(text); }).rfind("VideoDecoder: source \"" + text + "\" cannot be opened", 0) ==
        0);
  std::filesystem::remove(text);
  const std::string path = video("pets_h264.mp4");
  CHECK(tk_error_of([&] { VideoDecoder d(path, on("fast")); }) ==
        "VideoDecoder: options.decode must be \"auto\", \"gpu\" or \"cpu\", got \"fast\"");
  trackkit::VideoDecoderOptions o;
  o.cuda_device = -1;
  CHECK(tk_error_of([&] { VideoDecoder d(path, o); }) == "VideoDecoder: options.cuda_device must be >= 0, got -1");
  if (path.empty()) TK_SKIP("needs pets_h264.mp4 (scripts/test-videos.sh)");
  if (!VideoDecoder::gpu_available()) {
    CHECK(tk_error_of([&] {
            VideoDecoder d(path, on("gpu"));
          }).rfind("VideoDecoder: options.decode is \"gpu\", but ", 0) == 0);
  }
  VideoDecoder d(path, on("cpu"));
  CHECK(tk_error_of([&] { d.read(0); }) == "VideoDecoder::read: max_frames must be at least 1, got 0");
  at::Tensor wrong = at::empty({2, 360, 481, 3}, at::kByte);
  CHECK(tk_error_of([&] { d.read_into(wrong); }).rfind("VideoDecoder::read_into: frames", 0) == 0);
}
