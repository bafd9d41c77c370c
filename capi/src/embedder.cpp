// C ABI for trackkit/embedder.hpp and trackkit/cluster.hpp.
#include <ATen/ATen.h>

#include <string>

#include "config.hpp"
#include "guard.hpp"
#include "tensor.hpp"
#include "trackkit/cluster.hpp"
#include "trackkit/embedder.hpp"

struct tk_embedder {
  trackkit::Embedder embedder;
};

namespace {

using trackkit::capi::require_enum;

trackkit::EmbedderOptions to_options(const char* fn, const tk_embedder_config* config) {
  const tk_embedder_config c =
      trackkit::capi::read_config(fn, config, tk_embedder_config_defaults(), sizeof(tk_embedder_config));
  trackkit::EmbedderOptions o;
  trackkit::capi::read_device_and_precision(fn, c, o);
  require_enum(fn, "config->preset", c.preset, TK_CROP_CUSTOM, "tk_crop_preset");
  require_enum(fn, "config->box_sampling", c.box_sampling, TK_BOX_SAMPLING_SUBPIXEL, "tk_box_sampling");
  o.batch_size = c.batch_size;
  trackkit::CropOptions& crop = o.crop;
  crop.preset = static_cast<trackkit::CropPreset>(c.preset);
  crop.box_sampling = static_cast<trackkit::BoxSampling>(c.box_sampling);
  crop.input_bgr = c.input_bgr != 0, crop.model_bgr = c.model_bgr != 0, crop.quantize = c.quantize != 0;
  crop.height = c.height, crop.width = c.width, crop.fill = c.fill;
  for (int k = 0; k < 3; ++k) crop.mean[k] = c.mean[k], crop.std[k] = c.std[k];
  return o;
}

trackkit::ClusterOptions to_options(const char* fn, const tk_cluster_config* config) {
  const tk_cluster_config c =
      trackkit::capi::read_config(fn, config, tk_cluster_config_defaults(), sizeof(tk_cluster_config));
  require_enum(fn, "config->method", c.method, TK_CLUSTER_DENSITY, "tk_cluster_method");
  require_enum(fn, "config->linkage", c.linkage, TK_LINKAGE_SINGLE, "tk_linkage");
  trackkit::ClusterOptions o;
  o.method = static_cast<trackkit::ClusterMethod>(c.method);
  o.linkage = static_cast<trackkit::Linkage>(c.linkage);
  o.distance_threshold = c.distance_threshold, o.eps = c.eps, o.min_samples = c.min_samples;
  return o;
}

} // namespace

extern "C" {

TK_API tk_embedder_config tk_embedder_config_defaults(void) {
  const trackkit::EmbedderOptions o;
  tk_embedder_config c{};
  c.struct_size = sizeof(c);
  c.device = "auto";
  c.precision = TK_PRECISION_FP32, c.preset = TK_CROP_AUTO, c.box_sampling = TK_BOX_SAMPLING_OPENCV;
  c.input_bgr = o.crop.input_bgr ? 1 : 0, c.model_bgr = o.crop.model_bgr ? 1 : 0, c.quantize = o.crop.quantize ? 1 : 0;
  c.fill = static_cast<int32_t>(o.crop.fill);
  for (int k = 0; k < 3; ++k) c.mean[k] = o.crop.mean[k], c.std[k] = o.crop.std[k];
  c.batch_size = o.batch_size;
  return c;
}

TK_API tk_status tk_embedder_create(const char* model_path, const tk_embedder_config* config, tk_embedder** embedder) {
  constexpr const char* fn = "tk_embedder_create";
  return trackkit::capi::tk_guard(fn, [&] {
    trackkit::capi::require_pointer(fn, "embedder", embedder);
    *embedder = nullptr;
    trackkit::capi::require_pointer(fn, "model_path", model_path);
    *embedder = new tk_embedder{trackkit::Embedder(model_path, to_options(fn, config))};
  });
}

TK_API void tk_embedder_destroy(tk_embedder* embedder) { delete embedder; }

TK_API tk_status tk_embedder_warmup(tk_embedder* embedder) {
  constexpr const char* fn = "tk_embedder_warmup";
  return trackkit::capi::tk_guard(fn, [&] {
    trackkit::capi::require_pointer(fn, "embedder", embedder);
    embedder->embedder.warmup();
  });
}

TK_API tk_status tk_embedder_dim(const tk_embedder* embedder, int64_t* dim) {
  constexpr const char* fn = "tk_embedder_dim";
  return trackkit::capi::tk_guard(fn, [&] {
    trackkit::capi::require_pointer(fn, "embedder", embedder);
    trackkit::capi::require_pointer(fn, "dim", dim);
    *dim = embedder->embedder.embedding_dim();
  });
}

TK_API tk_status tk_embedder_embed(tk_embedder* embedder, const DLTensor* frames, const DLTensor* boxes,
                                   DLManagedTensorVersioned** embeddings) {
  constexpr const char* fn = "tk_embedder_embed";
  return trackkit::capi::tk_guard(fn, [&] {
    trackkit::capi::require_pointer(fn, "embedder", embedder);
    trackkit::capi::require_pointer(fn, "embeddings", embeddings);
    const at::Tensor e = embedder->embedder.embed(trackkit::capi::borrow_dltensor(fn, "frames", frames),
                                                  trackkit::capi::borrow_dltensor(fn, "boxes", boxes));
    trackkit::capi::give_dltensor(fn, "embeddings", e, embeddings);
  });
}

TK_API tk_status tk_embedder_embed_aligned(tk_embedder* embedder, const DLTensor* frames, const DLTensor* landmarks,
                                           const DLTensor* frame_index, DLManagedTensorVersioned** embeddings) {
  constexpr const char* fn = "tk_embedder_embed_aligned";
  return trackkit::capi::tk_guard(fn, [&] {
    trackkit::capi::require_pointer(fn, "embedder", embedder);
    trackkit::capi::require_pointer(fn, "embeddings", embeddings);
    const at::Tensor index =
        frame_index == nullptr ? at::Tensor() : trackkit::capi::borrow_dltensor(fn, "frame_index", frame_index);
    const at::Tensor e =
        embedder->embedder.embed_aligned(trackkit::capi::borrow_dltensor(fn, "frames", frames),
                                         trackkit::capi::borrow_dltensor(fn, "landmarks", landmarks), index);
    trackkit::capi::give_dltensor(fn, "embeddings", e, embeddings);
  });
}

TK_API tk_cluster_config tk_cluster_config_defaults(void) {
  const trackkit::ClusterOptions o;
  tk_cluster_config c{};
  c.struct_size = sizeof(c);
  c.method = TK_CLUSTER_AGGLOMERATIVE, c.linkage = TK_LINKAGE_AVERAGE;
  c.distance_threshold = o.distance_threshold, c.eps = o.eps, c.min_samples = o.min_samples;
  return c;
}

TK_API tk_status tk_cluster_embeddings(const DLTensor* embeddings, const tk_cluster_config* config,
                                       DLManagedTensorVersioned** labels) {
  constexpr const char* fn = "tk_cluster_embeddings";
  return trackkit::capi::tk_guard(fn, [&] {
    trackkit::capi::require_pointer(fn, "labels", labels);
    const trackkit::ClusterOptions o = to_options(fn, config);
    const at::Tensor l = trackkit::cluster_embeddings(trackkit::capi::borrow_dltensor(fn, "embeddings", embeddings), o);
    trackkit::capi::give_dltensor(fn, "labels", l, labels);
  });
}

TK_API tk_status tk_score_clusters(const DLTensor* labels, const DLTensor* truth, double* purity,
                                   double* adjusted_rand) {
  constexpr const char* fn = "tk_score_clusters";
  return trackkit::capi::tk_guard(fn, [&] {
    trackkit::capi::require_pointer(fn, "purity", purity);
    trackkit::capi::require_pointer(fn, "adjusted_rand", adjusted_rand);
    const trackkit::ClusterScores s = trackkit::score_clusters(trackkit::capi::borrow_dltensor(fn, "labels", labels),
                                                               trackkit::capi::borrow_dltensor(fn, "truth", truth));
    *purity = s.purity, *adjusted_rand = s.adjusted_rand;
  });
}

} // extern "C"
