// The .npy frame reader against hostile but legal or subtly broken files (issue 26): headers padded far beyond
// the usual 64 bytes, shapes whose byte count overflows, numbers past int64, directories. Each case once crashed,
// passed a wrong shape, or let a foreign exception escape.
#include <ATen/ATen.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "catch.hpp"
#include "trackkit/error.hpp"
#include "trackkit/video_io.hpp"

namespace fs = std::filesystem;

namespace {

// A .npy file of the given version whose header is `dict` padded with `padding` spaces, followed by `data_bytes`
// bytes of value 7.
std::string write_npy(const std::string& name, int version, const std::string& dict, size_t padding,
                      size_t data_bytes) {
  const std::string path = (fs::temp_directory_path() / name).string();
  std::string header = dict + std::string(padding, ' ') + "\n";
  std::ofstream out(path, std::ios::binary);
  out.write("\x93NUMPY", 6);
  out.put(static_cast<char>(version)).put(0);
  const size_t length_bytes = version == 1 ? 2 : 4;
  for (size_t i = 0; i < length_bytes; ++i) out.put(static_cast<char>((header.size() >> (8 * i)) & 0xff));
  out.write(header.data(), static_cast<std::streamsize>(header.size()));
  const std::string data(data_bytes, '\x07');
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
  return path;
}

trackkit::ErrorCode open_error(const std::string& path, std::string* message = nullptr) {
  try {
    trackkit::FrameReader reader(path);
  } catch (const trackkit::Error& e) {
    if (message != nullptr) *message = e.what();
    return e.code();
  }
  return static_cast<trackkit::ErrorCode>(0); // opened: no error
}

} // namespace

TEST_CASE("npy: a legal header padded with 65,000 spaces reads (v1 and v2)") {
  const std::string dict = "{'descr': '|u1', 'fortran_order': False, 'shape': (2, 3, 4, 3), }";
  for (const auto& [version, padding] : {std::pair<int, size_t>{1, 65000}, {2, 200000}}) {
    const std::string path = write_npy("tk_npy_padded.npy", version, dict, padding, 2 * 3 * 4 * 3);
    trackkit::FrameReader reader(path);
    CHECK(reader.info().frames == 2);
    const at::Tensor frames = reader.read(10);
    REQUIRE(frames.sizes() == at::IntArrayRef({2, 3, 4, 3}));
    CHECK(frames.eq(7).all().item<bool>());
    fs::remove(path);
  }
}

TEST_CASE("npy: keys in any order, double quotes and no trailing comma are Python dicts too") {
  const std::string path =
      write_npy("tk_npy_order.npy", 1, "{\"shape\": (1,2,2,3), \"fortran_order\": False, \"descr\": \"<u1\"}", 3, 12);
  trackkit::FrameReader reader(path);
  CHECK(reader.read(5).size(0) == 1);
  fs::remove(path);
}

TEST_CASE("npy: shapes that overflow or exceed the file are errors naming the path") {
  const std::string cases[] = {
      "{'descr': '|u1', 'fortran_order': False, 'shape': (1, 4294967296, 4294967296, 3), }",  // H*W*3 wraps to 0
      "{'descr': '|u1', 'fortran_order': False, 'shape': (3074457345618258603, 1, 1, 3), }",  // N*3 wraps
      "{'descr': '|u1', 'fortran_order': False, 'shape': (99999999999999999999, 1, 1, 3), }", // past int64
      "{'descr': '|u1', 'fortran_order': False, 'shape': (5, 2, 2, 3), }",                    // data too short
      "{'descr': '|u1', 'fortran_order': False, 'shape': (1, 2, 2, 3)",                       // unterminated
      "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2, 2, 3), }",                    // not uint8
      "{'descr': '|u1', 'fortran_order': Maybe, 'shape': (1, 2, 2, 3), }",                    // not a bool
  };
  for (const std::string& dict : cases) {
    const std::string path = write_npy("tk_npy_bad.npy", 1, dict, 10, 12);
    std::string message;
    CHECK(open_error(path, &message) == trackkit::ErrorCode::InvalidArgument);
    CHECK(message.find(path) != std::string::npos);
    fs::remove(path);
  }
}

TEST_CASE("npy: a directory or an unknown version is named, not mapped") {
  const fs::path folder = fs::temp_directory_path() / "tk_npy_folder.npy";
  fs::create_directories(folder);
  std::string message;
  CHECK(open_error(folder.string(), &message) != static_cast<trackkit::ErrorCode>(0));
  CHECK(message.find(folder.string()) != std::string::npos);
  fs::remove_all(folder);
  const std::string path =
      write_npy("tk_npy_version.npy", 9, "{'descr': '|u1', 'fortran_order': False, 'shape': (1, 2, 2, 3), }", 3, 12);
  CHECK(open_error(path, &message) == trackkit::ErrorCode::InvalidArgument);
  CHECK(message.find("version") != std::string::npos);
  fs::remove(path);
}
