// EquirectToPinhole: argument checks, the projection's strides for either layout, the CPU mapping cache and the
// dispatch to the CPU or CUDA kernels (e2p_kernels.hpp).
#include <ATen/ATen.h>

#include <algorithm>
#include <map>
#include <mutex>
#include <string>
#include <utility>

#include "e2p_kernels.hpp"
#include "e2p_views.hpp"
#include "runtime/device_memory.hpp"
#include "trackkit/check.hpp"
#include "trackkit/e2p.hpp"

namespace trackkit {

namespace e2p = detail::e2p;

struct EquirectToPinhole::Impl {
  std::vector<PinholeView> views;
  E2POptions options;
  std::vector<e2p::ViewRays> rays;
  mutable std::mutex mutex;
  mutable std::map<std::pair<int64_t, int64_t>, at::Tensor> tables; // (H, W) -> source positions, CPU path

  e2p::Projection projection(int64_t height, int64_t width, int64_t channels) const {
    e2p::Projection p;
    p.rays = rays;
    p.equirect = e2p::equirect_of(height, width);
    p.channels = static_cast<int>(channels);
    p.out_width = views[0].width, p.out_height = views[0].height;
    p.mode = options.interpolation == E2PInterpolation::Nearest    ? 0
             : options.interpolation == E2PInterpolation::Bilinear ? 1
                                                                   : 3;
    p.pixels_per_thread = options.cuda_pixels_per_thread;
    p.wide_loads = options.cuda_wide_loads;
    p.tiles = options.cuda_tiles;
    return p;
  }

  const at::Tensor& table(const e2p::Projection& p) const {
    const std::lock_guard<std::mutex> lock(mutex);
    at::Tensor& t = tables[{p.equirect.height, p.equirect.width}];
    if (!t.defined()) t = e2p::source_table(p);
    return t;
  }
};

EquirectToPinhole::EquirectToPinhole(std::vector<PinholeView> views, const E2POptions& options)
    : impl_(std::make_unique<Impl>()) {
  e2p::check_views(views);
  const int ppt = options.cuda_pixels_per_thread;
  if (ppt != 1 && ppt != 2 && ppt != 4) {
    fail_argument("EquirectToPinhole", "options.cuda_pixels_per_thread",
                  "must be 1, 2 or 4, got " + std::to_string(ppt));
  }
  impl_->views = std::move(views);
  impl_->options = options;
  for (const PinholeView& v : impl_->views) impl_->rays.push_back(e2p::view_rays(v));
}

EquirectToPinhole::~EquirectToPinhole() = default;
EquirectToPinhole::EquirectToPinhole(EquirectToPinhole&&) noexcept = default;
EquirectToPinhole& EquirectToPinhole::operator=(EquirectToPinhole&&) noexcept = default;

const std::vector<PinholeView>& EquirectToPinhole::views() const { return impl_->views; }
const E2POptions& EquirectToPinhole::options() const { return impl_->options; }

namespace {

struct FrameShape {
  int64_t batch, height, width, channels;
};

FrameShape check_frames(const at::Tensor& frames, E2PLayout layout) {
  TensorCheck check("EquirectToPinhole", "frames", frames);
  check.dtype({at::kByte, at::kHalf, at::kFloat}).dim(4);
  const bool nhwc = layout == E2PLayout::NHWC;
  const FrameShape s{frames.size(0), frames.size(nhwc ? 1 : 2), frames.size(nhwc ? 2 : 3), frames.size(nhwc ? 3 : 1)};
  const char* layout_text = nhwc ? "[B,H,W,C] (layout NHWC)" : "[B,C,H,W] (layout NCHW)";
  if (s.batch == 0)
    check.fail(std::string("must hold at least one frame ") + layout_text + ", got " + shape_string(frames.sizes()));
  if (s.height < 2 || s.width < 2 || s.channels < 1) {
    check.fail(std::string("must be ") + layout_text + " with H >= 2, W >= 2, C >= 1, got " +
               shape_string(frames.sizes()));
  }
  if (s.height > (1 << 30) / 2 || s.width > (1 << 30) / 2) check.fail("is too large: " + shape_string(frames.sizes()));
  if (!frames.is_cpu() && !frames.is_cuda()) check.device_type(c10::kCPU);
#ifndef TRACKKIT_WITH_CUDA
  if (frames.is_cuda()) check.fail("is on CUDA, but trackkit was built without CUDA kernels", ErrorCode::Unsupported);
#endif
  return s;
}

} // namespace

at::Tensor EquirectToPinhole::project(const at::Tensor& frames) const {
  const FrameShape s = check_frames(frames, impl_->options.layout);
  const int64_t views = static_cast<int64_t>(impl_->views.size()), h = impl_->views[0].height,
                w = impl_->views[0].width;
  at::Tensor out = impl_->options.layout == E2PLayout::NHWC
                       ? at::empty({s.batch, views, h, w, s.channels}, frames.options())
                       : at::empty({s.batch, views, s.channels, h, w}, frames.options());
  project_into(frames, out);
  return out;
}

void EquirectToPinhole::project_into(const at::Tensor& frames, at::Tensor& out) const {
  const FrameShape s = check_frames(frames, impl_->options.layout);
  const bool nhwc = impl_->options.layout == E2PLayout::NHWC;
  const int64_t views = static_cast<int64_t>(impl_->views.size()), h = impl_->views[0].height,
                w = impl_->views[0].width;
  TensorCheck out_check("EquirectToPinhole", "out", out);
  if (nhwc) {
    out_check.shape({s.batch, views, h, w, s.channels});
  } else {
    out_check.shape({s.batch, views, s.channels, h, w});
  }
  out_check.dtype(frames.scalar_type()).same_device(frames, "frames").contiguous();
  const at::Tensor src = frames.contiguous();
  e2p::Projection p = impl_->projection(s.height, s.width, s.channels);
  if (nhwc) {
    p.in = {s.channels, s.width * s.channels, 1};
    p.out_pixel = s.channels, p.out_row = w * s.channels, p.out_channel = 1;
  } else {
    p.in = {1, s.width, s.height * s.width};
    p.out_pixel = 1, p.out_row = w, p.out_channel = h * w;
  }
  p.in_frame = s.height * s.width * s.channels;
  p.out_image = h * w * s.channels, p.out_frame = views * p.out_image;
#ifdef TRACKKIT_WITH_CUDA
  if (src.is_cuda()) {
    e2p::project_cuda(src, p, out);
    return;
  }
#endif
  e2p::project_cpu(src, impl_->table(p), p, out);
}

at::Tensor EquirectToPinhole::source_coordinates(int64_t height, int64_t width) const {
  if (height < 2 || width < 2) {
    fail_argument("EquirectToPinhole::source_coordinates", height < 2 ? "height" : "width",
                  "must be >= 2, got " + std::to_string(height < 2 ? height : width));
  }
  return impl_->table(impl_->projection(height, width, 1)) + 0.5f;
}

int64_t EquirectToPinhole::batch_capacity(int64_t height, int64_t width, int64_t channels, c10::ScalarType dtype,
                                          c10::Device device, double fraction) const {
  if (!device.is_cuda()) return int64_t{1} << 20;
  if (!device.has_index()) device = c10::Device(c10::kCUDA, 0);
    // The caching allocator's statistics exist only once it has served the device: a process that asks before its
    // first CUDA tensor got "Invalid device argument" from free_device_bytes (seen in split360 on the GPU machine).
#ifdef TRACKKIT_WITH_CUDA
  at::empty({1}, at::TensorOptions().dtype(at::kByte).device(device));
#endif
  if (!(fraction > 0 && fraction <= 1)) {
    fail_argument("EquirectToPinhole::batch_capacity", "fraction", "must be in (0,1], got " + std::to_string(fraction));
  }
  const int64_t element = static_cast<int64_t>(c10::elementSize(dtype));
  const int64_t per_frame =
      element * channels *
      (height * width + static_cast<int64_t>(impl_->views.size()) * impl_->views[0].height * impl_->views[0].width);
  const double budget = fraction * static_cast<double>(detail::free_device_bytes(device));
  return std::max<int64_t>(1, static_cast<int64_t>(budget / static_cast<double>(std::max<int64_t>(per_frame, 1))));
}

void EquirectToPinhole::project_batches(const at::Tensor& frames, int64_t& batch,
                                        const std::function<void(int64_t, const at::Tensor&)>& consume) const {
  check_frames(frames, impl_->options.layout);
  detail::for_each_batch(frames.size(0), batch, frames.device(), [&](int64_t first, int64_t count) {
    consume(first, project(frames.narrow(0, first, count)));
  });
}

} // namespace trackkit
