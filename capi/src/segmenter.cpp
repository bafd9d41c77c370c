// C ABI for trackkit/segmenter.hpp and trackkit/rle.hpp.
#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "config.hpp"
#include "guard.hpp"
#include "tensor.hpp"
#include "trackkit/segmenter.hpp"

struct tk_segmenter {
  trackkit::Segmenter segmenter;
};

struct tk_segmenter_embeddings {
  trackkit::SegmenterEmbeddings embeddings;
};

namespace {

trackkit::SegmenterOptions to_options(const char* fn, const tk_segmenter_config* config) {
  const tk_segmenter_config c =
      trackkit::capi::read_config(fn, config, tk_segmenter_config_defaults(), sizeof(tk_segmenter_config));
  trackkit::SegmenterOptions o;
  trackkit::capi::read_device_and_precision(fn, c, o);
  o.input_bgr = c.input_bgr != 0, o.multimask_output = c.multimask_output != 0;
  o.full_resolution = c.full_resolution != 0, o.mask_boxes = c.mask_boxes != 0;
  o.mask_threshold = c.mask_threshold;
  o.encoder_batch_size = c.encoder_batch_size, o.decoder_batch_size = c.decoder_batch_size;
  return o;
}

void give_masks(const char* fn, const trackkit::SegmenterMasks& m, tk_segmenter_masks* out) {
  *out = tk_segmenter_masks{};
  auto give = [&](const char* name, const at::Tensor& t, DLManagedTensorVersioned** slot) {
    if (t.defined()) trackkit::capi::give_dltensor(fn, name, t, slot);
  };
  try {
    give("masks->masks", m.masks, &out->masks);
    give("masks->low_res", m.low_res, &out->low_res);
    give("masks->scores", m.scores, &out->scores);
    give("masks->boxes", m.boxes, &out->boxes);
    give("masks->mask_boxes", m.mask_boxes, &out->mask_boxes);
  } catch (...) {
    tk_segmenter_masks_free(out); // nothing half-handed-over leaks
    throw;
  }
}

} // namespace

extern "C" {

TK_API tk_segmenter_config tk_segmenter_config_defaults(void) {
  const trackkit::SegmenterOptions o;
  tk_segmenter_config c{};
  c.struct_size = sizeof(c);
  c.device = "auto";
  c.precision = TK_PRECISION_FP32;
  c.input_bgr = o.input_bgr, c.multimask_output = o.multimask_output;
  c.full_resolution = o.full_resolution, c.mask_boxes = o.mask_boxes;
  c.mask_threshold = std::numeric_limits<double>::quiet_NaN();
  c.encoder_batch_size = o.encoder_batch_size, c.decoder_batch_size = o.decoder_batch_size;
  return c;
}

TK_API tk_status tk_segmenter_create(const char* encoder_path, const char* decoder_path,
                                     const tk_segmenter_config* config, tk_segmenter** segmenter) {
  constexpr const char* fn = "tk_segmenter_create";
  return trackkit::capi::tk_guard(fn, [&] {
    trackkit::capi::require_pointer(fn, "segmenter", segmenter);
    *segmenter = nullptr;
    trackkit::capi::require_pointer(fn, "encoder_path", encoder_path);
    trackkit::capi::require_pointer(fn, "decoder_path", decoder_path);
    *segmenter = new tk_segmenter{trackkit::Segmenter(encoder_path, decoder_path, to_options(fn, config))};
  });
}

TK_API void tk_segmenter_destroy(tk_segmenter* segmenter) { delete segmenter; }

TK_API tk_status tk_segmenter_warmup(tk_segmenter* segmenter, int64_t frame_height, int64_t frame_width,
                                     int64_t boxes) {
  constexpr const char* fn = "tk_segmenter_warmup";
  return trackkit::capi::tk_guard(fn, [&] {
    trackkit::capi::require_pointer(fn, "segmenter", segmenter);
    if (frame_height <= 0 || frame_width <= 0)
      trackkit::fail_argument(fn, "frame_height", "and frame_width must be > 0");
    segmenter->segmenter.warmup(frame_height, frame_width, boxes);
  });
}

TK_API tk_status tk_segmenter_encode(tk_segmenter* segmenter, const DLTensor* frames,
                                     tk_segmenter_embeddings** embeddings) {
  constexpr const char* fn = "tk_segmenter_encode";
  return trackkit::capi::tk_guard(fn, [&] {
    trackkit::capi::require_pointer(fn, "segmenter", segmenter);
    trackkit::capi::require_pointer(fn, "embeddings", embeddings);
    *embeddings = nullptr;
    *embeddings =
        new tk_segmenter_embeddings{segmenter->segmenter.encode(trackkit::capi::borrow_dltensor(fn, "frames", frames))};
  });
}

TK_API void tk_segmenter_embeddings_destroy(tk_segmenter_embeddings* embeddings) { delete embeddings; }

TK_API tk_status tk_segmenter_decode(tk_segmenter* segmenter, const tk_segmenter_embeddings* embeddings,
                                     const DLTensor* boxes, tk_segmenter_masks* masks) {
  constexpr const char* fn = "tk_segmenter_decode";
  return trackkit::capi::tk_guard(fn, [&] {
    trackkit::capi::require_pointer(fn, "segmenter", segmenter);
    trackkit::capi::require_pointer(fn, "embeddings", embeddings);
    trackkit::capi::require_pointer(fn, "masks", masks);
    const at::Tensor b = trackkit::capi::borrow_dltensor(fn, "boxes", boxes);
    give_masks(fn, segmenter->segmenter.decode(embeddings->embeddings, b), masks);
  });
}

TK_API tk_status tk_segmenter_segment(tk_segmenter* segmenter, const DLTensor* frames, const DLTensor* boxes,
                                      tk_segmenter_masks* masks) {
  constexpr const char* fn = "tk_segmenter_segment";
  return trackkit::capi::tk_guard(fn, [&] {
    trackkit::capi::require_pointer(fn, "segmenter", segmenter);
    trackkit::capi::require_pointer(fn, "masks", masks);
    const at::Tensor f = trackkit::capi::borrow_dltensor(fn, "frames", frames);
    const at::Tensor b = trackkit::capi::borrow_dltensor(fn, "boxes", boxes);
    give_masks(fn, segmenter->segmenter.segment(f, b), masks);
  });
}

TK_API void tk_segmenter_masks_free(tk_segmenter_masks* masks) {
  if (masks == nullptr) return;
  for (DLManagedTensorVersioned** t :
       {&masks->masks, &masks->low_res, &masks->scores, &masks->boxes, &masks->mask_boxes}) {
    tk_tensor_free(*t);
    *t = nullptr;
  }
}

TK_API tk_status tk_rle_encode(const DLTensor* masks, DLManagedTensorVersioned** counts,
                               DLManagedTensorVersioned** offsets) {
  constexpr const char* fn = "tk_rle_encode";
  return trackkit::capi::tk_guard(fn, [&] {
    trackkit::capi::require_pointer(fn, "counts", counts);
    trackkit::capi::require_pointer(fn, "offsets", offsets);
    const std::vector<trackkit::RleMask> rles =
        trackkit::rle_encode(trackkit::capi::borrow_dltensor(fn, "masks", masks));
    std::vector<int64_t> starts{0};
    for (const trackkit::RleMask& r : rles) starts.push_back(starts.back() + static_cast<int64_t>(r.counts.size()));
    at::Tensor all = at::empty({starts.back()}, at::kLong);
    for (size_t i = 0; i < rles.size(); ++i)
      std::copy(rles[i].counts.begin(), rles[i].counts.end(), all.data_ptr<int64_t>() + starts[i]);
    trackkit::capi::give_dltensor(fn, "counts", all, counts);
    trackkit::capi::give_dltensor(fn, "offsets", at::tensor(starts, at::kLong), offsets);
  });
}

TK_API tk_status tk_rle_to_string(const int64_t* counts, int64_t num_counts, char* buffer, size_t capacity,
                                  size_t* length) {
  constexpr const char* fn = "tk_rle_to_string";
  return trackkit::capi::tk_guard(fn, [&] {
    trackkit::capi::require_pointer(fn, "length", length);
    if (num_counts < 0 || (num_counts > 0 && counts == nullptr))
      trackkit::fail_argument(fn, "counts", "must point at num_counts run lengths");
    trackkit::RleMask rle;
    for (int64_t i = 0; i < num_counts; ++i) {
      if (counts[i] < 0 || counts[i] > std::numeric_limits<uint32_t>::max())
        trackkit::fail_argument(fn, "counts",
                                "[" + std::to_string(i) + "] is " + std::to_string(counts[i]) + ", not a run length");
      rle.counts.push_back(static_cast<uint32_t>(counts[i]));
    }
    const std::string s = trackkit::rle_to_string(rle);
    *length = s.size();
    if (buffer == nullptr || capacity < s.size() + 1)
      trackkit::fail_argument(
          fn, "capacity",
          "is " + std::to_string(capacity) + ", the string needs " + std::to_string(s.size() + 1) + " bytes");
    std::memcpy(buffer, s.c_str(), s.size() + 1);
  });
}

TK_API tk_status tk_rle_decode_string(const char* counts, int64_t height, int64_t width,
                                      DLManagedTensorVersioned** mask) {
  constexpr const char* fn = "tk_rle_decode_string";
  return trackkit::capi::tk_guard(fn, [&] {
    trackkit::capi::require_pointer(fn, "counts", counts);
    trackkit::capi::require_pointer(fn, "mask", mask);
    if (height < 0 || width < 0) trackkit::fail_argument(fn, "height", "and width must be >= 0");
    const at::Tensor m = trackkit::rle_decode({trackkit::rle_from_string(counts, height, width)});
    trackkit::capi::give_dltensor(fn, "mask", m[0], mask);
  });
}

TK_API tk_status tk_mask_iou(const DLTensor* a, const DLTensor* b, DLManagedTensorVersioned** iou) {
  constexpr const char* fn = "tk_mask_iou";
  return trackkit::capi::tk_guard(fn, [&] {
    trackkit::capi::require_pointer(fn, "iou", iou);
    trackkit::capi::give_dltensor(
        fn, "iou",
        trackkit::mask_iou(trackkit::capi::borrow_dltensor(fn, "a", a), trackkit::capi::borrow_dltensor(fn, "b", b)),
        iou);
  });
}

} // extern "C"
