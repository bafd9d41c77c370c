// C ABI for trackkit/tracker.hpp.
#include <ATen/ATen.h>

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "config.hpp"
#include "guard.hpp"
#include "tensor.hpp"
#include "trackkit/tracker.hpp"

struct tk_tracker {
  trackkit::Tracker tracker;
  std::vector<int64_t> started; // TrackerOutput::started / ended of the last update, for tk_tracker_events
  std::vector<int64_t> ended;
};
struct tk_tracker_bank {
  trackkit::TrackerBank bank;
};

namespace {

tk_tracker_config to_config(const trackkit::TrackerOptions& o) {
  tk_tracker_config c{};
  c.struct_size = sizeof(c);
  c.track_thresh = o.track_thresh, c.low_thresh = o.low_thresh, c.new_track_thresh = o.new_track_thresh;
  c.match_thresh = o.match_thresh, c.second_match_thresh = o.second_match_thresh;
  c.unconfirmed_match_thresh = o.unconfirmed_match_thresh, c.frame_rate = o.frame_rate;
  c.duplicate_distance = o.duplicate_distance, c.track_buffer = o.track_buffer;
  c.fuse_score = o.fuse_score, c.iou_plus_one = o.iou_plus_one, c.high_score_inclusive = o.high_score_inclusive;
  c.motion_model = o.motion_model == trackkit::MotionModel::XYWH ? TK_MOTION_XYWH : TK_MOTION_XYAH;
  c.warp_sizes_by_abs = o.warp_sizes_by_abs, c.output_lost = o.output_lost;
  c.proximity_thresh = o.proximity_thresh, c.appearance_thresh = o.appearance_thresh;
  c.feature_momentum = o.feature_momentum;
  return c;
}

trackkit::TrackerOptions to_options(const char* fn, const tk_tracker_config* config) {
  const tk_tracker_config c = trackkit::capi::read_struct(fn, config, to_config({}));
  trackkit::capi::require_enum(fn, "config->motion_model", c.motion_model, TK_MOTION_XYWH, "tk_motion_model");
  if (c.reserved != 0) {
    trackkit::fail_argument(fn, "config->reserved", "must be 0, got " + std::to_string(c.reserved));
  }
  trackkit::TrackerOptions o;
  o.track_thresh = c.track_thresh, o.low_thresh = c.low_thresh, o.new_track_thresh = c.new_track_thresh;
  o.match_thresh = c.match_thresh, o.second_match_thresh = c.second_match_thresh;
  o.unconfirmed_match_thresh = c.unconfirmed_match_thresh, o.frame_rate = c.frame_rate;
  o.duplicate_distance = c.duplicate_distance, o.track_buffer = c.track_buffer;
  o.fuse_score = c.fuse_score != 0, o.iou_plus_one = c.iou_plus_one != 0;
  o.high_score_inclusive = c.high_score_inclusive != 0;
  o.motion_model = c.motion_model == TK_MOTION_XYWH ? trackkit::MotionModel::XYWH : trackkit::MotionModel::XYAH;
  o.warp_sizes_by_abs = c.warp_sizes_by_abs != 0, o.output_lost = c.output_lost != 0;
  o.proximity_thresh = c.proximity_thresh, o.appearance_thresh = c.appearance_thresh;
  o.feature_momentum = c.feature_momentum;
  return o;
}

tk_tracker_input input_defaults() {
  tk_tracker_input in{};
  in.struct_size = sizeof(in);
  in.mask_scale = trackkit::TrackerInput().mask_scale;
  return in;
}

// [M,8] float64: x1, y1, x2, y2, id, score, class, det_index.
at::Tensor track_rows(const trackkit::TrackerOutput& out, bool with_status = false) {
  // Filled element by element: one allocation instead of a chain of small ATen ops (a few microseconds a frame,
  // which is most of what a call from another language costs beyond the tracker itself).
  const int64_t m = out.ids.size(0);
  at::Tensor rows = at::empty({m, with_status ? 9 : 8}, at::TensorOptions().dtype(at::kDouble));
  const at::Tensor boxes = out.boxes.to(at::kDouble).contiguous();
  const at::Tensor scores = out.scores.to(at::kDouble).contiguous();
  const at::Tensor ids = out.ids.contiguous(), classes = out.classes.contiguous();
  const at::Tensor det_index = out.det_index.contiguous();
  const at::Tensor states = with_status ? out.states.contiguous() : at::Tensor();
  const double* b = boxes.data_ptr<double>();
  const double* score = scores.data_ptr<double>();
  const int64_t* id = ids.data_ptr<int64_t>();
  const int64_t* cls = classes.data_ptr<int64_t>();
  const int64_t* det = det_index.data_ptr<int64_t>();
  const int64_t* state = with_status ? states.data_ptr<int64_t>() : nullptr;
  double* r = rows.data_ptr<double>();
  for (int64_t i = 0; i < m; ++i, r += rows.size(1)) {
    r[0] = b[4 * i], r[1] = b[4 * i + 1], r[2] = b[4 * i + 2], r[3] = b[4 * i + 3];
    r[4] = static_cast<double>(id[i]), r[5] = score[i], r[6] = static_cast<double>(cls[i]);
    r[7] = static_cast<double>(det[i]);
    if (state != nullptr) r[8] = static_cast<double>(state[i]);
  }
  return rows;
}

// Keeps the frame's track events for tk_tracker_events.
void remember_events(tk_tracker* tracker, const trackkit::TrackerOutput& out) {
  tracker->started = out.started;
  tracker->ended = out.ended;
}

at::Tensor id_tensor(const std::vector<int64_t>& ids) {
  return at::tensor(at::ArrayRef<int64_t>(ids), at::TensorOptions().dtype(at::kLong));
}

} // namespace

trackkit::TrackerOptions trackkit::capi::tracker_options(const char* function, const tk_tracker_config* config) {
  return to_options(function, config);
}
tk_tracker_config trackkit::capi::tracker_config(const trackkit::TrackerOptions& options) { return to_config(options); }

extern "C" {

TK_API tk_status tk_tracker_config_init(tk_tracker_config* config, size_t struct_size) {
  constexpr const char* fn = "tk_tracker_config_init";
  return trackkit::capi::tk_guard(fn, [&] { trackkit::capi::init_struct(fn, config, struct_size, to_config({})); });
}

TK_API tk_status tk_tracker_config_preset(const char* name, double frame_rate, tk_tracker_config* config) {
  constexpr const char* fn = "tk_tracker_config_preset";
  return trackkit::capi::tk_guard(fn, [&] {
    trackkit::capi::require_pointer(fn, "name", name);
    trackkit::capi::require_pointer(fn, "config", config);
    const tk_tracker_config value = to_config(trackkit::TrackerOptions::preset(name, frame_rate));
    trackkit::capi::write_struct(fn, config, value, "config");
  });
}

TK_API tk_status tk_tracker_config_from_yaml(const char* path, double frame_rate, tk_tracker_config* config) {
  constexpr const char* fn = "tk_tracker_config_from_yaml";
  return trackkit::capi::tk_guard(fn, [&] {
    trackkit::capi::require_pointer(fn, "path", path);
    trackkit::capi::require_pointer(fn, "config", config);
    const tk_tracker_config value = to_config(trackkit::TrackerOptions::from_yaml(path, frame_rate));
    trackkit::capi::write_struct(fn, config, value, "config"); // only once the file was read: *config kept on errors
  });
}

TK_API const char* tk_tracker_preset_name(size_t index) {
  try {
    static const std::vector<std::string> names = trackkit::TrackerOptions::preset_names();
    return index < names.size() ? names[index].c_str() : nullptr;
  } catch (...) { // out of memory on the first call: no name rather than an exception through C
    return nullptr;
  }
}

TK_API tk_status tk_tracker_create(const tk_tracker_config* config, tk_tracker** tracker) {
  constexpr const char* fn = "tk_tracker_create";
  return trackkit::capi::tk_guard(fn, [&] {
    trackkit::capi::require_pointer(fn, "tracker", tracker);
    *tracker = nullptr;
    *tracker = new tk_tracker{trackkit::Tracker(to_options(fn, config)), {}, {}};
  });
}

TK_API void tk_tracker_destroy(tk_tracker* tracker) { delete tracker; }

TK_API tk_status tk_tracker_update(tk_tracker* tracker, const DLTensor* detections, DLManagedTensorVersioned** tracks) {
  constexpr const char* fn = "tk_tracker_update";
  return trackkit::capi::tk_guard(fn, [&] {
    trackkit::capi::require_pointer(fn, "tracker", tracker);
    trackkit::capi::require_pointer(fn, "tracks", tracks);
    const at::Tensor d = trackkit::capi::borrow_dltensor(fn, "detections", detections);
    const trackkit::TrackerOutput out = tracker->tracker.update(d);
    remember_events(tracker, out);
    trackkit::capi::give_dltensor(fn, "tracks", track_rows(out), tracks);
  });
}

TK_API tk_status tk_tracker_update_warp(tk_tracker* tracker, const DLTensor* detections, const DLTensor* warp,
                                        DLManagedTensorVersioned** tracks) {
  constexpr const char* fn = "tk_tracker_update_warp";
  return trackkit::capi::tk_guard(fn, [&] {
    trackkit::capi::require_pointer(fn, "tracker", tracker);
    trackkit::capi::require_pointer(fn, "tracks", tracks);
    const at::Tensor d = trackkit::capi::borrow_dltensor(fn, "detections", detections);
    const at::Tensor w = trackkit::capi::borrow_dltensor(fn, "warp", warp);
    const trackkit::TrackerOutput out = tracker->tracker.update(d, w);
    remember_events(tracker, out);
    trackkit::capi::give_dltensor(fn, "tracks", track_rows(out), tracks);
  });
}

TK_API tk_status tk_tracker_input_init(tk_tracker_input* input, size_t struct_size) {
  constexpr const char* fn = "tk_tracker_input_init";
  return trackkit::capi::tk_guard(
      fn, [&] { trackkit::capi::init_struct(fn, input, struct_size, input_defaults(), "input"); });
}

TK_API tk_status tk_tracker_update_ex(tk_tracker* tracker, const tk_tracker_input* input,
                                      DLManagedTensorVersioned** tracks) {
  constexpr const char* fn = "tk_tracker_update_ex";
  return trackkit::capi::tk_guard(fn, [&] {
    trackkit::capi::require_pointer(fn, "tracker", tracker);
    trackkit::capi::require_pointer(fn, "tracks", tracks);
    const tk_tracker_input c = trackkit::capi::read_struct(fn, input, input_defaults(), "input");
    if ((c.track_masks == nullptr) != (c.track_mask_ids == nullptr)) { // named as the C caller set them
      const bool masks_missing = c.track_masks == nullptr;
      trackkit::fail_argument(fn, masks_missing ? "input->track_masks" : "input->track_mask_ids",
                              std::string("is NULL while ") +
                                  (masks_missing ? "input->track_mask_ids" : "input->track_masks") +
                                  " is set; they come together");
    }
    auto optional = [&](const char* name, const DLTensor* t) {
      return t == nullptr ? at::Tensor() : trackkit::capi::borrow_dltensor(fn, name, t);
    };
    trackkit::TrackerInput in;
    in.detections = trackkit::capi::borrow_dltensor(fn, "input->detections", c.detections);
    in.embeddings = optional("input->embeddings", c.embeddings);
    in.masks = optional("input->masks", c.masks);
    in.track_masks = optional("input->track_masks", c.track_masks);
    in.track_mask_ids = optional("input->track_mask_ids", c.track_mask_ids);
    in.warp = optional("input->warp", c.warp);
    in.mask_scale = c.mask_scale;
    const trackkit::TrackerOutput out = tracker->tracker.update(in);
    remember_events(tracker, out);
    const at::Tensor rows = track_rows(out, /*with_status=*/true);
    trackkit::capi::give_dltensor(fn, "tracks", rows, tracks);
  });
}

TK_API tk_status tk_tracker_events(const tk_tracker* tracker, DLManagedTensorVersioned** started,
                                   DLManagedTensorVersioned** ended) {
  constexpr const char* fn = "tk_tracker_events";
  return trackkit::capi::tk_guard(fn, [&] {
    trackkit::capi::require_pointer(fn, "tracker", tracker);
    const at::Tensor s = id_tensor(tracker->started), e = id_tensor(tracker->ended);
    if (started != nullptr) trackkit::capi::give_dltensor(fn, "started", s, started);
    if (ended == nullptr) return;
    try {
      trackkit::capi::give_dltensor(fn, "ended", e, ended);
    } catch (...) { // both outputs or neither
      if (started != nullptr) {
        tk_tensor_free(*started);
        *started = nullptr;
      }
      throw;
    }
  });
}

TK_API tk_status tk_tracker_reset(tk_tracker* tracker) {
  constexpr const char* fn = "tk_tracker_reset";
  return trackkit::capi::tk_guard(fn, [&] {
    trackkit::capi::require_pointer(fn, "tracker", tracker);
    tracker->tracker.reset();
    tracker->started.clear();
    tracker->ended.clear();
  });
}

TK_API tk_status tk_tracker_bank_create(const tk_tracker_config* config, int64_t streams, tk_tracker_bank** bank) {
  constexpr const char* fn = "tk_tracker_bank_create";
  return trackkit::capi::tk_guard(fn, [&] {
    trackkit::capi::require_pointer(fn, "bank", bank);
    *bank = nullptr;
    *bank = new tk_tracker_bank{trackkit::TrackerBank(streams, to_options(fn, config))};
  });
}

TK_API void tk_tracker_bank_destroy(tk_tracker_bank* bank) { delete bank; }

TK_API tk_status tk_tracker_bank_update(tk_tracker_bank* bank, const DLTensor* detections,
                                        DLManagedTensorVersioned** tracks) {
  constexpr const char* fn = "tk_tracker_bank_update";
  return trackkit::capi::tk_guard(fn, [&] {
    trackkit::capi::require_pointer(fn, "bank", bank);
    trackkit::capi::require_pointer(fn, "tracks", tracks);
    const at::Tensor d = trackkit::capi::borrow_dltensor(fn, "detections", detections);
    const std::vector<trackkit::TrackerOutput> outputs = bank->bank.update(d);
    std::vector<at::Tensor> parts;
    for (size_t s = 0; s < outputs.size(); ++s) {
      const at::Tensor rows = track_rows(outputs[s]);
      parts.push_back(at::cat({at::full({rows.size(0), 1}, static_cast<double>(s), rows.options()), rows}, 1));
    }
    trackkit::capi::give_dltensor(fn, "tracks", at::cat(parts, 0), tracks);
  });
}

TK_API tk_status tk_tracker_bank_reset(tk_tracker_bank* bank, int64_t stream) {
  constexpr const char* fn = "tk_tracker_bank_reset";
  return trackkit::capi::tk_guard(fn, [&] {
    trackkit::capi::require_pointer(fn, "bank", bank);
    bank->bank.reset(stream);
  });
}

} // extern "C"
