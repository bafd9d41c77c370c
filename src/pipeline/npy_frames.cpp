#include "npy_frames.hpp"

#include <ATen/ATen.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cstring>
#include <fstream>
#include <limits>
#include <utility>
#include <vector>

#include "trackkit/check.hpp"
#include "trackkit/error.hpp"
#include "trackkit/video_io.hpp"

namespace trackkit {
namespace detail {

namespace {

[[noreturn]] void fail_npy(const std::string& path, const std::string& problem) {
  throw Error(ErrorCode::InvalidArgument, "FrameReader: path \"" + path + "\" " + problem);
}

// The header is a Python dict literal such as {'descr': '|u1', 'fortran_order': False, 'shape': (2, 4, 6, 3), }.
// A hand parser rather than std::regex: regex recursion overflows the stack on legal headers padded with ~64 KB of
// spaces, and a number past int64 must be an error naming the file, not std::stoll's exception.
struct NpyHeader {
  std::string descr;
  bool fortran_order = false;
  std::vector<int64_t> shape;
};

class HeaderParser {
 public:
  HeaderParser(const std::string& text, const std::string& path) : text_(text), path_(path) {}

  NpyHeader parse() {
    NpyHeader header;
    bool have_descr = false, have_order = false, have_shape = false;
    expect('{');
    while (!accept('}')) {
      const std::string key = quoted();
      expect(':');
      if (key == "descr") {
        header.descr = quoted(), have_descr = true;
      } else if (key == "fortran_order") {
        header.fortran_order = boolean(), have_order = true;
      } else if (key == "shape") {
        header.shape = tuple(), have_shape = true;
      } else {
        fail("has an unknown header key '" + key + "'");
      }
      if (!accept(',')) {
        expect('}');
        break;
      }
    }
    if (!have_descr || !have_order || !have_shape) fail("has a header without 'descr', 'fortran_order' and 'shape'");
    return header;
  }

 private:
  [[noreturn]] void fail(const std::string& problem) const { fail_npy(path_, problem); }
  void skip_space() {
    while (at_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[at_]))) ++at_;
  }
  bool accept(char c) {
    skip_space();
    if (at_ < text_.size() && text_[at_] == c) return ++at_, true;
    return false;
  }
  void expect(char c) {
    if (!accept(c))
      fail(std::string("has a malformed header (expected '") + c + "' at byte " + std::to_string(at_) + ")");
  }
  std::string quoted() {
    skip_space();
    if (at_ >= text_.size() || (text_[at_] != '\'' && text_[at_] != '"')) expect('\'');
    const char quote = text_[at_++];
    const size_t close = text_.find(quote, at_);
    if (close == std::string::npos) fail("has a malformed header (unterminated string)");
    std::string value = text_.substr(at_, close - at_);
    at_ = close + 1;
    return value;
  }
  bool boolean() {
    skip_space();
    for (const auto& [word, value] : {std::pair<const char*, bool>{"True", true}, {"False", false}}) {
      const size_t n = std::strlen(word);
      if (text_.compare(at_, n, word) == 0) return at_ += n, value;
    }
    fail("has a malformed header ('fortran_order' is not True or False)");
  }
  std::vector<int64_t> tuple() {
    std::vector<int64_t> values;
    expect('(');
    while (!accept(')')) {
      skip_space();
      if (at_ >= text_.size() || !std::isdigit(static_cast<unsigned char>(text_[at_])))
        fail("has a malformed header ('shape' must be a tuple of integers)");
      int64_t value = 0;
      while (at_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[at_]))) {
        const int digit = text_[at_++] - '0';
        if (value > (std::numeric_limits<int64_t>::max() - digit) / 10) fail("has a shape dimension beyond int64");
        value = value * 10 + digit;
      }
      values.push_back(value);
      if (!accept(',')) {
        expect(')');
        break;
      }
    }
    return values;
  }

  const std::string& text_;
  const std::string& path_;
  size_t at_ = 0;
};

// A multiplication that reports overflow instead of wrapping.
bool multiply_overflows(size_t a, size_t b, size_t& out) { return __builtin_mul_overflow(a, b, &out); }

} // namespace

NpyFrames::NpyFrames(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) throw Error(ErrorCode::NotFound, "FrameReader: path \"" + path + "\" cannot be opened");
  struct stat st {};
  const bool regular = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
  map_bytes_ = regular ? static_cast<size_t>(st.st_size) : 0;
  map_ = map_bytes_ > 0 ? ::mmap(nullptr, map_bytes_, PROT_READ, MAP_PRIVATE, fd, 0) : MAP_FAILED;
  ::close(fd);
  if (map_ == MAP_FAILED) {
    map_ = nullptr;
    fail_npy(path, regular ? "cannot be mapped (empty file?)" : "is not a regular file");
  }
  try {
    parse(path);
  } catch (...) {
    ::munmap(map_, map_bytes_); // the destructor does not run for a constructor that throws
    map_ = nullptr;
    throw;
  }
  ::madvise(map_, map_bytes_, MADV_SEQUENTIAL);
}

void NpyFrames::parse(const std::string& path) {
  const auto* bytes = static_cast<const uint8_t*>(map_);
  // Layout: "\x93NUMPY", major, minor, header length (2 bytes in v1, 4 in v2/v3), a Python dict literal.
  if (map_bytes_ < 10 || std::memcmp(bytes, "\x93NUMPY", 6) != 0) fail_npy(path, "is not a .npy file");
  if (bytes[6] < 1 || bytes[6] > 3) fail_npy(path, "has an unknown .npy version " + std::to_string(bytes[6]));
  const size_t length_bytes = bytes[6] == 1 ? 2 : 4, start = 8 + length_bytes;
  size_t header_length = 0;
  for (size_t i = 0; i < length_bytes; ++i) header_length |= static_cast<size_t>(bytes[8 + i]) << (8 * i);
  if (start > map_bytes_ || header_length > map_bytes_ - start) fail_npy(path, "has a truncated header");
  const std::string text(reinterpret_cast<const char*>(bytes + start), header_length);
  const NpyHeader header = HeaderParser(text, path).parse();
  if (header.descr != "|u1" && header.descr != "<u1" && header.descr != ">u1")
    fail_npy(path, "must hold uint8 values (descr '|u1'), not '" + header.descr + "'");
  if (header.fortran_order) fail_npy(path, "must be in C order, not Fortran order");
  if (header.shape.size() != 4 || header.shape[3] != 3)
    fail_npy(path, "must have shape (N, H, W, 3), header: " + text.substr(0, 200));
  frames_ = header.shape[0], height_ = header.shape[1], width_ = header.shape[2];
  size_t pixels = 0, total = 0;
  if (multiply_overflows(static_cast<size_t>(height_), static_cast<size_t>(width_), pixels) ||
      multiply_overflows(pixels, 3, frame_bytes_) ||
      multiply_overflows(frame_bytes_, static_cast<size_t>(frames_), total) ||
      total > map_bytes_ - start - header_length)
    fail_npy(path, "is shorter than its shape (" + std::to_string(frames_) + ", " + std::to_string(height_) + ", " +
                       std::to_string(width_) + ", 3) says");
  if (frames_ > 0 && frame_bytes_ == 0) fail_npy(path, "has frames of zero pixels");
  data_ = bytes + start + header_length;
}

NpyFrames::~NpyFrames() {
  if (map_ != nullptr) ::munmap(map_, map_bytes_);
}

} // namespace detail

void write_npy_frames(const std::string& path, const at::Tensor& frames) {
  TensorCheck("write_npy_frames", "frames", frames).dim(4).dtype(at::kByte).device_type(c10::DeviceType::CPU);
  if (frames.size(3) != 3) fail_argument("write_npy_frames", "frames", "must have shape [N,H,W,3]");
  const at::Tensor data = frames.contiguous();
  std::string header = "{'descr': '|u1', 'fortran_order': False, 'shape': (" + std::to_string(data.size(0)) + ", " +
                       std::to_string(data.size(1)) + ", " + std::to_string(data.size(2)) + ", 3), }";
  // Pad with spaces so that the data starts on a 64-byte boundary, ending the header with a newline.
  while ((10 + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::ofstream out(path, std::ios::binary);
  if (!out) fail_argument("write_npy_frames", "path", "\"" + path + "\" cannot be written", ErrorCode::NotFound);
  const char magic[8] = {'\x93', 'N', 'U', 'M', 'P', 'Y', 1, 0};
  const char length[2] = {static_cast<char>(header.size() & 0xff), static_cast<char>(header.size() >> 8)};
  out.write(magic, 8).write(length, 2).write(header.data(), static_cast<std::streamsize>(header.size()));
  out.write(reinterpret_cast<const char*>(data.data_ptr<uint8_t>()), static_cast<std::streamsize>(data.numel()));
  if (!out) fail_argument("write_npy_frames", "path", "\"" + path + "\": write failed", ErrorCode::Internal);
}

} // namespace trackkit
