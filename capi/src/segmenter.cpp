// C ABI for trackkit/segmenter.hpp and trackkit/rle.hpp.
#include <ATen/ATen.h>

#include <algorithm>
#include <cstring>
#include <iterator>
#include <limits>
#include <string>
#include <vector>

#include "config.hpp"
#include "guard.hpp"
#include "stream.hpp"
#include "tensor.hpp"
#include "trackkit/segmenter.hpp"

struct tk_segmenter {
  trackkit::Segmenter segmenter;
  void* cuda_stream = nullptr; ///< tk_segmenter_set_cuda_stream's, checked against the model's device
};

struct tk_segmenter_embeddings {
  trackkit::SegmenterEmbeddings embeddings;
};

namespace {

tk_segmenter_config to_config(const trackkit::SegmenterOptions& o) {
  tk_segmenter_config c{};
  c.struct_size = sizeof(c);
  c.device = "auto";
  c.precision = TK_PRECISION_FP32;
  c.input_bgr = o.input_bgr ? 1 : 0, c.multimask_output = o.multimask_output ? 1 : 0;
  c.full_resolution = o.full_resolution ? 1 : 0, c.mask_boxes = o.mask_boxes ? 1 : 0;
  c.mask_threshold = o.mask_threshold;
  c.encoder_batch_size = o.encoder_batch_size, c.decoder_batch_size = o.decoder_batch_size;
  return c;
}

trackkit::SegmenterOptions to_options(const char* fn, const tk_segmenter_config* config) {
  const tk_segmenter_config c = trackkit::capi::read_struct(fn, config, to_config({}));
  trackkit::SegmenterOptions o;
  trackkit::capi::read_device_and_precision(fn, c, o);
  if (c.reserved != 0) trackkit::fail_argument(fn, "config->reserved", "must be 0, got " + std::to_string(c.reserved));
  o.input_bgr = c.input_bgr != 0, o.multimask_output = c.multimask_output != 0;
  o.full_resolution = c.full_resolution != 0, o.mask_boxes = c.mask_boxes != 0;
  o.mask_threshold = c.mask_threshold;
  o.encoder_batch_size = c.encoder_batch_size, o.decoder_batch_size = c.decoder_batch_size;
  return o;
}

/// The tensor fields of tk_segmenter_masks, for the loops that fill and free them.
using MaskField = DLManagedTensorVersioned* tk_segmenter_masks::*;
constexpr MaskField kMaskFields[] = {&tk_segmenter_masks::masks, &tk_segmenter_masks::low_res,
                                     &tk_segmenter_masks::scores, &tk_segmenter_masks::boxes,
                                     &tk_segmenter_masks::mask_boxes};

/// Whether `field` lies within the first `struct_size` bytes of a caller's tk_segmenter_masks (an older caller's
/// struct may end before a field this library knows).
bool fits(const tk_segmenter_masks& masks, MaskField field, size_t struct_size) {
  const size_t offset =
      static_cast<size_t>(reinterpret_cast<const char*>(&(masks.*field)) - reinterpret_cast<const char*>(&masks));
  return offset + sizeof(DLManagedTensorVersioned*) <= struct_size;
}

/// Checks the caller's output struct before any work and sets its tensors to NULL (so a failed call leaves none).
void clear_masks(const char* fn, tk_segmenter_masks* masks) {
  tk_segmenter_masks empty{};
  empty.struct_size = sizeof(empty);
  trackkit::capi::write_struct(fn, masks, empty, "masks");
}

/// The masks into the caller's struct up to its struct_size; a tensor whose field lies beyond it is released.
void give_masks(const char* fn, const trackkit::SegmenterMasks& m, tk_segmenter_masks* out) {
  tk_segmenter_masks all{};
  all.struct_size = sizeof(all);
  const at::Tensor* tensors[] = {&m.masks, &m.low_res, &m.scores, &m.boxes, &m.mask_boxes};
  const char* names[] = {"masks->masks", "masks->low_res", "masks->scores", "masks->boxes", "masks->mask_boxes"};
  try {
    for (size_t i = 0; i < std::size(kMaskFields); ++i) {
      if (tensors[i]->defined()) trackkit::capi::give_dltensor(fn, names[i], *tensors[i], &(all.*kMaskFields[i]));
    }
  } catch (...) {
    tk_segmenter_masks_free(&all); // nothing half-handed-over leaks
    throw;
  }
  const size_t size = out->struct_size;
  for (MaskField field : kMaskFields) {
    if (!fits(all, field, size)) {
      tk_tensor_free(all.*field);
      all.*field = nullptr;
    }
  }
  try {
    trackkit::capi::write_struct(fn, out, all, "masks");
  } catch (...) {
    tk_segmenter_masks_free(&all);
    throw;
  }
}

} // namespace

extern "C" {

TK_API tk_status tk_segmenter_config_init(tk_segmenter_config* config, size_t struct_size) {
  constexpr const char* fn = "tk_segmenter_config_init";
  return trackkit::capi::tk_guard(fn, [&] { trackkit::capi::init_struct(fn, config, struct_size, to_config({})); });
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

TK_API tk_status tk_segmenter_set_cuda_stream(tk_segmenter* segmenter, void* cuda_stream) {
  constexpr const char* fn = "tk_segmenter_set_cuda_stream";
  return trackkit::capi::tk_guard(fn, [&] {
    trackkit::capi::require_pointer(fn, "segmenter", segmenter);
    segmenter->cuda_stream = trackkit::capi::checked_stream(fn, cuda_stream, segmenter->segmenter.device());
  });
}

TK_API tk_status tk_segmenter_warmup(tk_segmenter* segmenter, int64_t frame_height, int64_t frame_width,
                                     int64_t boxes) {
  constexpr const char* fn = "tk_segmenter_warmup";
  return trackkit::capi::tk_guard(fn, [&] {
    trackkit::capi::require_pointer(fn, "segmenter", segmenter);
    if (frame_height <= 0)
      trackkit::fail_argument(fn, "frame_height", "must be > 0, got " + std::to_string(frame_height));
    if (frame_width <= 0) trackkit::fail_argument(fn, "frame_width", "must be > 0, got " + std::to_string(frame_width));
    if (boxes < 0) trackkit::fail_argument(fn, "boxes", "must be >= 0, got " + std::to_string(boxes));
    const trackkit::CudaStreamScope stream_scope(segmenter->cuda_stream);
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
    const at::Tensor f = trackkit::capi::borrow_dltensor(fn, "frames", frames);
    const trackkit::CudaStreamScope stream_scope(segmenter->cuda_stream);
    *embeddings = new tk_segmenter_embeddings{segmenter->segmenter.encode(f)};
  });
}

TK_API void tk_segmenter_embeddings_destroy(tk_segmenter_embeddings* embeddings) { delete embeddings; }

TK_API tk_status tk_segmenter_decode(tk_segmenter* segmenter, const tk_segmenter_embeddings* embeddings,
                                     const DLTensor* boxes, tk_segmenter_masks* masks) {
  constexpr const char* fn = "tk_segmenter_decode";
  return trackkit::capi::tk_guard(fn, [&] {
    trackkit::capi::require_pointer(fn, "segmenter", segmenter);
    trackkit::capi::require_pointer(fn, "embeddings", embeddings);
    clear_masks(fn, masks);
    const at::Tensor b = trackkit::capi::borrow_dltensor(fn, "boxes", boxes);
    const trackkit::CudaStreamScope stream_scope(segmenter->cuda_stream);
    give_masks(fn, segmenter->segmenter.decode(embeddings->embeddings, b), masks);
  });
}

TK_API tk_status tk_segmenter_segment(tk_segmenter* segmenter, const DLTensor* frames, const DLTensor* boxes,
                                      tk_segmenter_masks* masks) {
  constexpr const char* fn = "tk_segmenter_segment";
  return trackkit::capi::tk_guard(fn, [&] {
    trackkit::capi::require_pointer(fn, "segmenter", segmenter);
    clear_masks(fn, masks);
    const at::Tensor f = trackkit::capi::borrow_dltensor(fn, "frames", frames);
    const at::Tensor b = trackkit::capi::borrow_dltensor(fn, "boxes", boxes);
    const trackkit::CudaStreamScope stream_scope(segmenter->cuda_stream);
    give_masks(fn, segmenter->segmenter.segment(f, b), masks);
  });
}

TK_API void tk_segmenter_masks_free(tk_segmenter_masks* masks) {
  if (masks == nullptr) return;
  const size_t size = masks->struct_size; // an older caller's struct ends earlier: its fields only
  for (MaskField field : kMaskFields) {
    if (!fits(*masks, field, size)) continue;
    tk_tensor_free(masks->*field);
    masks->*field = nullptr;
  }
}

TK_API tk_status tk_rle_encode(const DLTensor* masks, void* cuda_stream, DLManagedTensorVersioned** counts,
                               DLManagedTensorVersioned** offsets) {
  constexpr const char* fn = "tk_rle_encode";
  return trackkit::capi::tk_guard(fn, [&] {
    trackkit::capi::require_pointer(fn, "counts", counts);
    trackkit::capi::require_pointer(fn, "offsets", offsets);
    const at::Tensor m = trackkit::capi::borrow_dltensor(fn, "masks", masks);
    std::vector<trackkit::RleMask> rles;
    {
      const trackkit::CudaStreamScope stream_scope(trackkit::capi::stream_for(fn, cuda_stream, m));
      rles = trackkit::rle_encode(m);
    }
    std::vector<int64_t> starts{0};
    for (const trackkit::RleMask& r : rles) starts.push_back(starts.back() + static_cast<int64_t>(r.counts.size()));
    at::Tensor all = at::empty({starts.back()}, at::kLong);
    for (size_t i = 0; i < rles.size(); ++i)
      std::copy(rles[i].counts.begin(), rles[i].counts.end(), all.data_ptr<int64_t>() + starts[i]);
    trackkit::capi::give_dltensor(fn, "counts", all, counts);
    try {
      trackkit::capi::give_dltensor(fn, "offsets", at::tensor(starts, at::kLong), offsets);
    } catch (...) { // both outputs or neither
      tk_tensor_free(*counts);
      *counts = nullptr;
      throw;
    }
  });
}

TK_API tk_status tk_rle_to_string(const int64_t* counts, int64_t num_counts, char* buffer, size_t capacity,
                                  size_t* length) {
  constexpr const char* fn = "tk_rle_to_string";
  return trackkit::capi::tk_guard(fn, [&] {
    trackkit::capi::require_pointer(fn, "length", length);
    if (num_counts < 0) trackkit::fail_argument(fn, "num_counts", "must be >= 0, got " + std::to_string(num_counts));
    if (num_counts > 0 && counts == nullptr)
      trackkit::fail_argument(fn, "counts", "is NULL but num_counts is " + std::to_string(num_counts));
    trackkit::RleMask rle;
    for (int64_t i = 0; i < num_counts; ++i) {
      if (counts[i] < 0 || counts[i] > std::numeric_limits<uint32_t>::max())
        trackkit::fail_argument(fn, "counts[" + std::to_string(i) + "]",
                                "is " + std::to_string(counts[i]) + ", not a run length");
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
    if (height < 0) trackkit::fail_argument(fn, "height", "must be >= 0, got " + std::to_string(height));
    if (width < 0) trackkit::fail_argument(fn, "width", "must be >= 0, got " + std::to_string(width));
    int64_t pixels = 0; // the decoder compares run lengths with height * width, which must be representable
    if (__builtin_mul_overflow(height, width, &pixels)) {
      trackkit::fail_argument(
          fn, "height", "x width is beyond int64 (" + std::to_string(height) + " x " + std::to_string(width) + ")");
    }
    const at::Tensor m = trackkit::rle_decode({trackkit::rle_from_string(counts, height, width)});
    trackkit::capi::give_dltensor(fn, "mask", m[0], mask);
  });
}

TK_API tk_status tk_mask_iou(const DLTensor* a, const DLTensor* b, void* cuda_stream, DLManagedTensorVersioned** iou) {
  constexpr const char* fn = "tk_mask_iou";
  return trackkit::capi::tk_guard(fn, [&] {
    trackkit::capi::require_pointer(fn, "iou", iou);
    const at::Tensor ta = trackkit::capi::borrow_dltensor(fn, "a", a);
    const at::Tensor tb = trackkit::capi::borrow_dltensor(fn, "b", b);
    const trackkit::CudaStreamScope stream_scope(trackkit::capi::stream_for(fn, cuda_stream, ta));
    trackkit::capi::give_dltensor(fn, "iou", trackkit::mask_iou(ta, tb), iou);
  });
}

} // extern "C"
