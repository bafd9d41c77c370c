#pragma once
// Reads the .npy files the segmenter's reference scripts write (tools/segmenter): C-order little-endian uint8,
// int64, float32 and float64 arrays.
#include <ATen/ATen.h>

#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

namespace segmenter_test {

/// The array as a CPU tensor, or an undefined tensor when the file is missing or not such an array.
inline at::Tensor read_npy(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  char magic[8];
  in.read(magic, 8);
  uint16_t header_len = 0;
  in.read(reinterpret_cast<char*>(&header_len), 2);
  std::string header(header_len, ' ');
  in.read(header.data(), header_len);
  if (!in || header.find("'fortran_order': False") == std::string::npos) return {};
  at::ScalarType type;
  if (header.find("'|u1'") != std::string::npos)
    type = at::kByte;
  else if (header.find("'<f4'") != std::string::npos)
    type = at::kFloat;
  else if (header.find("'<f8'") != std::string::npos)
    type = at::kDouble;
  else if (header.find("'<i8'") != std::string::npos)
    type = at::kLong;
  else
    return {};
  const size_t open = header.find("'shape': ("), close = header.find(')', open);
  std::vector<int64_t> dims;
  const std::string shape = header.substr(open + 10, close - open - 10);
  for (size_t p = 0; p < shape.size();) {
    const size_t q = shape.find(',', p);
    const std::string tok = shape.substr(p, q == std::string::npos ? std::string::npos : q - p);
    if (tok.find_first_of("0123456789") != std::string::npos) dims.push_back(std::stoll(tok));
    if (q == std::string::npos) break;
    p = q + 1;
  }
  at::Tensor t = at::empty(dims, type);
  in.read(static_cast<char*>(t.data_ptr()), static_cast<std::streamsize>(t.nbytes()));
  return in ? t : at::Tensor();
}

/// np.packbits output (big bit order) of a bool array -> bool tensor of `shape`.
inline at::Tensor unpack_bits(const at::Tensor& packed, at::IntArrayRef shape) {
  const at::Tensor bits = at::arange(7, -1, -1, at::kByte);
  const at::Tensor all = packed.unsqueeze(1).bitwise_right_shift(bits).bitwise_and(1).flatten();
  int64_t n = 1;
  for (int64_t s : shape) n *= s;
  return all.narrow(0, 0, n).to(at::kBool).view(shape);
}

} // namespace segmenter_test
