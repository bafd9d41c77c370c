// FrameReader (npy arrays, image folders, videos through FFmpeg), write_npy_frames and TrackPainter against direct
// reads, VideoDecoder, ffprobe's timestamps and pixels.
#include <ATen/ATen.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "catch.hpp"
#include "gmc/gmc_test_util.hpp"
#include "trackkit/error.hpp"
#include "trackkit/video.hpp"
#include "trackkit/video_io.hpp"
#include "video/video_test_util.hpp"

namespace fs = std::filesystem;

TEST_CASE("video_io: a .npy frame array reads back in batches, as written") {
  const at::Tensor frames = at::randint(0, 256, {7, 9, 11, 3}, at::kByte);
  const std::string path = (fs::temp_directory_path() / "tk_test_frames.npy").string();
  trackkit::write_npy_frames(path, frames);
  trackkit::FrameReader reader(path);
  CHECK(reader.info().kind == "npy");
  CHECK(reader.info().frames == 7);
  CHECK(reader.info().height == 9);
  CHECK(reader.info().width == 11);
  const at::Tensor a = reader.read(3), b = reader.read(3), c = reader.read(3), d = reader.read(3);
  CHECK(a.size(0) == 3);
  CHECK(c.size(0) == 1);
  CHECK(d.size(0) == 0);
  CHECK(at::equal(at::cat({a, b, c}), frames));
  CHECK(reader.frames_read() == 7);

  trackkit::FrameReaderOptions limited;
  limited.max_frames = 4;
  trackkit::FrameReader first_four(path, limited);
  CHECK(first_four.read(100).size(0) == 4);
  CHECK(first_four.read(100).size(0) == 0);
  trackkit::FrameReaderOptions rgb;
  rgb.rgb = true;
  trackkit::FrameReader swapped(path, rgb);
  CHECK(at::equal(swapped.read(7), frames.flip(3)));
  fs::remove(path);
}

TEST_CASE("video_io: bad sources are named") {
  CHECK(tk_error_of([] { trackkit::FrameReader r("/nonexistent/video.mp4"); }) ==
        "FrameReader: path \"/nonexistent/video.mp4\" does not exist");
  const std::string path = (fs::temp_directory_path() / "tk_test_bad.npy").string();
  std::ofstream(path) << "not numpy at all";
  CHECK(tk_error_of([&] { trackkit::FrameReader r(path); }) == "FrameReader: path \"" + path + "\" is not a .npy file");
  trackkit::write_npy_frames(path, at::zeros({1, 4, 4, 3}, at::kByte));
  fs::resize_file(path, fs::file_size(path) - 5);
  CHECK(tk_error_of([&] { trackkit::FrameReader r(path); }) ==
        "FrameReader: path \"" + path + "\" is shorter than its shape (1, 4, 4, 3) says");
  fs::remove(path);
  CHECK(tk_error_of([] {
          trackkit::write_npy_frames("/tmp/x.npy", at::zeros({4, 4, 3}, at::kByte));
        }).rfind("write_npy_frames: frames", 0) == 0);
}

TEST_CASE("video_io: an image folder reads in name order, as imread decodes it") {
  const std::string data = tk_test_data_dir();
  const fs::path folder = fs::path(data) / "mot/MOT17/train/MOT17-04-FRCNN";
  if (data.empty() || !fs::exists(folder)) TK_SKIP("needs TRACKKIT_DATA");
  if (!trackkit::FrameReader::can_read("mot")) TK_SKIP("this build's OpenCV has no imgcodecs");
  trackkit::FrameReaderOptions o;
  o.threads = 3, o.prefetch = 4; // fewer slots than frames: the ring wraps
  trackkit::FrameReader reader(folder.string(), o);
  CHECK(reader.info().kind == "mot");
  CHECK(reader.info().name == "MOT17-04-FRCNN");
  CHECK(reader.info().fps == 30);
  at::Tensor all = at::cat({reader.read(3), reader.read(3), reader.read(3), reader.read(3)});
  const int64_t n = static_cast<int64_t>(std::distance(fs::directory_iterator(folder / "img1"), {}));
  REQUIRE(all.size(0) == n);
  for (int64_t i = 0; i < n; ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "%06lld.jpg", (long long)i + 1);
    const cv::Mat expected = gmc_test::load_image(data, "mot/MOT17/train/MOT17-04-FRCNN/img1/" + std::string(name));
    REQUIRE(expected.rows == all.size(1));
    const at::Tensor e = at::from_blob(expected.data, {expected.rows, expected.cols, 3}, at::kByte);
    CHECK(at::equal(all[i], e));
  }
  CHECK(reader.decode_seconds() > 0);
}

TEST_CASE("video_io: TrackPainter draws each id's box in its colour") {
  at::Tensor frame = at::zeros({100, 200, 3}, at::kByte);
  trackkit::TrackPainter painter(5);
  const at::Tensor boxes = at::tensor({10.0, 40.0, 60.0, 90.0, 120.0, 30.0, 180.0, 95.0}).view({2, 4});
  painter.draw(frame, boxes, at::tensor({int64_t{1}, int64_t{2}}));
  // The box edges are painted (left edge, halfway down, below the label), the inside and outside are not.
  const at::Tensor left = frame[65][10], right = frame[65][180], inside = frame[65][35], outside = frame[5][100];
  CHECK(left.sum().item<int64_t>() > 200);
  CHECK(right.sum().item<int64_t>() > 200);
  CHECK(!at::equal(left, right)); // two ids, two colours
  CHECK(inside.sum().item<int64_t>() == 0);
  CHECK(outside.sum().item<int64_t>() == 0);
  at::Tensor floats = at::zeros({10, 10, 3});
  CHECK(tk_error_of([&] {
          painter.draw(floats, boxes, at::tensor({int64_t{1}, int64_t{2}}));
        }).rfind("TrackPainter::draw: frame", 0) == 0);
  CHECK(tk_error_of([&] {
          painter.draw(frame, boxes, at::tensor({int64_t{1}}));
        }).rfind("TrackPainter::draw: ids", 0) == 0);
}

TEST_CASE("video_io: a video reads through FFmpeg with ffprobe's timestamps") {
  const std::string path = video_test::video("pets_h264.mp4");
  if (path.empty()) TK_SKIP("needs pets_h264.mp4 (scripts/test-videos.sh)");
  if (!trackkit::VideoDecoder::available()) TK_SKIP("trackkit was built without FFmpeg");
  trackkit::FrameReaderOptions o;
  o.decode = "cpu", o.prefetch = 8; // a small ring: it wraps many times
  trackkit::FrameReader reader(path, o);
  CHECK(reader.info().kind == "video");
  CHECK(reader.info().decoder == "cpu");
  CHECK(reader.info().codec == "h264");
  CHECK((reader.info().frames == 795 && reader.info().fps == 10 && reader.info().width == 480));
  std::vector<at::Tensor> parts;
  std::vector<double> times;
  for (at::Tensor b = reader.read(7); b.size(0) > 0; b = reader.read(7)) {
    CHECK(b.size(0) <= 4); // at most half the ring a read
    parts.push_back(b.clone());
    times.insert(times.end(), reader.last_timestamps().begin(), reader.last_timestamps().end());
  }
  const at::Tensor all = at::cat(parts);
  trackkit::VideoDecoder decoder(path, video_test::on("cpu"));
  CHECK(at::equal(all, video_test::decode_all(decoder).frames));
  const std::vector<double> probed = video_test::probe_timestamps(path);
  REQUIRE(times.size() == probed.size());
  for (size_t i = 0; i < times.size(); ++i) REQUIRE(std::abs(times[i] - probed[i]) < 1e-6); // ffprobe's 6 decimals
  trackkit::FrameReaderOptions limited;
  limited.max_frames = 100;
  trackkit::FrameReader first(path, limited);
  CHECK(first.info().frames == 100);
  int64_t n = 0;
  for (at::Tensor b = first.read(64); b.size(0) > 0; b = first.read(64)) n += b.size(0);
  CHECK(n == 100);
}

TEST_CASE("video_io: a damaged video gives its frames then an error naming the path and the frame") {
  const std::string path = video_test::video("pets_truncated.mp4");
  if (path.empty()) TK_SKIP("needs pets_truncated.mp4 (scripts/test-videos.sh)");
  if (!trackkit::VideoDecoder::available()) TK_SKIP("trackkit was built without FFmpeg");
  trackkit::FrameReader reader(path);
  int64_t n = 0;
  std::string error;
  try {
    for (at::Tensor b = reader.read(16); b.size(0) > 0; b = reader.read(16)) n += b.size(0);
  } catch (const trackkit::Error& e) {
    error = e.what();
  }
  CHECK(n > 300);
  CHECK(error.rfind("FrameReader: path \"" + path + "\" is truncated or damaged", 0) == 0);
  CHECK(error.find("at frame " + std::to_string(n) + " ") != std::string::npos);
}

TEST_CASE("video_io: URLs and pipes are videos and options are checked") {
  if (trackkit::VideoDecoder::available()) { // nothing listens on port 1: FFmpeg's error, not a missing file
    CHECK(tk_error_of([] {
            trackkit::FrameReader r("http://127.0.0.1:1/none.mp4");
          }).rfind("FrameReader: path \"http://127.0.0.1:1/none.mp4\" cannot be opened", 0) == 0);
  }
  trackkit::FrameReaderOptions o;
  const std::string path = video_test::video("pets_h264.mp4");
  if (trackkit::VideoDecoder::available() && !trackkit::VideoDecoder::gpu_available() && !path.empty()) {
    o.decode = "gpu";
    CHECK(tk_error_of([&] {
            trackkit::FrameReader r(path, o);
          }).rfind("FrameReader: options.decode is \"gpu\", but ", 0) == 0);
  }
  o.decode = "fast";
  CHECK(tk_error_of([&] { trackkit::FrameReader r("x.mp4", o); }) ==
        "FrameReader: options.decode must be \"auto\", \"gpu\" or \"cpu\", got \"fast\"");
  o.decode = "auto", o.cuda_device = -2;
  CHECK(tk_error_of([&] { trackkit::FrameReader r("x.mp4", o); }) ==
        "FrameReader: options.cuda_device must be >= 0, got -2");
}
