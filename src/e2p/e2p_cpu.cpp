// EquirectToPinhole on the CPU: the source position of every view pixel is computed once per frame size
// (source_table, kept by the EquirectToPinhole object), then each frame is sampled row by row in parallel
// (at::parallel_for) with sample_pixel(), the function the CUDA kernel's general path runs too.
#include <ATen/Dispatch.h>
#include <ATen/Parallel.h>
#include <ATen/ops/empty.h>
#include <c10/util/Half.h>

#include "e2p_kernels.hpp"

namespace trackkit::detail::e2p {

at::Tensor source_table(const Projection& p) {
  const int64_t views = static_cast<int64_t>(p.rays.size()), h = p.out_height, w = p.out_width;
  at::Tensor table = at::empty({views, h, w, 2}, at::TensorOptions().dtype(at::kFloat));
  float* t = table.mutable_data_ptr<float>();
  at::parallel_for(0, views * h, 8, [&](int64_t begin, int64_t end) {
    for (int64_t row = begin; row < end; ++row) {
      const ViewRays& rays = p.rays[static_cast<size_t>(row / h)];
      const RowRay base = row_ray(rays, static_cast<float>(row % h));
      float* out = t + row * w * 2;
      for (int64_t i = 0; i < w; ++i)
        source_position(rays, base, p.equirect, static_cast<float>(i), out[2 * i], out[2 * i + 1]);
    }
  });
  return table;
}

namespace {

template <int Mode, typename T>
void sample_all(const at::Tensor& frames, const at::Tensor& table, const Projection& p, at::Tensor& out) {
  const int64_t batch = frames.size(0), views = static_cast<int64_t>(p.rays.size());
  const int64_t h = p.out_height, w = p.out_width;
  const T* in = frames.const_data_ptr<T>();
  T* dst = out.mutable_data_ptr<T>();
  const float* positions = table.const_data_ptr<float>();
  at::parallel_for(0, batch * views * h, 4, [&](int64_t begin, int64_t end) {
    for (int64_t index = begin; index < end; ++index) {
      const int64_t j = index % h, image = index / h, v = image % views, b = image / views;
      const T* frame = in + b * p.in_frame;
      const float* position = positions + (v * h + j) * w * 2;
      T* row = dst + b * p.out_frame + v * p.out_image + j * p.out_row;
      for (int64_t i = 0; i < w; ++i) {
        sample_pixel<Mode>(frame, p.in, p.channels, p.equirect, position[2 * i], position[2 * i + 1],
                           row + i * p.out_pixel, p.out_channel);
      }
    }
  });
}

template <typename T>
void sample_mode(const at::Tensor& frames, const at::Tensor& table, const Projection& p, at::Tensor& out) {
  if (p.mode == 0) {
    sample_all<0, T>(frames, table, p, out);
  } else if (p.mode == 1) {
    sample_all<1, T>(frames, table, p, out);
  } else {
    sample_all<3, T>(frames, table, p, out);
  }
}

} // namespace

void project_cpu(const at::Tensor& frames, const at::Tensor& table, const Projection& p, at::Tensor& out) {
  if (frames.size(0) == 0 || p.rays.empty() || out.numel() == 0) return;
  AT_DISPATCH_SWITCH(frames.scalar_type(), "EquirectToPinhole",
                     AT_DISPATCH_CASE(at::kByte, [&] { sample_mode<uint8_t>(frames, table, p, out); })
                         AT_DISPATCH_CASE(at::kHalf, [&] { sample_mode<at::Half>(frames, table, p, out); })
                             AT_DISPATCH_CASE(at::kFloat, [&] { sample_mode<float>(frames, table, p, out); }));
}

} // namespace trackkit::detail::e2p
