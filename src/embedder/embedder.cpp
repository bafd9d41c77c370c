#include "trackkit/embedder.hpp"

#include <ATen/ATen.h>
#include <opencv2/core.hpp>

#include <algorithm>
#include <string>

#include "core/log.hpp"
#include "crop_internal.hpp"
#include "runtime/device_memory.hpp"
#include "runtime/script_model.hpp"
#include "trackkit/check.hpp"
#include "trackkit/error.hpp"

namespace trackkit {
namespace {

/// The keys of config.txt the Embedder reads (tools/embedder/convert_models.py writes them); unreadable text is
/// treated as absent.
struct EmbedderMetadata {
  std::string normalization, channels;
  int64_t height = 0, width = 0;
};

EmbedderMetadata parse_metadata(const std::string& json) {
  EmbedderMetadata m;
  if (json.empty()) return m;
  try {
    const cv::FileStorage fs(json, cv::FileStorage::READ | cv::FileStorage::MEMORY | cv::FileStorage::FORMAT_JSON);
    if (fs["normalization"].isString()) m.normalization = static_cast<std::string>(fs["normalization"]);
    if (fs["channels"].isString()) m.channels = static_cast<std::string>(fs["channels"]);
    if (fs["input_height"].isInt()) m.height = static_cast<int>(fs["input_height"]);
    if (fs["input_width"].isInt()) m.width = static_cast<int>(fs["input_width"]);
  } catch (const std::exception&) {
    return EmbedderMetadata{};
  }
  return m;
}

/// The batch a chunk of `count` crops is padded to: a multiple of 8 up to 64, then of 64, at most `limit`. cuDNN
/// picks (and for some kernels compiles, about a second on first use) its algorithms per input shape, so a tracker
/// whose box count changes every frame would otherwise meet new shapes for a long time.
int64_t padded_batch(int64_t count, int64_t limit) {
  const int64_t step = count <= 64 ? 8 : 64;
  return std::min(std::max(limit, count), (count + step - 1) / step * step);
}

/// options.crop with Auto preset and zero sizes taken from the metadata.
CropOptions crop_from_metadata(CropOptions o, const EmbedderMetadata& m, const std::string& model_path) {
  if (o.preset == CropPreset::Auto) {
    if (m.normalization == "facenet")
      o.preset = CropPreset::FaceNet;
    else if (m.normalization == "arcface")
      o.preset = CropPreset::ArcFace;
    else if (m.normalization == "imagenet")
      o.preset = CropPreset::ImageNet;
    else
      fail_argument("Embedder", "options.crop.preset",
                    "is Auto but model_path \"" + model_path +
                        "\" has no known \"normalization\" in its config.txt (facenet, arcface, imagenet): choose a "
                        "preset");
    if (m.channels == "bgr") o.model_bgr = true;
  }
  if (o.height == 0 && m.height > 0) o.height = m.height;
  if (o.width == 0 && m.width > 0) o.width = m.width;
  return detail::resolve_crop(o, "Embedder");
}

} // namespace

struct Embedder::Impl {
  EmbedderOptions options;
  c10::Device device;
  detail::ScriptModel model;
  CropOptions crop;
  int64_t dim = 0, batch = 0;

  Impl(const std::string& path, const EmbedderOptions& o)
      : options(o),
        device(parse_device(o.device, "options.device")),
        model("Embedder", "model_path", path, device, o.precision, {"config.txt"}) {}

  /// crops [count,3,h,w] in the model's dtype -> raw embeddings [count,D], output shape checked.
  at::Tensor forward(const at::Tensor& crops) {
    at::Tensor e;
    try {
      e = model.run({crops}).front();
    } catch (const Error&) {
      throw;
    } catch (const c10::OutOfMemoryError&) {
      throw; // for_each_batch halves the batch
    } catch (const std::exception& ex) {
      const std::string why = ex.what();
      throw Error(ErrorCode::Model, model.describe() + " fails on a " + shape_string(crops.sizes()) +
                                        " input: " + why.substr(0, why.find('\n')));
    }
    if (e.dim() != 2 || e.size(0) != crops.size(0) || e.size(1) == 0) {
      throw Error(ErrorCode::Model, model.describe() + " returns " + shape_string(e.sizes()) + " for " +
                                        std::to_string(crops.size(0)) + " crops, not [N,D]");
    }
    return e;
  }

  /// All rows of a crop job, cropped and embedded batch by batch -> float32 [n,D], L2-normalised.
  at::Tensor run(const std::function<at::Tensor(int64_t, int64_t)>& crops_of, int64_t n) {
    at::Tensor out = at::empty({n, dim}, at::TensorOptions().device(device).dtype(at::kFloat));
    detail::for_each_batch(n, batch, device, [&](int64_t first, int64_t count) {
      at::Tensor crops = crops_of(first, count);
      const int64_t padded = options.pad_batches ? padded_batch(count, batch) : count;
      if (padded > count)
        crops =
            at::cat({crops, at::zeros({padded - count, crops.size(1), crops.size(2), crops.size(3)}, crops.options())});
      const at::Tensor e = forward(crops).narrow(0, 0, count).to(at::kFloat);
      out.narrow(0, first, count).copy_(e / e.norm(2, 1, true).clamp_min(1e-12));
    });
    return out;
  }

  at::Tensor run_job(const at::Tensor& frames, const detail::CropJob& job) {
    return run([&](int64_t first, int64_t count) { return detail::run_crop(frames, job, first, count, crop.dtype); },
               job.frame_index.size(0));
  }
};

Embedder::Embedder(const std::string& model_path, const EmbedderOptions& options)
    : impl_(std::make_unique<Impl>(model_path, options)) {
  if (options.batch_size < 0) fail_argument("Embedder", "options.batch_size", "must be >= 0");
  Impl& d = *impl_;
  d.crop = crop_from_metadata(options.crop, parse_metadata(d.model.extra_file("config.txt")), model_path);
  d.crop.dtype = scalar_type(options.precision);
  d.batch = options.batch_size > 0 ? options.batch_size : (d.device.is_cuda() ? 256 : 32);
  // A blank batch of two tells the embedding size and rejects models whose output is not [N,D].
  const at::Tensor probe =
      at::zeros({2, 3, d.crop.height, d.crop.width}, at::TensorOptions().device(d.device).dtype(d.crop.dtype));
  d.dim = d.forward(probe).size(1);
  detail::log_info("Embedder: {} on {}, {}, crops {}x{}, {} dimensions", model_path, d.device.str(),
                   precision_name(options.precision), d.crop.height, d.crop.width, d.dim);
}

Embedder::~Embedder() = default;
Embedder::Embedder(Embedder&&) noexcept = default;
Embedder& Embedder::operator=(Embedder&&) noexcept = default;

at::Tensor Embedder::embed(const at::Tensor& frames, const at::Tensor& boxes) {
  const at::Tensor f = detail::checked_frames("Embedder::embed", frames).to(impl_->device);
  return impl_->run_job(f, detail::box_job("Embedder::embed", f, boxes, impl_->crop));
}

at::Tensor Embedder::embed_aligned(const at::Tensor& frames, const at::Tensor& landmarks,
                                   const at::Tensor& frame_index) {
  const at::Tensor f = detail::checked_frames("Embedder::embed_aligned", frames).to(impl_->device);
  return impl_->run_job(f, detail::aligned_job("Embedder::embed_aligned", f, landmarks, frame_index, impl_->crop));
}

at::Tensor Embedder::embed_crops(const at::Tensor& crops) {
  Impl& d = *impl_;
  TensorCheck check("Embedder::embed_crops", "crops", crops);
  check.shape({"N", 3, d.crop.height, d.crop.width}).floating();
  const at::Tensor c = crops.to(d.device, d.crop.dtype);
  return d.run([&](int64_t first, int64_t count) { return c.narrow(0, first, count); }, c.size(0));
}

void Embedder::warmup() {
  Impl& d = *impl_;
  auto blank = [&](int64_t n) {
    return at::zeros({n, 3, d.crop.height, d.crop.width}, at::TensorOptions().device(d.device).dtype(d.crop.dtype));
  };
  if (d.options.batch_size == 0 && d.device.is_cuda()) {
    const detail::BatchFit fit = detail::fit_batch(d.device, 0.7, 1024, [&](int64_t b) { d.forward(blank(b)); });
    d.batch = fit.batch;
    detail::log_info("Embedder: about {} kB a crop; batch size {}", fit.bytes_per_item >> 10, d.batch);
  }
  // Every padded batch size up to the batch size, so no call meets a new shape later (see padded_batch).
  for (int64_t size = 8; size < d.batch && d.options.pad_batches; size = padded_batch(size + 1, d.batch))
    d.forward(blank(size));
  d.forward(blank(d.batch));
  detail::synchronize(d.device);
}

int64_t Embedder::batch_size() const { return impl_->batch; }
int64_t Embedder::embedding_dim() const { return impl_->dim; }
c10::Device Embedder::device() const { return impl_->device; }
const CropOptions& Embedder::crop_options() const { return impl_->crop; }

} // namespace trackkit
