// The tracker through its C ABI (capi/src/tracker.cpp over trackkit::Tracker): settings and up to 16 frames decoded
// from the fuzzer's bytes, each frame through tk_tracker_update, tk_tracker_update_warp or tk_tracker_update_ex
// (with appearance embeddings and a camera warp), now and then a reset or a tk_tracker_events call.
// Every call must return a status: TK_ERR_INTERNAL (an exception other than trackkit::Error reached the C boundary),
// a crash or a sanitizer report is a finding. An accepted frame's tracks are float64 [M,8] ([M,9] from _ex) whose
// ids are integers >= 1, unique in the frame, whose det_index is a row of the frame's detections or -1 for a lost
// track, and whose status (from _ex) is 1 (tracked, det_index >= 0) or 2 (lost, det_index -1).
//
// Detections are mostly of eight objects that persist from frame to frame with some jitter (so tracks start, match,
// get lost and come back), sometimes raw float bits (NaN, infinities, huge and inverted boxes).
#include <cmath>
#include <cstdint>
#include <cstring>
#include <set>
#include <string>
#include <vector>

#include "fuzz_input.hpp"
#include "trackkit/trackkit.h"

using trackkit::fuzz::Bytes;
using trackkit::fuzz::require;

namespace {

// A CPU DLTensor over its own row-major values (float32 or float64).
struct Table {
  std::vector<double> f64;
  std::vector<float> f32;
  int64_t shape[2] = {0, 0};
  DLTensor tensor{};

  Table(int64_t rows, int64_t cols, bool doubles, const std::vector<double>& values) {
    shape[0] = rows, shape[1] = cols;
    tensor.device = {kDLCPU, 0};
    tensor.ndim = 2;
    tensor.shape = shape;
    tensor.dtype = {kDLFloat, static_cast<uint8_t>(doubles ? 64 : 32), 1};
    if (doubles) {
      f64 = values;
      tensor.data = f64.data();
    } else {
      f32.assign(values.begin(), values.end());
      tensor.data = f32.data();
    }
  }
  Table(const Table&) = delete;
  Table& operator=(const Table&) = delete;
};

void check_status(tk_status status, const char* call) {
  require(status != TK_ERR_INTERNAL, "the tracker's C ABI reports only trackkit errors",
          [&] { return std::string(call) + ": " + tk_last_error(); });
}

double raw_value(Bytes& in, bool doubles) { return doubles ? in.take<double>() : in.take<float>(); }

// One detection row: x1, y1, x2, y2, score[, class].
void detection(Bytes& in, bool raw, bool doubles, int64_t cols, std::vector<double>& out) {
  if (raw) {
    for (int64_t c = 0; c < cols; ++c) out.push_back(raw_value(in, doubles));
    return;
  }
  const int object = in.byte() % 8;
  const uint8_t jitter = in.byte();
  const double x1 = 120.0 * object + (jitter % 16) - 8, y1 = 50.0 + 10 * object + (jitter / 16) - 8;
  const double w = 40.0 + 5 * object, h = 80.0 + 3 * object;
  out.insert(out.end(), {x1, y1, x1 + w, y1 + h, in.byte() / 255.0});
  if (cols == 6) out.push_back(in.byte() % 3);
}

void check_tracks(const DLManagedTensorVersioned* tracks, int64_t detections, bool with_status) {
  require(tracks != nullptr, "a successful update returns tracks");
  const DLTensor& t = tracks->dl_tensor;
  const int64_t cols = with_status ? 9 : 8;
  require(t.ndim == 2 && t.dtype.code == kDLFloat && t.dtype.bits == 64 && t.shape[1] == cols,
          "tracks are float64 [M,8], or [M,9] from tk_tracker_update_ex");
  const double* rows = reinterpret_cast<const double*>(static_cast<const char*>(t.data) + t.byte_offset);
  std::set<double> ids;
  for (int64_t i = 0; i < t.shape[0]; ++i) {
    const double* r = rows + i * cols;
    const auto row = [&] {
      return "row " + std::to_string(i) + " id " + std::to_string(r[4]) + " det_index " + std::to_string(r[7]) +
             " of " + std::to_string(detections);
    };
    require(r[4] >= 1 && r[4] == std::floor(r[4]), "track ids are integers >= 1", row);
    require(ids.insert(r[4]).second, "track ids are unique within a frame", row);
    require(r[7] == std::floor(r[7]) && r[7] >= -1 && r[7] < static_cast<double>(detections),
            "det_index is a row of the frame's detections or -1", row);
    if (with_status) {
      require((r[8] == 1 && r[7] >= 0) || (r[8] == 2 && r[7] == -1),
              "status is 1 (tracked, with its detection) or 2 (lost, det_index -1)", row);
    }
  }
}

tk_tracker* make_tracker(Bytes& in) {
  tk_tracker_config config;
  check_status(tk_tracker_config_init(&config, sizeof(config)), "tk_tracker_config_init");
  size_t presets = 0;
  while (tk_tracker_preset_name(presets) != nullptr) ++presets;
  const char* name = tk_tracker_preset_name(in.byte() % presets);
  static const double kRates[] = {30, 25, 1, 0.5, 1000, 7};
  const uint8_t rate = in.byte();
  const double frame_rate = rate >= 0xF0 ? in.take<double>() : kRates[rate % 6];
  const tk_status preset = tk_tracker_config_preset(name, frame_rate, &config);
  check_status(preset, "tk_tracker_config_preset");
  if (preset != TK_OK) return nullptr;
  const uint8_t flags = in.byte();
  config.output_lost = flags & 1, config.fuse_score = (flags >> 1) & 1, config.iou_plus_one = (flags >> 2) & 1;
  config.high_score_inclusive = (flags >> 3) & 1, config.warp_sizes_by_abs = (flags >> 4) & 1;
  if ((flags >> 5) & 1) config.motion_model = config.motion_model == TK_MOTION_XYAH ? TK_MOTION_XYWH : TK_MOTION_XYAH;
  const uint8_t buffer = in.byte();
  config.track_buffer = buffer >= 0xF0 ? in.take<int32_t>() : buffer % 40;
  if ((flags >> 6) & 1) { // one threshold (or the feature momentum) set to any double
    double* fields[] = {&config.track_thresh,       &config.low_thresh,          &config.new_track_thresh,
                        &config.match_thresh,       &config.second_match_thresh, &config.unconfirmed_match_thresh,
                        &config.duplicate_distance, &config.proximity_thresh,    &config.appearance_thresh,
                        &config.feature_momentum};
    *fields[in.byte() % 10] = in.take<double>();
  }
  tk_tracker* tracker = nullptr;
  const tk_status created = tk_tracker_create(&config, &tracker);
  check_status(created, "tk_tracker_create");
  return created == TK_OK ? tracker : nullptr;
}

void run_frame(Bytes& in, tk_tracker* tracker) {
  const uint8_t header = in.byte(), format = in.byte();
  const int64_t n = header % 13;
  const int kind = (header >> 4) % 4; // 0 update, 1 update_warp, 2 update_ex, 3 reset + update
  const bool doubles = (format & 1) != 0, raw = (format & 0x1c) == 0x1c;
  const int64_t cols = (format & 2) != 0 ? 6 : 5;
  std::vector<double> values;
  for (int64_t i = 0; i < n; ++i) detection(in, raw, doubles, cols, values);
  Table detections(n, cols, doubles, values);
  // A camera warp previous -> this frame: a small shift and scale, or raw values.
  std::vector<double> warp = {1, 0, 0, 0, 1, 0};
  if ((format & 0x20) != 0) {
    for (double& v : warp) v = raw_value(in, doubles);
  } else {
    warp[0] = warp[4] = 1 + (static_cast<int8_t>(in.byte()) / 1024.0);
    warp[2] = static_cast<int8_t>(in.byte()) / 8.0, warp[5] = static_cast<int8_t>(in.byte()) / 8.0;
  }
  Table warp_table(2, 3, doubles, warp);
  DLManagedTensorVersioned* tracks = nullptr;
  tk_status status = TK_OK;
  if (kind == 3) check_status(tk_tracker_reset(tracker), "tk_tracker_reset");
  if (kind == 0 || kind == 3) {
    status = tk_tracker_update(tracker, &detections.tensor, &tracks);
    check_status(status, "tk_tracker_update");
  } else if (kind == 1) {
    status = tk_tracker_update_warp(tracker, &detections.tensor, &warp_table.tensor, &tracks);
    check_status(status, "tk_tracker_update_warp");
  } else {
    // Appearance: one of four directions (plus a little of the others) per detection, raw values in raw mode.
    std::vector<double> features;
    for (int64_t i = 0; i < n; ++i) {
      const int direction = in.byte() % 4;
      for (int d = 0; d < 4; ++d) features.push_back(raw ? raw_value(in, doubles) : (d == direction) + 0.01);
    }
    Table embeddings(n, 4, doubles, features);
    tk_tracker_input input;
    check_status(tk_tracker_input_init(&input, sizeof(input)), "tk_tracker_input_init");
    input.detections = &detections.tensor;
    input.embeddings = (format & 0x40) != 0 ? &embeddings.tensor : nullptr;
    input.warp = (format & 0x80) != 0 ? &warp_table.tensor : nullptr;
    status = tk_tracker_update_ex(tracker, &input, &tracks);
    check_status(status, "tk_tracker_update_ex");
  }
  if (status != TK_OK) return;
  check_tracks(tracks, n, kind == 2);
  tk_tensor_free(tracks);
  if ((header & 0x80) != 0) {
    DLManagedTensorVersioned *started = nullptr, *ended = nullptr;
    check_status(tk_tracker_events(tracker, &started, &ended), "tk_tracker_events");
    tk_tensor_free(started);
    tk_tensor_free(ended);
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Bytes in(data, size);
  tk_tracker* tracker = make_tracker(in);
  if (tracker == nullptr) return 0;
  for (int frame = 0; frame < 16 && !in.empty(); ++frame) run_frame(in, tracker);
  tk_tracker_destroy(tracker);
  return 0;
}
