// FrameReader (npy arrays, image folders), write_npy_frames and TrackPainter against direct reads and pixels.
#include <ATen/ATen.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "catch.hpp"
#include "gmc/gmc_test_util.hpp"
#include "trackkit/error.hpp"
#include "trackkit/video_io.hpp"

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
        "FrameReader: path \"" + path + "\" is shorter than its shape says");
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
  CHECK(tk_error_of([&] { painter.draw(frame, boxes, at::tensor({int64_t{1}})); }).rfind("TrackPainter::draw: ids", 0) ==
        0);
}
