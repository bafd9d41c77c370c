// TrackingPipeline: detection of batch k+1 on the GPU overlaps camera-motion estimation and tracking of batch k
// on the host. Completion order is frame order, so results equal a sequential loop (tests/pipeline).
#include "trackkit/pipeline.hpp"

#include <ATen/ATen.h>
#include <c10/core/Event.h>
#include <c10/core/impl/VirtualGuardImpl.h>

#include <optional>

#include "core/stopwatch.hpp"
#include "runtime/device_memory.hpp"
#include "trackkit/check.hpp"
#include "trackkit/error.hpp"

namespace trackkit {

namespace {

using detail::Clock;
using detail::seconds_since;

/// A batch between push (detection launched) and completion (motion estimated, tracked).
struct InFlight {
  at::Tensor frames;     // as pushed
  at::Tensor detections; // [B,K,6] on the host (pinned when copied from a GPU)
  at::Tensor counts;     // [B]
  int64_t first_frame = 0;
  // GPU: start, uploaded, detected (timing) and copied back (the host waits on this one).
  std::vector<c10::Event> events;
};

} // namespace

PipelineOptions::PipelineOptions() { detector.conf_threshold = 0.1; }

struct TrackingPipeline::Impl {
  PipelineOptions options;
  Detector detector;
  GMC gmc;
  Tracker tracker;
  std::optional<InFlight> in_flight;
  int64_t next_frame = 0;
  PipelineTimes times;

  explicit Impl(const PipelineOptions& o)
      : options(o), detector(o.model_path, o.detector), gmc(o.gmc), tracker(o.tracker) {}

  bool on_gpu() const { return detector.device().is_cuda(); }

  InFlight launch(const at::Tensor& frames) {
    InFlight f;
    f.frames = frames, f.first_frame = next_frame;
    next_frame += frames.size(0);
    if (!on_gpu()) {
      const auto start = Clock::now();
      const DetectionBatch batch = detector.detect_batch(frames);
      f.detections = batch.detections, f.counts = batch.counts;
      times.detect += seconds_since(start);
      return f;
    }
    const c10::Device device = detector.device();
    const c10::Stream stream = c10::impl::VirtualGuardImpl(device.type()).getStream(device);
    for (int i = 0; i < 4; ++i) f.events.emplace_back(device.type(), c10::EventFlag::BACKEND_DEFAULT);
    f.events[0].record(stream);
    const at::Tensor on_device = frames.to(device, /*non_blocking=*/frames.is_pinned());
    f.events[1].record(stream);
    const DetectionBatch batch = detector.detect_batch(on_device);
    f.events[2].record(stream);
    const auto pinned = [](const at::Tensor& t) {
      return at::empty(t.sizes(), t.options().device(at::kCPU).pinned_memory(true));
    };
    f.detections = pinned(batch.detections).copy_(batch.detections, /*non_blocking=*/true);
    f.counts = pinned(batch.counts).copy_(batch.counts, /*non_blocking=*/true);
    f.events[3].record(stream);
    return f;
  }

  std::vector<FrameTracks> complete(InFlight& f) {
    std::vector<FrameTracks> out;
    if (!f.events.empty()) {
      const auto start = Clock::now();
      f.events[3].synchronize();
      times.wait += seconds_since(start);
      times.upload += f.events[0].elapsedTime(f.events[1]) / 1000;
      times.detect += f.events[1].elapsedTime(f.events[2]) / 1000;
    }
    const int64_t b = f.frames.size(0);
    const int64_t* counts = f.counts.data_ptr<int64_t>();
    std::vector<at::Tensor> detections(b);
    std::vector<at::Tensor> masked_rows; // frame index, x1, y1, x2, y2: kept out of GMC's feature search
    for (int64_t i = 0; i < b; ++i) {
      detections[i] = f.detections[i].narrow(0, 0, counts[i]);
      masked_rows.push_back(
          at::cat({at::full({counts[i], 1}, static_cast<float>(i)), detections[i].narrow(1, 0, 4)}, 1));
    }
    // Camera motion of every frame pair of the batch in parallel on the host (the GPU detects the next batch
    // meanwhile); GMC's stream state chains the first pair to the previous batch's last frame and its boxes.
    at::Tensor warps = at::eye(3, at::kDouble).narrow(0, 0, 2).expand({b, 2, 3}).contiguous();
    at::Tensor status = at::full({b}, static_cast<int>(GmcStatus::FirstFrame), at::kInt);
    if (options.gmc.method != GmcMethod::None) {
      const auto start = Clock::now();
      const GmcBatchResult r = gmc.apply_batch(f.frames.cpu(), at::cat(masked_rows));
      warps = r.warps, status = r.status;
      times.gmc += seconds_since(start);
    }
    const auto start = Clock::now();
    for (int64_t i = 0; i < b; ++i) {
      FrameTracks t;
      t.frame = f.first_frame + i, t.detections = detections[i], t.warp = warps[i];
      t.gmc_status = static_cast<GmcStatus>(status[i].item<int>());
      t.image = f.frames[i];
      TrackerInput input;
      input.detections = detections[i];
      if (options.gmc.method != GmcMethod::None) input.warp = warps[i];
      t.tracks = tracker.update(input);
      out.push_back(std::move(t));
    }
    times.track += seconds_since(start);
    times.frames += b;
    return out;
  }
};

TrackingPipeline::TrackingPipeline(const PipelineOptions& options) {
  if (options.gmc.method == GmcMethod::Ecc && options.gmc.ecc_motion == EccMotion::Homography)
    fail_argument("TrackingPipeline", "options.gmc.ecc_motion",
                  "must not be Homography: the tracker moves tracks by 2x3 affine warps");
  if (options.model_path.empty()) fail_argument("TrackingPipeline", "options.model_path", "must name a model file");
  impl_ = std::make_unique<Impl>(options);
  detail::reset_peak_memory(impl_->detector.device());
}

TrackingPipeline::~TrackingPipeline() = default;
TrackingPipeline::TrackingPipeline(TrackingPipeline&&) noexcept = default;
TrackingPipeline& TrackingPipeline::operator=(TrackingPipeline&&) noexcept = default;

void TrackingPipeline::warmup(int64_t frame_height, int64_t frame_width) {
  impl_->detector.warmup(frame_height, frame_width);
  detail::reset_peak_memory(impl_->detector.device());
}

std::vector<FrameTracks> TrackingPipeline::push(const at::Tensor& frames) {
  TensorCheck check("TrackingPipeline::push", "frames", frames);
  check.dim(4).dtype(at::kByte).non_empty();
  if (frames.size(3) != 3) check.fail("must have shape [B,H,W,3], got " + shape_string(frames.sizes()));
  if (frames.is_cuda() && frames.device() != impl_->detector.device())
    check.fail("is on " + frames.device().str() + ", the detector on " + impl_->detector.device().str(),
               ErrorCode::Device);
  const auto start = Clock::now();
  InFlight next = impl_->launch(frames.contiguous());
  std::vector<FrameTracks> done;
  if (impl_->in_flight) done = impl_->complete(*impl_->in_flight);
  impl_->in_flight = std::move(next);
  if (!impl_->on_gpu()) { // nothing to overlap with on the CPU
    auto now = impl_->complete(*impl_->in_flight);
    impl_->in_flight.reset();
    done.insert(done.end(), std::make_move_iterator(now.begin()), std::make_move_iterator(now.end()));
  }
  impl_->times.total += seconds_since(start);
  return done;
}

std::vector<FrameTracks> TrackingPipeline::finish() {
  if (!impl_->in_flight) return {};
  const auto start = Clock::now();
  std::vector<FrameTracks> done = impl_->complete(*impl_->in_flight);
  impl_->in_flight.reset();
  impl_->times.total += seconds_since(start);
  return done;
}

std::vector<FrameTracks> TrackingPipeline::process(const at::Tensor& frames) {
  std::vector<FrameTracks> done = push(frames), rest = finish();
  done.insert(done.end(), std::make_move_iterator(rest.begin()), std::make_move_iterator(rest.end()));
  return done;
}

void TrackingPipeline::reset() {
  if (impl_->in_flight && !impl_->in_flight->events.empty()) impl_->in_flight->events.back().synchronize();
  impl_->in_flight.reset();
  impl_->gmc.reset();
  impl_->next_frame = 0;
  impl_->tracker.reset();
}

const PipelineTimes& TrackingPipeline::times() const { return impl_->times; }
void TrackingPipeline::reset_times() {
  impl_->times = PipelineTimes{};
  detail::reset_peak_memory(impl_->detector.device());
}
int64_t TrackingPipeline::peak_memory_bytes() const { return detail::peak_memory_bytes(impl_->detector.device()); }
const Detector& TrackingPipeline::detector() const { return impl_->detector; }
const PipelineOptions& TrackingPipeline::options() const { return impl_->options; }

} // namespace trackkit
