#include "trackkit/face_detector.hpp"

#include <ATen/ATen.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "core/log.hpp"
#include "face_config.hpp"
#include "face_decode.hpp"
#include "runtime/device_memory.hpp"
#include "runtime/model_runner.hpp"
#include "trackkit/check.hpp"
#include "trackkit/error.hpp"

namespace trackkit {
namespace {

// The references map boxes and landmarks back with the exact inverse of the letterbox's placement.
constexpr BoxScaling kScaling = BoxScaling::PerAxis;

void check_options(const FaceDetectorOptions& o) {
  auto require = [](bool ok, const char* field, const std::string& rule) {
    if (!ok) fail_argument("FaceDetector", std::string("options.") + field, rule);
  };
  require(o.conf_threshold >= 0 && o.conf_threshold < 1, "conf_threshold", "must be in [0,1) (0: the layout's)");
  require(o.iou_threshold >= 0 && o.iou_threshold <= 1, "iou_threshold", "must be in [0,1] (0: the layout's)");
  require(o.max_detections > 0, "max_detections", "must be > 0");
  require(o.max_candidates > 0, "max_candidates", "must be > 0");
  require(o.batch_size >= 0, "batch_size", "must be >= 0");
  require(o.input_height >= 0 && o.input_width >= 0, "input_height", "and input_width must be >= 0");
}

/// The letterbox fill per channel where the model's three differ (RetinaFace's BGR mean): the letterbox fills one
/// grey, so its border is overwritten here with float(v) / 255, what the letterbox itself would have written.
void fill_padding(at::Tensor& input, const LetterboxGeometry& g, const std::vector<int64_t>& pad) {
  const int64_t below = g.pad_top + g.resized_height, right = g.pad_left + g.resized_width;
  for (int64_t c = 0; c < 3; ++c) {
    const at::Tensor channel = input.select(1, c);
    const float value = static_cast<float>(pad[c]) / 255.f;
    channel.narrow(1, 0, g.pad_top).fill_(value);
    channel.narrow(1, below, g.input_height - below).fill_(value);
    const at::Tensor rows = channel.narrow(1, g.pad_top, g.resized_height);
    rows.narrow(2, 0, g.pad_left).fill_(value);
    rows.narrow(2, right, g.input_width - right).fill_(value);
  }
}

bool one_grey(const std::vector<int64_t>& pad) {
  return std::all_of(pad.begin(), pad.end(), [&](int64_t v) { return v == pad.front(); });
}

} // namespace

struct FaceDetector::Impl {
  FaceDetectorOptions options;
  c10::Device device;
  std::unique_ptr<detail::ModelRunner> model;
  detail::FaceConfig config;
  LetterboxOptions letterbox;
  NmsOptions nms;
  at::Tensor priors; // RetinaFace only, on the device
  int64_t batch = 0;

  Impl(const std::string& path, const FaceDetectorOptions& o)
      : options(o),
        device(parse_device(o.device, "options.device")),
        model(detail::load_model_runner("FaceDetector", "model_path", path, device, o.precision, {"config.txt"})),
        config(detail::read_face_config(model->extra_file("config.txt"), path)) {}

  /// Frames [n,H,W,3] of one size on the device -> one Faces a frame.
  std::vector<Faces> run(const at::Tensor& frames) {
    const int64_t n = frames.size(0), h = frames.size(1), w = frames.size(2);
    std::vector<Faces> out(n);
    if (n == 0) return out;
    const LetterboxGeometry g = letterbox_geometry(h, w, letterbox);
    detail::for_each_batch(n, batch, device, [&](int64_t first, int64_t count) {
      at::Tensor input = trackkit::letterbox(frames.narrow(0, first, count), letterbox);
      if (!one_grey(config.pad_value)) fill_padding(input, g, config.pad_value);
      const detail::FaceCandidates candidates =
          detail::decode_faces(model->run({input}), config, priors, letterbox.height, letterbox.width);
      const detail::KeptFaces kept = detail::select_faces(candidates, nms);
      const at::Tensor boxes =
          at::cat({unletterbox_boxes(kept.boxes.narrow(2, 0, 4), h, w, g, kScaling), kept.boxes.narrow(2, 4, 1)}, 2);
      const at::Tensor landmarks = unletterbox_points(kept.landmarks, h, w, g, kScaling);
      for (int64_t i = 0; i < count; ++i)
        out[first + i] = {boxes[i].narrow(0, 0, kept.counts[i]), landmarks[i].narrow(0, 0, kept.counts[i])};
    });
    return out;
  }

  /// One blank input through the model: its outputs must fit the layout (a clear error now, not at detect()).
  void probe(const std::string& path) {
    const at::TensorOptions on = at::TensorOptions().device(device).dtype(letterbox.dtype);
    std::vector<double> grey(3, static_cast<double>(config.pad_value.front()) / 255);
    if (config.pad_value.size() == 3)
      for (int c = 0; c < 3; ++c) grey[c] = static_cast<double>(config.pad_value[c]) / 255;
    const at::Tensor input = at::tensor(grey, at::kDouble)
                                 .to(on)
                                 .view({1, 3, 1, 1})
                                 .expand({1, 3, letterbox.height, letterbox.width})
                                 .contiguous();
    std::vector<at::Tensor> raw;
    try {
      raw = model->run({input});
    } catch (const Error&) {
      throw;
    } catch (const std::exception& e) {
      const std::string why = e.what();
      throw Error(ErrorCode::Model, "FaceDetector: model_path \"" + path + "\" fails on a blank " +
                                        shape_string(input.sizes()) + " input: " + why.substr(0, why.find('\n')));
    }
    detail::check_face_outputs(raw, config, 1, priors.defined() ? priors.size(0) : 0, model->describe());
  }
};

FaceDetector::FaceDetector(const std::string& model_path, const FaceDetectorOptions& options) {
  check_options(options);
  impl_ = std::make_unique<Impl>(model_path, options);
  Impl& d = *impl_;
  const detail::FaceConfig& c = d.config;
  d.letterbox.height = options.input_height > 0 ? options.input_height : c.input_height;
  d.letterbox.width = options.input_width > 0 ? options.input_width : c.input_width;
  if (d.letterbox.height % c.stride != 0 || d.letterbox.width % c.stride != 0)
    fail_argument("FaceDetector", "options.input_height",
                  "and input_width must be multiples of the model's stride " + std::to_string(c.stride) + ", got " +
                      std::to_string(d.letterbox.height) + "x" + std::to_string(d.letterbox.width));
  d.letterbox.stride = c.stride;
  d.letterbox.input_bgr = options.input_bgr != c.model_bgr; // the letterbox swaps channels when told "BGR"
  d.letterbox.pad_value = one_grey(c.pad_value) ? c.pad_value.front() : 0;
  d.letterbox.dtype = scalar_type(options.precision);
  const bool retina = c.layout == FaceLayout::RetinaFace;
  d.nms.conf_threshold = options.conf_threshold > 0 ? options.conf_threshold : (retina ? 0.5 : 0.3);
  d.nms.iou_threshold = options.iou_threshold > 0 ? options.iou_threshold : (retina ? 0.4 : 0.5);
  d.nms.max_candidates = options.max_candidates, d.nms.max_detections = options.max_detections;
  if (retina) d.priors = retinaface_priors(d.letterbox.height, d.letterbox.width, c.priors, d.device);
  d.batch = options.batch_size > 0 ? options.batch_size : (d.device.is_cuda() ? 16 : 4);
  d.probe(model_path);
  detail::log_info("FaceDetector: {} ({}) on {}, {} input {}x{}", model_path, face_layout_name(c.layout),
                   d.device.str(), precision_name(options.precision), d.letterbox.height, d.letterbox.width);
}

FaceDetector::~FaceDetector() = default;
FaceDetector::FaceDetector(FaceDetector&&) noexcept = default;
FaceDetector& FaceDetector::operator=(FaceDetector&&) noexcept = default;

std::vector<Faces> FaceDetector::detect(const at::Tensor& frames) {
  TensorCheck check("FaceDetector::detect", "frames", frames);
  check.dtype({at::kByte}).dim(4);
  if (frames.size(3) != 3) check.fail("must be [B,H,W,3] (3 channels), got " + shape_string(frames.sizes()));
  if (frames.size(0) > 0 && (frames.size(1) == 0 || frames.size(2) == 0))
    check.fail("has zero-size frames: " + shape_string(frames.sizes()));
  return impl_->run(frames.to(impl_->device));
}

void FaceDetector::warmup(int64_t frame_height, int64_t frame_width) {
  if (frame_height <= 0 || frame_width <= 0)
    fail_argument("FaceDetector::warmup", frame_height <= 0 ? "frame_height" : "frame_width", "must be > 0");
  Impl& d = *impl_;
  const at::Tensor one =
      at::full({1, frame_height, frame_width, 3}, 114, at::TensorOptions().dtype(at::kByte).device(d.device));
  if (d.options.batch_size == 0 && d.device.is_cuda()) {
    const detail::BatchFit fit = detail::fit_batch(d.device, 0.7, 256, [&](int64_t b) {
      d.batch = b;
      d.run(one.expand({b, frame_height, frame_width, 3}).contiguous());
    });
    d.batch = fit.batch;
    detail::log_info("FaceDetector: about {} MB a frame; batch size {}", fit.bytes_per_item >> 20, d.batch);
  }
  d.run(one.expand({d.batch, frame_height, frame_width, 3}).contiguous());
  detail::synchronize(d.device);
}

FaceLayout FaceDetector::layout() const { return impl_->config.layout; }
int64_t FaceDetector::batch_size() const { return impl_->batch; }
c10::Device FaceDetector::device() const { return impl_->device; }
double FaceDetector::conf_threshold() const { return impl_->nms.conf_threshold; }
double FaceDetector::iou_threshold() const { return impl_->nms.iou_threshold; }
const FaceDetectorOptions& FaceDetector::options() const { return impl_->options; }
LetterboxGeometry FaceDetector::geometry(int64_t frame_height, int64_t frame_width) const {
  return letterbox_geometry(frame_height, frame_width, impl_->letterbox);
}

} // namespace trackkit
