// C ABI for trackkit/embedder.hpp and trackkit/cluster.hpp.
#include <ATen/ATen.h>

#include <string>

#include "config.hpp"
#include "guard.hpp"
#include "stream.hpp"
#include "tensor.hpp"
#include "trackkit/cluster.hpp"
#include "trackkit/embedder.hpp"

struct tk_embedder {
  trackkit::Embedder embedder;
  void* cuda_stream = nullptr; ///< tk_embedder_set_cuda_stream's, checked against the model's device
};

namespace {

using trackkit::capi::borrow_dltensor;
using trackkit::capi::give_dltensor;
using trackkit::capi::require_enum;
using trackkit::capi::require_pointer;

tk_embedder_config to_config(const trackkit::EmbedderOptions& o) {
  tk_embedder_config c{};
  c.struct_size = sizeof(c);
  c.device = "auto";
  c.precision = TK_PRECISION_FP32, c.preset = TK_CROP_AUTO, c.box_sampling = TK_BOX_SAMPLING_OPENCV;
  c.input_bgr = o.crop.input_bgr ? 1 : 0, c.model_bgr = o.crop.model_bgr ? 1 : 0, c.quantize = o.crop.quantize ? 1 : 0;
  c.height = static_cast<int32_t>(o.crop.height), c.width = static_cast<int32_t>(o.crop.width);
  c.fill = static_cast<int32_t>(o.crop.fill);
  for (int k = 0; k < 3; ++k) c.mean[k] = o.crop.mean[k], c.std[k] = o.crop.std[k];
  c.batch_size = o.batch_size;
  return c;
}

trackkit::EmbedderOptions to_options(const char* fn, const tk_embedder_config* config) {
  const tk_embedder_config c = trackkit::capi::read_struct(fn, config, to_config({}));
  trackkit::EmbedderOptions o;
  trackkit::capi::read_device_and_precision(fn, c, o);
  require_enum(fn, "config->preset", c.preset, TK_CROP_CUSTOM, "tk_crop_preset");
  require_enum(fn, "config->box_sampling", c.box_sampling, TK_BOX_SAMPLING_SUBPIXEL, "tk_box_sampling");
  if (c.reserved != 0) trackkit::fail_argument(fn, "config->reserved", "must be 0, got " + std::to_string(c.reserved));
  o.batch_size = c.batch_size;
  trackkit::CropOptions& crop = o.crop;
  crop.preset = static_cast<trackkit::CropPreset>(c.preset);
  crop.box_sampling = static_cast<trackkit::BoxSampling>(c.box_sampling);
  crop.input_bgr = c.input_bgr != 0, crop.model_bgr = c.model_bgr != 0, crop.quantize = c.quantize != 0;
  crop.height = c.height, crop.width = c.width, crop.fill = c.fill;
  for (int k = 0; k < 3; ++k) crop.mean[k] = c.mean[k], crop.std[k] = c.std[k];
  return o;
}

tk_cluster_config to_config(const trackkit::ClusterOptions& o) {
  tk_cluster_config c{};
  c.struct_size = sizeof(c);
  c.method = static_cast<int32_t>(o.method), c.linkage = static_cast<int32_t>(o.linkage);
  c.distance_threshold = o.distance_threshold, c.eps = o.eps, c.min_samples = o.min_samples;
  return c;
}

trackkit::ClusterOptions to_options(const char* fn, const tk_cluster_config* config) {
  const tk_cluster_config c = trackkit::capi::read_struct(fn, config, to_config(trackkit::ClusterOptions{}));
  require_enum(fn, "config->method", c.method, TK_CLUSTER_DENSITY, "tk_cluster_method");
  require_enum(fn, "config->linkage", c.linkage, TK_LINKAGE_SINGLE, "tk_linkage");
  trackkit::ClusterOptions o;
  o.method = static_cast<trackkit::ClusterMethod>(c.method);
  o.linkage = static_cast<trackkit::Linkage>(c.linkage);
  o.distance_threshold = c.distance_threshold, o.eps = c.eps, o.min_samples = c.min_samples;
  return o;
}

/// frame_index is optional (NULL: every landmark set from the single frame).
at::Tensor optional_frame_index(const char* fn, const DLTensor* frame_index) {
  return frame_index == nullptr ? at::Tensor() : borrow_dltensor(fn, "frame_index", frame_index);
}

} // namespace

extern "C" {

TK_API tk_status tk_embedder_config_init(tk_embedder_config* config, size_t struct_size) {
  constexpr const char* fn = "tk_embedder_config_init";
  return trackkit::capi::tk_guard(
      fn, [&] { trackkit::capi::init_struct(fn, config, struct_size, to_config(trackkit::EmbedderOptions{})); });
}

TK_API tk_status tk_embedder_create(const char* model_path, const tk_embedder_config* config, tk_embedder** embedder) {
  constexpr const char* fn = "tk_embedder_create";
  return trackkit::capi::tk_guard(fn, [&] {
    require_pointer(fn, "embedder", embedder);
    *embedder = nullptr;
    require_pointer(fn, "model_path", model_path);
    *embedder = new tk_embedder{trackkit::Embedder(model_path, to_options(fn, config))};
  });
}

TK_API void tk_embedder_destroy(tk_embedder* embedder) { delete embedder; }

TK_API tk_status tk_embedder_set_cuda_stream(tk_embedder* embedder, void* cuda_stream) {
  constexpr const char* fn = "tk_embedder_set_cuda_stream";
  return trackkit::capi::tk_guard(fn, [&] {
    require_pointer(fn, "embedder", embedder);
    embedder->cuda_stream = trackkit::capi::checked_stream(fn, cuda_stream, embedder->embedder.device());
  });
}

TK_API tk_status tk_embedder_warmup(tk_embedder* embedder) {
  constexpr const char* fn = "tk_embedder_warmup";
  return trackkit::capi::tk_guard(fn, [&] {
    require_pointer(fn, "embedder", embedder);
    const trackkit::CudaStreamScope stream_scope(embedder->cuda_stream);
    embedder->embedder.warmup();
  });
}

TK_API tk_status tk_embedder_dim(const tk_embedder* embedder, int64_t* dim) {
  constexpr const char* fn = "tk_embedder_dim";
  return trackkit::capi::tk_guard(fn, [&] {
    require_pointer(fn, "embedder", embedder);
    require_pointer(fn, "dim", dim);
    *dim = embedder->embedder.embedding_dim();
  });
}

TK_API tk_status tk_embedder_embed(tk_embedder* embedder, const DLTensor* frames, const DLTensor* boxes,
                                   DLManagedTensorVersioned** embeddings) {
  constexpr const char* fn = "tk_embedder_embed";
  return trackkit::capi::tk_guard(fn, [&] {
    require_pointer(fn, "embedder", embedder);
    require_pointer(fn, "embeddings", embeddings);
    const at::Tensor f = borrow_dltensor(fn, "frames", frames), b = borrow_dltensor(fn, "boxes", boxes);
    const trackkit::CudaStreamScope stream_scope(embedder->cuda_stream);
    give_dltensor(fn, "embeddings", embedder->embedder.embed(f, b), embeddings);
  });
}

TK_API tk_status tk_embedder_embed_aligned(tk_embedder* embedder, const DLTensor* frames, const DLTensor* landmarks,
                                           const DLTensor* frame_index, DLManagedTensorVersioned** embeddings) {
  constexpr const char* fn = "tk_embedder_embed_aligned";
  return trackkit::capi::tk_guard(fn, [&] {
    require_pointer(fn, "embedder", embedder);
    require_pointer(fn, "embeddings", embeddings);
    const at::Tensor f = borrow_dltensor(fn, "frames", frames), l = borrow_dltensor(fn, "landmarks", landmarks);
    const at::Tensor index = optional_frame_index(fn, frame_index);
    const trackkit::CudaStreamScope stream_scope(embedder->cuda_stream);
    give_dltensor(fn, "embeddings", embedder->embedder.embed_aligned(f, l, index), embeddings);
  });
}

TK_API tk_status tk_embedder_crop_boxes(const tk_embedder* embedder, const DLTensor* frames, const DLTensor* boxes,
                                        DLManagedTensorVersioned** crops) {
  constexpr const char* fn = "tk_embedder_crop_boxes";
  return trackkit::capi::tk_guard(fn, [&] {
    require_pointer(fn, "embedder", embedder);
    require_pointer(fn, "crops", crops);
    const at::Tensor f = borrow_dltensor(fn, "frames", frames), b = borrow_dltensor(fn, "boxes", boxes);
    const trackkit::CudaStreamScope stream_scope(embedder->cuda_stream);
    give_dltensor(fn, "crops", trackkit::crop_boxes(f, b, embedder->embedder.crop_options()), crops);
  });
}

TK_API tk_status tk_embedder_crop_aligned(const tk_embedder* embedder, const DLTensor* frames,
                                          const DLTensor* landmarks, const DLTensor* frame_index,
                                          DLManagedTensorVersioned** crops) {
  constexpr const char* fn = "tk_embedder_crop_aligned";
  return trackkit::capi::tk_guard(fn, [&] {
    require_pointer(fn, "embedder", embedder);
    require_pointer(fn, "crops", crops);
    const at::Tensor f = borrow_dltensor(fn, "frames", frames), l = borrow_dltensor(fn, "landmarks", landmarks);
    const at::Tensor index = optional_frame_index(fn, frame_index);
    const trackkit::CudaStreamScope stream_scope(embedder->cuda_stream);
    give_dltensor(fn, "crops", trackkit::crop_aligned(f, l, index, embedder->embedder.crop_options()), crops);
  });
}

TK_API tk_status tk_embedder_embed_crops(tk_embedder* embedder, const DLTensor* crops,
                                         DLManagedTensorVersioned** embeddings) {
  constexpr const char* fn = "tk_embedder_embed_crops";
  return trackkit::capi::tk_guard(fn, [&] {
    require_pointer(fn, "embedder", embedder);
    require_pointer(fn, "embeddings", embeddings);
    const at::Tensor c = borrow_dltensor(fn, "crops", crops);
    const trackkit::CudaStreamScope stream_scope(embedder->cuda_stream);
    give_dltensor(fn, "embeddings", embedder->embedder.embed_crops(c), embeddings);
  });
}

TK_API tk_status tk_cluster_config_init(tk_cluster_config* config, size_t struct_size) {
  constexpr const char* fn = "tk_cluster_config_init";
  return trackkit::capi::tk_guard(
      fn, [&] { trackkit::capi::init_struct(fn, config, struct_size, to_config(trackkit::ClusterOptions{})); });
}

TK_API tk_status tk_cluster_embeddings(const DLTensor* embeddings, const tk_cluster_config* config, void* cuda_stream,
                                       DLManagedTensorVersioned** labels) {
  constexpr const char* fn = "tk_cluster_embeddings";
  return trackkit::capi::tk_guard(fn, [&] {
    require_pointer(fn, "labels", labels);
    const trackkit::ClusterOptions o = to_options(fn, config);
    const at::Tensor e = borrow_dltensor(fn, "embeddings", embeddings);
    const trackkit::CudaStreamScope stream_scope(trackkit::capi::stream_for(fn, cuda_stream, e));
    give_dltensor(fn, "labels", trackkit::cluster_embeddings(e, o), labels);
  });
}

TK_API tk_status tk_score_clusters(const DLTensor* labels, const DLTensor* truth, double* purity,
                                   double* adjusted_rand) {
  constexpr const char* fn = "tk_score_clusters";
  return trackkit::capi::tk_guard(fn, [&] {
    require_pointer(fn, "purity", purity);
    require_pointer(fn, "adjusted_rand", adjusted_rand);
    const trackkit::ClusterScores s =
        trackkit::score_clusters(borrow_dltensor(fn, "labels", labels), borrow_dltensor(fn, "truth", truth));
    *purity = s.purity, *adjusted_rand = s.adjusted_rand;
  });
}

} // extern "C"
