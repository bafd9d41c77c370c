#include "npy_frames.hpp"

#include <ATen/ATen.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <regex>

#include "trackkit/check.hpp"
#include "trackkit/error.hpp"
#include "trackkit/video_io.hpp"

namespace trackkit {
namespace detail {

namespace {

[[noreturn]] void fail_npy(const std::string& path, const std::string& problem) {
  throw Error(ErrorCode::InvalidArgument, "FrameReader: path \"" + path + "\" " + problem);
}

} // namespace

NpyFrames::NpyFrames(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) throw Error(ErrorCode::NotFound, "FrameReader: path \"" + path + "\" cannot be opened");
  struct stat st {};
  ::fstat(fd, &st);
  map_bytes_ = static_cast<size_t>(st.st_size);
  map_ = map_bytes_ > 0 ? ::mmap(nullptr, map_bytes_, PROT_READ, MAP_PRIVATE, fd, 0) : MAP_FAILED;
  ::close(fd);
  if (map_ == MAP_FAILED) {
    map_ = nullptr;
    fail_npy(path, "cannot be mapped (empty file?)");
  }
  const auto* bytes = static_cast<const uint8_t*>(map_);
  // Layout: "\x93NUMPY", major, minor, header length (2 bytes in v1, 4 in v2/v3), a Python dict literal.
  if (map_bytes_ < 10 || std::memcmp(bytes, "\x93NUMPY", 6) != 0) fail_npy(path, "is not a .npy file");
  const bool v1 = bytes[6] == 1;
  const size_t length_bytes = v1 ? 2 : 4, start = 8 + length_bytes;
  size_t header_length = 0;
  for (size_t i = 0; i < length_bytes; ++i) header_length |= static_cast<size_t>(bytes[8 + i]) << (8 * i);
  if (start + header_length > map_bytes_) fail_npy(path, "has a truncated header");
  const std::string header(reinterpret_cast<const char*>(bytes + start), header_length);
  std::smatch m;
  if (!std::regex_search(header, m, std::regex(R"('descr'\s*:\s*'([^']*)')")) || (m[1] != "|u1" && m[1] != "<u1"))
    fail_npy(path, "must hold uint8 values (descr '|u1'), header: " + header);
  if (std::regex_search(header, std::regex(R"('fortran_order'\s*:\s*True)")))
    fail_npy(path, "must be in C order, not Fortran order");
  if (!std::regex_search(header, m,
                         std::regex(R"('shape'\s*:\s*\(\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*,\s*3\s*,?\s*\))")))
    fail_npy(path, "must have shape (N, H, W, 3), header: " + header);
  frames_ = std::stoll(m[1]), height_ = std::stoll(m[2]), width_ = std::stoll(m[3]);
  data_ = bytes + start + header_length;
  if (start + header_length + static_cast<size_t>(frames_) * frame_bytes() > map_bytes_)
    fail_npy(path, "is shorter than its shape says");
  ::madvise(map_, map_bytes_, MADV_SEQUENTIAL);
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
