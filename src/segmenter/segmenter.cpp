#include "trackkit/segmenter.hpp"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/log.hpp"
#include "core/stopwatch.hpp"
#include "runtime/device_memory.hpp"
#include "sam_model.hpp"
#include "sam_prompts.hpp"
#include "sam_transforms.hpp"
#include "trackkit/check.hpp"
#include "trackkit/error.hpp"

namespace trackkit {

using detail::Clock;

namespace {
/// A batch size within a compiled package's bound on one call (limit 0: none).
int64_t within(int64_t batch, int64_t limit) { return limit > 0 ? std::min(batch, limit) : batch; }
} // namespace

struct Segmenter::Impl {
  SegmenterOptions options;
  c10::Device device = c10::kCPU;
  detail::SamModel model;
  double threshold = 0;
  int64_t encoder_batch = 0;
  int64_t decoder_batch = std::numeric_limits<int64_t>::max(); // boxes per call; lowered by out-of-memory
  int64_t upsample_batch = 32;                                 // masks upsampled at a time (S x S floats each)
  bool stage_timing = false;
  StageTimes times;

  Impl(const std::string& encoder, const std::string& decoder, const SegmenterOptions& o)
      : options(o), device(parse_device(o.device, "options.device")), model(encoder, decoder, device, o.precision) {}

  double lap(Clock::time_point& t) const {
    if (stage_timing) detail::synchronize(device);
    return detail::lap(t);
  }

  SegmenterEmbeddings encode(const at::Tensor& frames) {
    const detail::SamMetadata& m = model.metadata();
    const detail::SamGeometry g = detail::sam_geometry(frames.size(1), frames.size(2), m.input_size, m.square_resize);
    const int64_t n = frames.size(0);
    SegmenterEmbeddings e{at::empty({n, m.embedding[0], m.embedding[1], m.embedding[2]},
                                    frames.options().dtype(scalar_type(options.precision))),
                          {},
                          g.frame_height,
                          g.frame_width,
                          g.input_height,
                          g.input_width,
                          m.pair_id};
    for (const auto& shape : m.high_res)
      e.high_res.push_back(at::empty({n, shape[0], shape[1], shape[2]}, e.features.options()));
    // The encoder's own input square (EfficientViT-SAM: smaller than the prompts' and masks' 1024 geometry).
    const detail::SamGeometry eg =
        m.encoder_input_size == m.input_size
            ? g
            : detail::sam_geometry(frames.size(1), frames.size(2), m.encoder_input_size, m.square_resize);
    times = {};
    detail::for_each_batch(n, encoder_batch, device, [&](int64_t first, int64_t count) {
      Clock::time_point t = Clock::now();
      const at::Tensor input = detail::sam_input(frames.narrow(0, first, count), eg, m.mean, m.std, options.input_bgr,
                                                 scalar_type(options.precision), m.pixel_scale);
      times.preprocess += lap(t);
      const std::vector<at::Tensor> out = model.encode(input);
      auto check = [&](size_t i, const std::array<int64_t, 3>& shape) {
        const bool ok = out.size() == 1 + m.high_res.size() && out[i].dim() == 4 && out[i].size(0) == count &&
                        out[i].size(1) == shape[0] && out[i].size(2) == shape[1] && out[i].size(3) == shape[2];
        if (!ok)
          throw Error(ErrorCode::Model, "Segmenter: the encoder returns " + std::to_string(out.size()) +
                                            " tensors, the first " + shape_string(out.front().sizes()) +
                                            ", not the metadata's embedding_shape (and high_res_shapes) for " +
                                            std::to_string(count) + " frames");
      };
      check(0, m.embedding);
      e.features.narrow(0, first, count).copy_(out[0]);
      for (size_t i = 0; i < m.high_res.size(); ++i) {
        check(i + 1, m.high_res[i]);
        e.high_res[i].narrow(0, first, count).copy_(out[i + 1]);
      }
      times.encoder += lap(t);
    });
    return e;
  }

  SegmenterMasks decode(const SegmenterEmbeddings& e, const at::Tensor& boxes) {
    const detail::SamMetadata& m = model.metadata();
    const detail::SamGeometry g{e.frame_height, e.frame_width, e.input_height,
                                e.input_width,  m.input_size,  m.square_resize};
    const detail::SamPrompts p = detail::sam_prompts(boxes, e.features.size(0), g, device);
    const int64_t n = p.index.size(0), l = m.low_res_size;
    const int64_t first_token = options.multimask_output ? 1 : 0;
    const int64_t tokens = options.multimask_output ? m.mask_tokens - 1 : 1;
    const auto f32 = at::TensorOptions().device(device).dtype(at::kFloat);
    SegmenterMasks out{{}, at::empty({n, tokens, l, l}, f32), at::empty({n, tokens}, f32), p.boxes, {}};
    Clock::time_point t = Clock::now();
    times.decoder = times.postprocess = 0;
    if (n > 0) {
      int64_t batch = std::min(decoder_batch, n);
      const int64_t asked = batch;
      detail::for_each_batch(n, batch, device, [&](int64_t first, int64_t count) {
        auto [logits, iou] = model.decode(e.features, p.index.narrow(0, first, count),
                                          p.input_boxes.narrow(0, first, count), e.high_res);
        if (logits.dim() != 4 || logits.size(0) != count || logits.size(1) != m.mask_tokens || logits.size(2) != l ||
            iou.dim() != 2 || iou.size(1) != m.mask_tokens)
          throw Error(ErrorCode::Model, "Segmenter: the decoder returns " + shape_string(logits.sizes()) + " and " +
                                            shape_string(iou.sizes()) + ", not [N," + std::to_string(m.mask_tokens) +
                                            "," + std::to_string(l) + "," + std::to_string(l) + "] and [N," +
                                            std::to_string(m.mask_tokens) + "]");
        out.low_res.narrow(0, first, count).copy_(logits.narrow(1, first_token, tokens));
        out.scores.narrow(0, first, count).copy_(iou.narrow(1, first_token, tokens));
      });
      if (batch < asked) decoder_batch = batch;
    }
    times.decoder = lap(t);
    if (options.full_resolution) {
      out.masks = upsample(out.low_res, g);
      if (options.mask_boxes) out.mask_boxes = masks_to_boxes(out.masks);
    }
    times.postprocess = lap(t);
    return out;
  }

  at::Tensor upsample(const at::Tensor& low_res, const detail::SamGeometry& g) {
    const int64_t n = low_res.size(0), tokens = low_res.size(1);
    at::Tensor masks = at::empty({n, tokens, g.frame_height, g.frame_width}, low_res.options().dtype(at::kBool));
    detail::for_each_batch(n, upsample_batch, low_res.device(), [&](int64_t first, int64_t count) {
      masks.narrow(0, first, count).copy_(detail::sam_masks(low_res.narrow(0, first, count), g, threshold));
    });
    return masks;
  }

  at::Tensor checked_frames(const at::Tensor& frames) const {
    TensorCheck check("Segmenter::encode", "frames", frames);
    check.dtype({at::kByte}).dim(4);
    if (frames.size(3) != 3) check.fail("must be [B,H,W,3] (3 channels), got " + shape_string(frames.sizes()));
    if (frames.size(1) == 0 || frames.size(2) == 0) check.fail("has zero-size frames: " + shape_string(frames.sizes()));
    return frames.to(device);
  }

  void check_embeddings(const SegmenterEmbeddings& e) const {
    const detail::SamMetadata& m = model.metadata();
    TensorCheck check("Segmenter::decode", "embeddings.features", e.features);
    if (e.model_id != m.pair_id)
      check.fail("come from model " + (e.model_id.empty() ? std::string("(none)") : e.model_id) + ", not " + m.pair_id +
                 " (" + m.family + " " + m.variant + ")");
    check.shape({"B", m.embedding[0], m.embedding[1], m.embedding[2]}).dtype(scalar_type(options.precision));
    if (e.features.device() != device)
      check.fail("are on " + e.features.device().str() + ", the model on " + device.str(), ErrorCode::Device);
    const detail::SamGeometry g = detail::sam_geometry(e.frame_height, e.frame_width, m.input_size, m.square_resize);
    if (e.high_res.size() != m.high_res.size())
      fail_argument("Segmenter::decode", "embeddings.high_res",
                    "has " + std::to_string(e.high_res.size()) + " feature maps, the model takes " +
                        std::to_string(m.high_res.size()));
    for (size_t i = 0; i < m.high_res.size(); ++i) {
      TensorCheck high("Segmenter::decode", "embeddings.high_res", e.high_res[i]);
      high.shape({e.features.size(0), m.high_res[i][0], m.high_res[i][1], m.high_res[i][2]})
          .dtype(scalar_type(options.precision))
          .same_device(e.features, "embeddings.features");
    }
    if (e.frame_height <= 0 || e.frame_width <= 0 || g.input_height != e.input_height || g.input_width != e.input_width)
      fail_argument("Segmenter::decode", "embeddings",
                    "has frame/input sizes that do not match (" + std::to_string(e.frame_height) + "x" +
                        std::to_string(e.frame_width) + " -> " + std::to_string(e.input_height) + "x" +
                        std::to_string(e.input_width) + ")");
  }
};

Segmenter::Segmenter(const std::string& encoder_path, const std::string& decoder_path, const SegmenterOptions& options)
    : impl_(std::make_unique<Impl>(encoder_path, decoder_path, options)) {
  if (options.encoder_batch_size < 0 || options.decoder_batch_size < 0)
    fail_argument("Segmenter", "options.encoder_batch_size", "and options.decoder_batch_size must be >= 0");
  if (options.mask_boxes && !options.full_resolution)
    fail_argument("Segmenter", "options.mask_boxes", "needs options.full_resolution");
  Impl& d = *impl_;
  d.threshold = std::isnan(options.mask_threshold) ? d.model.metadata().mask_threshold : options.mask_threshold;
  if (!std::isfinite(d.threshold)) fail_argument("Segmenter", "options.mask_threshold", "must be finite");
  const detail::SamMetadata& m = d.model.metadata();
  d.encoder_batch =
      within(options.encoder_batch_size > 0 ? options.encoder_batch_size : (d.device.is_cuda() ? 8 : 2), m.max_frames);
  if (options.decoder_batch_size > 0) d.decoder_batch = options.decoder_batch_size;
  d.decoder_batch = within(d.decoder_batch, d.model.decoder_metadata().max_boxes);
  detail::log_info("Segmenter: {} {} ({}) on {}, {}, input {}", m.family, m.variant, m.weights, d.device.str(),
                   precision_name(options.precision), m.input_size);
}

Segmenter::~Segmenter() = default;
Segmenter::Segmenter(Segmenter&&) noexcept = default;
Segmenter& Segmenter::operator=(Segmenter&&) noexcept = default;

SegmenterEmbeddings Segmenter::encode(const at::Tensor& frames) { return impl_->encode(impl_->checked_frames(frames)); }

SegmenterMasks Segmenter::decode(const SegmenterEmbeddings& embeddings, const at::Tensor& boxes) {
  impl_->check_embeddings(embeddings);
  return impl_->decode(embeddings, boxes);
}

SegmenterMasks Segmenter::segment(const at::Tensor& frames, const at::Tensor& boxes) {
  const SegmenterEmbeddings e = encode(frames);
  const StageTimes encoding = impl_->times;
  SegmenterMasks out = impl_->decode(e, boxes);
  impl_->times.preprocess = encoding.preprocess, impl_->times.encoder = encoding.encoder;
  return out;
}

at::Tensor Segmenter::upsample(const at::Tensor& low_res, int64_t frame_height, int64_t frame_width) const {
  const int64_t l = impl_->model.metadata().low_res_size;
  TensorCheck("Segmenter::upsample", "low_res", low_res).shape({"N", "M", l, l}).floating();
  if (frame_height <= 0 || frame_width <= 0)
    fail_argument("Segmenter::upsample", "frame_height", "and frame_width must be > 0");
  const detail::SamMetadata& m = impl_->model.metadata();
  return impl_->upsample(low_res, detail::sam_geometry(frame_height, frame_width, m.input_size, m.square_resize));
}

void Segmenter::warmup(int64_t frame_height, int64_t frame_width, int64_t boxes) {
  Impl& d = *impl_;
  const at::Tensor one =
      at::full({1, frame_height, frame_width, 3}, 114, at::TensorOptions().dtype(at::kByte).device(d.device));
  if (d.options.encoder_batch_size == 0 && d.device.is_cuda()) {
    const detail::BatchFit fit =
        detail::fit_batch(d.device, 0.6, within(64, d.model.metadata().max_frames), [&](int64_t b) {
          d.encoder_batch = b;
          d.encode(one.expand({b, frame_height, frame_width, 3}).contiguous());
        });
    d.encoder_batch = fit.batch;
    detail::log_info("Segmenter: about {} MB a frame in the encoder; batch size {}", fit.bytes_per_item >> 20,
                     d.encoder_batch);
  }
  const SegmenterEmbeddings e = d.encode(one.expand({d.encoder_batch, frame_height, frame_width, 3}).contiguous());
  const at::Tensor box = at::tensor({0.0f, 0.0f, 0.0f, frame_width / 2.0f, frame_height / 2.0f});
  d.decode(e, box.unsqueeze(0).expand({std::max<int64_t>(boxes, 1), 5}).contiguous());
  detail::synchronize(d.device);
}

int64_t Segmenter::encoder_batch_size() const { return impl_->encoder_batch; }
c10::Device Segmenter::device() const { return impl_->device; }
const SegmenterOptions& Segmenter::options() const { return impl_->options; }
std::string Segmenter::family() const { return impl_->model.metadata().family; }
std::string Segmenter::variant() const { return impl_->model.metadata().variant; }
std::string Segmenter::weights() const { return impl_->model.metadata().weights; }
std::string Segmenter::model_id() const { return impl_->model.metadata().pair_id; }
int64_t Segmenter::input_size() const { return impl_->model.metadata().input_size; }
void Segmenter::set_stage_timing(bool enabled) { impl_->stage_timing = enabled; }
Segmenter::StageTimes Segmenter::last_stage_times() const { return impl_->times; }

} // namespace trackkit
