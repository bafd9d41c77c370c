#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <string>
#include <vector>

#include "tracker/tracker_impl.hpp"

namespace trackkit {

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
  TensorCheck check("TrackerBank::update", "detections", detections);
  check.dtype({at::kFloat, at::kDouble}).device_type(c10::kCPU);
  if (detections.dim() != 2 || (detections.size(1) != 6 && detections.size(1) != 7)) {
    check.fail("must have shape [N,6] or [N,7] (stream,x1,y1,x2,y2,score[,class]), got " +
               shape_string(detections.sizes()));
  }
  // Every row is checked before any stream advances, so a bad row leaves all streams untouched.
  const at::Tensor d = detail::checked_detections(check, detections, 1);
  const int64_t n = d.size(0), cols = d.size(1), count = streams();
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
  std::vector<at::Tensor> inputs(count);
  for (int64_t s = 0; s < count; ++s) {
    const at::Tensor index = at::tensor(rows[s], at::kLong);
    inputs[s] = d.index_select(0, index).narrow(1, 1, cols - 1).contiguous();
  }
  std::vector<TrackerOutput> outputs(count);
  at::parallel_for(0, count, 1, [&](int64_t begin, int64_t end) {
    for (int64_t s = begin; s < end; ++s) outputs[s] = trackers_[s].update(inputs[s]);
  });
  for (int64_t s = 0; s < count; ++s) {
    int64_t* local = outputs[s].det_index.mutable_data_ptr<int64_t>();
    for (int64_t k = 0; k < outputs[s].det_index.size(0); ++k) local[k] = rows[s][local[k]];
  }
  return outputs;
}

} // namespace trackkit
