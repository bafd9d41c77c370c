#include "trackkit/detector.hpp"

#include <ATen/ATen.h>

#include <algorithm>
#include <map>
#include <string>
#include <utility>

#include "core/log.hpp"
#include "core/stopwatch.hpp"
#include "runtime/device_memory.hpp"
#include "trackkit/check.hpp"
#include "trackkit/error.hpp"
#include "yolo_decode.hpp"
#include "yolo_model.hpp"

namespace trackkit {

using detail::Clock;

struct Detector::Impl {
  DetectorOptions options;
  c10::Device device = c10::kCPU;
  detail::YoloModel model;
  YoloLayout layout = YoloLayout::Auto;
  LetterboxOptions letterbox;
  NmsOptions nms;
  int64_t batch = 0;
  bool stage_timing = false;
  StageTimes times;

  Impl(const std::string& path, const DetectorOptions& o)
      : options(o), device(parse_device(o.device, "options.device")), model(path, device, o.precision) {}

  BoxScaling scaling() const {
    if (options.scaling == DetectorOptions::Scaling::PerAxis) return BoxScaling::PerAxis;
    if (options.scaling == DetectorOptions::Scaling::Uniform) return BoxScaling::Uniform;
    return layout == YoloLayout::V5 ? BoxScaling::Uniform : BoxScaling::PerAxis;
  }

  double lap(Clock::time_point& t) const {
    if (stage_timing) detail::synchronize(device);
    return detail::lap(t);
  }

  /// Frames [B,H,W,3] of one size, on the model's device -> detections in frame pixels, fixed-size form.
  DetectionBatch run(const at::Tensor& frames) {
    const int64_t n = frames.size(0), h = frames.size(1), w = frames.size(2);
    times = {};
    if (n == 0)
      return {at::zeros({0, nms.max_detections, 6}, frames.options().dtype(at::kFloat)),
              at::zeros({0}, frames.options().dtype(at::kLong))};
    const LetterboxGeometry g = letterbox_geometry(h, w, letterbox);
    DetectionBatch out{at::zeros({n, nms.max_detections, 6}, frames.options().dtype(at::kFloat)),
                       at::zeros({n}, frames.options().dtype(at::kLong))};
    detail::for_each_batch(n, batch, device, [&](int64_t first, int64_t count) {
      Clock::time_point t = Clock::now();
      const at::Tensor input = trackkit::letterbox(frames.narrow(0, first, count), letterbox);
      times.preprocess += lap(t);
      const at::Tensor raw = model.forward(input);
      times.inference += lap(t);
      NmsResult r = detail::decode_yolo(raw, layout, nms);
      const at::Tensor live = at::arange(nms.max_detections, r.counts.options()).unsqueeze(0) < r.counts.unsqueeze(1);
      const at::Tensor boxes = unletterbox_boxes(r.detections.narrow(2, 0, 4), h, w, g, scaling());
      r.detections.narrow(2, 0, 4).copy_(boxes * live.unsqueeze(2));
      out.detections.narrow(0, first, count).copy_(r.detections);
      out.counts.narrow(0, first, count).copy_(r.counts);
      times.postprocess += lap(t);
    });
    return out;
  }

  at::Tensor checked_frames(const at::Tensor& frames, const char* argument) const {
    TensorCheck check("Detector::detect", argument, frames);
    check.dtype({at::kByte}).dim(4);
    if (frames.size(3) != 3) check.fail("must be [B,H,W,3] (3 channels), got " + shape_string(frames.sizes()));
    if (frames.size(0) > 0 && (frames.size(1) == 0 || frames.size(2) == 0))
      check.fail("has zero-size frames: " + shape_string(frames.sizes()));
    return frames.to(device);
  }
};

Detector::Detector(const std::string& model_path, const DetectorOptions& options)
    : impl_(std::make_unique<Impl>(model_path, options)) {
  auto require = [](bool ok, const char* field, const std::string& rule) {
    if (!ok) fail_argument("Detector", std::string("options.") + field, rule);
  };
  const DetectorOptions& o = options;
  require(o.conf_threshold >= 0 && o.conf_threshold < 1, "conf_threshold", "must be in [0,1)");
  require(o.iou_threshold > 0 && o.iou_threshold <= 1, "iou_threshold", "must be in (0,1]");
  require(o.max_detections > 0 && o.max_candidates > 0, "max_detections", "and max_candidates must be > 0");
  require(o.batch_size >= 0, "batch_size", "must be >= 0");
  require(o.input_height >= 0 && o.input_width >= 0, "input_height", "and input_width must be >= 0");
  Impl& d = *impl_;
  const detail::YoloMetadata& m = d.model.metadata();
  d.letterbox.height = o.input_height > 0 ? o.input_height : (m.input_height > 0 ? m.input_height : 640);
  d.letterbox.width = o.input_width > 0 ? o.input_width : (m.input_width > 0 ? m.input_width : 640);
  d.letterbox.stride = m.stride;
  d.letterbox.stride_multiple = o.stride_multiple;
  d.letterbox.input_bgr = o.input_bgr;
  d.letterbox.dtype = scalar_type(o.precision);
  d.nms.conf_threshold = o.conf_threshold, d.nms.iou_threshold = o.iou_threshold, d.nms.agnostic = o.agnostic;
  d.nms.max_candidates = o.max_candidates, d.nms.max_detections = o.max_detections, d.nms.classes = o.classes;
  d.batch = o.batch_size > 0 ? o.batch_size : (d.device.is_cuda() ? 16 : 4);
  // One forward pass on a blank input tells the layout (and fails early for a model that is not a detector).
  const at::Tensor probe = at::full({1, 3, d.letterbox.height, d.letterbox.width}, 114.0 / 255,
                                    at::TensorOptions().device(d.device).dtype(d.letterbox.dtype));
  at::Tensor raw;
  try {
    raw = d.model.forward(probe);
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    std::string why = e.what();
    throw Error(ErrorCode::Model, "Detector: model_path \"" + model_path + "\" fails on a [1,3," +
                                      std::to_string(d.letterbox.height) + "," + std::to_string(d.letterbox.width) +
                                      "] input: " + why.substr(0, why.find('\n')));
  }
  d.layout = detail::resolve_layout(raw, o.layout, m.layout, model_path);
  detail::log_info("Detector: {} on {}, {} input {}x{}, {} classes", model_path, d.device.str(),
                   precision_name(o.precision), d.letterbox.height, d.letterbox.width, m.names.size());
}

Detector::~Detector() = default;
Detector::Detector(Detector&&) noexcept = default;
Detector& Detector::operator=(Detector&&) noexcept = default;

DetectionBatch Detector::detect_batch(const at::Tensor& frames) {
  return impl_->run(impl_->checked_frames(frames, "frames"));
}

std::vector<at::Tensor> Detector::detect(const at::Tensor& frames) {
  const DetectionBatch batch = detect_batch(frames);
  return split_detections({batch.detections, batch.counts}); // the one host synchronisation
}

std::vector<at::Tensor> Detector::detect(const std::vector<at::Tensor>& frames) {
  // Frames of one size go through together; results return in the callers' order.
  std::map<std::pair<int64_t, int64_t>, std::vector<size_t>> by_size;
  for (size_t i = 0; i < frames.size(); ++i) {
    const std::string name = "frames[" + std::to_string(i) + "]";
    TensorCheck check("Detector::detect", name, frames[i]);
    check.dtype({at::kByte}).dim(3);
    if (frames[i].size(2) != 3) check.fail("must be [H,W,3], got " + shape_string(frames[i].sizes()));
    by_size[{frames[i].size(0), frames[i].size(1)}].push_back(i);
  }
  std::vector<at::Tensor> out(frames.size());
  for (const auto& [size, indices] : by_size) {
    std::vector<at::Tensor> group;
    for (size_t i : indices) group.push_back(frames[i].to(impl_->device));
    const std::vector<at::Tensor> found = detect(at::stack(group));
    for (size_t k = 0; k < indices.size(); ++k) out[indices[k]] = found[k];
  }
  return out;
}

void Detector::warmup(int64_t frame_height, int64_t frame_width) {
  Impl& d = *impl_;
  const at::Tensor one =
      at::full({1, frame_height, frame_width, 3}, 114, at::TensorOptions().dtype(at::kByte).device(d.device));
  if (d.options.batch_size == 0 && d.device.is_cuda()) {
    const detail::BatchFit fit = detail::fit_batch(d.device, 0.7, 64, [&](int64_t b) {
      d.batch = b;
      d.run(one.expand({b, frame_height, frame_width, 3}).contiguous());
    });
    d.batch = fit.batch;
    detail::log_info("Detector: about {} MB a frame; batch size {}", fit.bytes_per_item >> 20, d.batch);
  }
  d.run(one.expand({d.batch, frame_height, frame_width, 3}).contiguous());
  detail::synchronize(d.device);
}

const std::vector<std::string>& Detector::class_names() const { return impl_->model.metadata().names; }
YoloLayout Detector::layout() const { return impl_->layout; }
int64_t Detector::batch_size() const { return impl_->batch; }
c10::Device Detector::device() const { return impl_->device; }
const DetectorOptions& Detector::options() const { return impl_->options; }
LetterboxGeometry Detector::geometry(int64_t frame_height, int64_t frame_width) const {
  return letterbox_geometry(frame_height, frame_width, impl_->letterbox);
}
void Detector::set_stage_timing(bool enabled) { impl_->stage_timing = enabled; }
Detector::StageTimes Detector::last_stage_times() const { return impl_->times; }

} // namespace trackkit
