#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <cmath>
#include <string>
#include <vector>

#include "tracker_impl.hpp"

namespace trackkit {

namespace {

constexpr const char* kFn = "TrackerBank::update";

/// Checks the per-row and per-stream tensors against N rows and S streams, so that no stream's update can
/// fail on them after another stream has advanced. feature_dim / mask_grid: the bank's, 0 / empty if unset.
void check_cues(const TrackerInput& in, int64_t rows, int64_t streams, int64_t feature_dim,
                const std::vector<int64_t>& mask_grid) {
  if (in.embeddings.defined()) {
    TensorCheck check(kFn, "embeddings", in.embeddings);
    check.dtype({at::kFloat, at::kDouble}).device_type(c10::kCPU).finite();
    if (in.embeddings.dim() != 2 || in.embeddings.size(0) != rows || in.embeddings.size(1) == 0 ||
        (feature_dim != 0 && in.embeddings.size(1) != feature_dim)) {
      check.fail("must have shape [N,D] with N = " + std::to_string(rows) + " (one per detection row) and D = " +
                 (feature_dim != 0 ? std::to_string(feature_dim) + " (the bank's)" : std::string("D > 0")) + ", got " +
                 shape_string(in.embeddings.sizes()));
    }
  }
  if (in.masks.defined()) {
    TensorCheck check(kFn, "masks", in.masks);
    check.dtype({at::kBool, at::kByte}).device_type(c10::kCPU);
    if (in.masks.dim() != 3 || in.masks.size(0) != rows ||
        (!mask_grid.empty() && (in.masks.size(1) != mask_grid[0] || in.masks.size(2) != mask_grid[1]))) {
      check.fail("must have shape [N,H,W] with N = " + std::to_string(rows) +
                 (mask_grid.empty() ? std::string() : " and H,W = " + shape_string(mask_grid) + " (earlier frames')") +
                 ", got " + shape_string(in.masks.sizes()));
    }
    if (!(in.mask_scale > 0 && std::isfinite(in.mask_scale)))
      fail_argument(kFn, "mask_scale", "must be > 0, got " + std::to_string(in.mask_scale));
  }
  if (in.track_masks.defined() || in.track_mask_ids.defined())
    fail_argument(kFn, "track_masks", "are per stream: give them to each stream's Tracker");
  if (in.warp.defined()) {
    TensorCheck(kFn, "warp", in.warp)
        .shape({streams, 2, 3})
        .dtype({at::kFloat, at::kDouble})
        .device_type(c10::kCPU)
        .finite();
  }
}

} // namespace

TrackerBank::TrackerBank(int64_t streams, const TrackerOptions& options) {
  if (streams < 1) fail_argument("TrackerBank", "streams", "must be >= 1, got " + std::to_string(streams));
  trackers_.reserve(streams);
  for (int64_t s = 0; s < streams; ++s) trackers_.emplace_back(options);
}

TrackerBank::~TrackerBank() = default;
TrackerBank::TrackerBank(TrackerBank&&) noexcept = default;
TrackerBank& TrackerBank::operator=(TrackerBank&&) noexcept = default;

int64_t TrackerBank::streams() const { return static_cast<int64_t>(trackers_.size()); }

void TrackerBank::reset(int64_t stream) {
  if (stream < 0 || stream >= streams()) {
    fail_argument("TrackerBank::reset", "stream",
                  "must be in [0," + std::to_string(streams()) + "), got " + std::to_string(stream));
  }
  trackers_[stream].reset();
}

std::vector<TrackerOutput> TrackerBank::update(const at::Tensor& detections) {
  TrackerInput input;
  input.detections = detections;
  return update(input);
}

std::vector<TrackerOutput> TrackerBank::update(const TrackerInput& input) {
  const at::Tensor& detections = input.detections;
  TensorCheck check(kFn, "detections", detections);
  check.dtype({at::kFloat, at::kDouble}).device_type(c10::kCPU);
  if (detections.dim() != 2 || (detections.size(1) != 6 && detections.size(1) != 7)) {
    check.fail("must have shape [N,6] or [N,7] (stream,x1,y1,x2,y2,score[,class]), got " +
               shape_string(detections.sizes()));
  }
  // Every row and tensor is checked before any stream advances, so bad input leaves all streams untouched.
  const at::Tensor d = detail::checked_detections(check, detections, 1);
  const int64_t n = d.size(0), cols = d.size(1), count = streams();
  check_cues(input, n, count, feature_dim_, mask_grid_);
  // Rows of each stream, in input order.
  std::vector<std::vector<int64_t>> rows(count);
  const double* p = d.const_data_ptr<double>();
  for (int64_t i = 0; i < n; ++i) {
    const double s = p[i * cols];
    if (!(s >= 0 && s < static_cast<double>(count)) || s != static_cast<double>(static_cast<int64_t>(s))) {
      check.fail("row " + std::to_string(i) + " has stream " + std::to_string(s) + "; streams are 0 to " +
                 std::to_string(count - 1));
    }
    rows[static_cast<int64_t>(s)].push_back(i);
  }
  if (input.embeddings.defined()) feature_dim_ = input.embeddings.size(1);
  if (input.masks.defined()) mask_grid_ = {input.masks.size(1), input.masks.size(2)};
  // Per-stream inputs keep the caller's dtype (float32 scores meet thresholds in float32, as in Tracker).
  const at::Tensor boxes = detections.narrow(1, 1, cols - 1);
  std::vector<TrackerInput> inputs(count);
  for (int64_t s = 0; s < count; ++s) {
    const at::Tensor index = at::tensor(rows[s], at::kLong);
    inputs[s].detections = boxes.index_select(0, index).contiguous();
    if (input.embeddings.defined()) inputs[s].embeddings = input.embeddings.index_select(0, index);
    if (input.masks.defined()) inputs[s].masks = input.masks.index_select(0, index);
    inputs[s].mask_scale = input.mask_scale;
    if (input.warp.defined()) inputs[s].warp = input.warp[s];
  }
  std::vector<TrackerOutput> outputs(count);
  at::parallel_for(0, count, 1, [&](int64_t begin, int64_t end) {
    for (int64_t s = begin; s < end; ++s) outputs[s] = trackers_[s].update(inputs[s]);
  });
  for (int64_t s = 0; s < count; ++s) {
    int64_t* local = outputs[s].det_index.mutable_data_ptr<int64_t>();
    for (int64_t k = 0; k < outputs[s].det_index.size(0); ++k)
      if (local[k] >= 0) local[k] = rows[s][local[k]];
  }
  return outputs;
}

} // namespace trackkit
