// C ABI for trackkit/mot.hpp (MOT files and the TrackEval-equivalent evaluator).
#include <ATen/ATen.h>

#include <cmath>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "config.hpp"
#include "guard.hpp"
#include "tensor.hpp"
#include "trackkit/mot.hpp"

namespace mot = trackkit::mot;

struct tk_mot_evaluator {
  mot::EvalOptions options;
  std::vector<mot::SequenceResult> sequences; // every sequence added, for tk_mot_evaluator_combined
};

namespace {

constexpr int64_t kRowColumns = 9; // frame, id, x, y, w, h, score, class, visibility

at::Tensor rows_tensor(const std::vector<mot::Row>& rows) {
  at::Tensor t = at::empty({static_cast<int64_t>(rows.size()), kRowColumns}, at::kDouble);
  double* p = t.data_ptr<double>();
  for (const mot::Row& r : rows) {
    const double values[kRowColumns] = {static_cast<double>(r.frame),
                                        static_cast<double>(r.id),
                                        r.x,
                                        r.y,
                                        r.w,
                                        r.h,
                                        r.score,
                                        static_cast<double>(r.cls),
                                        r.visibility};
    std::memcpy(p, values, sizeof values);
    p += kRowColumns;
  }
  return t;
}

std::string shape_text(const at::Tensor& t) {
  std::string s = "[";
  for (int64_t d = 0; d < t.dim(); ++d) s += (d > 0 ? "," : "") + std::to_string(t.size(d));
  return s + "]";
}

// Exactly representable integers only: frame, id and class columns hold whole numbers.
bool is_whole(double v) { return std::isfinite(v) && v == std::trunc(v) && std::abs(v) <= 9.0e15; }

/// A caller's MOT rows, float32/float64 [N, min_columns+] on the CPU (frame 0-based, id, x, y, w, h, score[, class
/// [, visibility]]), as trackkit::mot::Row; `layout` names the columns for the message.
std::vector<mot::Row> to_rows(const char* fn, const char* argument, const DLTensor* tensor, int64_t min_columns,
                              const char* layout) {
  const at::Tensor t = trackkit::capi::borrow_dltensor(fn, argument, tensor);
  if (!t.device().is_cpu()) {
    trackkit::fail_argument(fn, argument, "must be on the CPU, got " + t.device().str(), trackkit::ErrorCode::Device);
  }
  if (t.dim() != 2 || t.size(1) < min_columns) {
    trackkit::fail_argument(
        fn, argument,
        "must have shape [N," + std::to_string(min_columns) + "+] (" + layout + "), got " + shape_text(t));
  }
  if (t.scalar_type() != at::kFloat && t.scalar_type() != at::kDouble) {
    trackkit::fail_argument(fn, argument,
                            std::string("must be float32 or float64, got ") + c10::toString(t.scalar_type()));
  }
  const at::Tensor d = t.to(at::kDouble).contiguous();
  const int64_t n = d.size(0), columns = d.size(1);
  const double* p = d.data_ptr<double>();
  std::vector<mot::Row> rows(static_cast<size_t>(n));
  const auto bad = [&](int64_t i, const std::string& problem) {
    trackkit::fail_argument(fn, argument, "row " + std::to_string(i) + " " + problem);
  };
  for (int64_t i = 0; i < n; ++i, p += columns) {
    if (!is_whole(p[0]) || p[0] < 0) bad(i, "has frame " + std::to_string(p[0]) + "; frames are whole numbers >= 0");
    if (!is_whole(p[1])) bad(i, "has id " + std::to_string(p[1]) + "; ids are whole numbers");
    for (int c = 2; c < 7; ++c) {
      if (!std::isfinite(p[c])) bad(i, "has a non-finite value in column " + std::to_string(c));
    }
    mot::Row& r = rows[static_cast<size_t>(i)];
    r.frame = static_cast<int64_t>(p[0]), r.id = static_cast<int64_t>(p[1]);
    r.x = p[2], r.y = p[3], r.w = p[4], r.h = p[5], r.score = p[6];
    if (columns > 7) {
      if (!is_whole(p[7])) bad(i, "has class " + std::to_string(p[7]) + "; classes are whole numbers");
      r.cls = static_cast<int64_t>(p[7]);
    }
    if (columns > 8) r.visibility = p[8];
  }
  return rows;
}

/// Copies `text` into a fixed char array, NUL-terminated; a cut never splits a UTF-8 sequence.
template <size_t N>
void copy_text(char (&out)[N], const std::string& text) {
  size_t n = std::min(text.size(), N - 1);
  if (n < text.size()) {
    while (n > 0 && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80) --n; // text[n] continues a character
  }
  std::memcpy(out, text.data(), n);
  out[n] = '\0';
}

tk_mot_eval_config eval_defaults() {
  const mot::EvalOptions o;
  tk_mot_eval_config c{};
  c.struct_size = sizeof(c);
  c.num_frames = o.num_frames, c.mot17_preprocessing = o.mot17_preprocessing ? 1 : 0;
  c.pedestrian_class = o.pedestrian_class;
  c.distractor_classes = nullptr, c.num_distractor_classes = 0; // NULL: EvalOptions' MOT17 distractors
  return c;
}

mot::EvalOptions to_options(const char* fn, const tk_mot_eval_config* config) {
  const tk_mot_eval_config c = trackkit::capi::read_struct(fn, config, eval_defaults());
  if (c.num_frames < 0) {
    trackkit::fail_argument(fn, "config->num_frames",
                            "must be >= 0 (0: inferred), got " + std::to_string(c.num_frames));
  }
  if (c.reserved != 0) trackkit::fail_argument(fn, "config->reserved", "must be 0, got " + std::to_string(c.reserved));
  if (c.num_distractor_classes < 0) {
    trackkit::fail_argument(fn, "config->num_distractor_classes",
                            "must be >= 0, got " + std::to_string(c.num_distractor_classes));
  }
  mot::EvalOptions o;
  o.num_frames = c.num_frames;
  o.mot17_preprocessing = c.mot17_preprocessing != 0;
  o.pedestrian_class = c.pedestrian_class;
  if (c.distractor_classes != nullptr) {
    o.distractor_classes.assign(c.distractor_classes, c.distractor_classes + c.num_distractor_classes);
  } else if (c.num_distractor_classes > 0) {
    trackkit::fail_argument(fn, "config->distractor_classes",
                            "is NULL but num_distractor_classes is " + std::to_string(c.num_distractor_classes));
  }
  return o;
}

/// mot::evaluate_sequence, its errors naming the arguments as the C caller passed them: its `tracker` rows are
/// tk_mot_evaluator_add's `results`.
mot::SequenceResult evaluate(const char* fn, const std::vector<mot::Row>& gt, const std::vector<mot::Row>& results,
                             const mot::EvalOptions& options) {
  try {
    return mot::evaluate_sequence(gt, results, options);
  } catch (const trackkit::Error& e) {
    const std::string text = e.what();
    const std::pair<std::string, std::string> names[] = {{"evaluate_sequence: gt ", "gt "},
                                                         {"evaluate_sequence: tracker ", "results "}};
    for (const auto& [from, to] : names) {
      if (text.rfind(from, 0) == 0) throw trackkit::Error(e.code(), fn + (": " + to) + text.substr(from.size()));
    }
    throw;
  }
}

tk_mot_metrics to_metrics(const mot::SequenceResult& r) {
  tk_mot_metrics m{};
  m.struct_size = sizeof(m);
  const mot::HotaMetrics& h = r.hota;
  m.hota = h.hota, m.det_a = h.det_a, m.ass_a = h.ass_a, m.det_re = h.det_re, m.det_pr = h.det_pr;
  m.ass_re = h.ass_re, m.ass_pr = h.ass_pr, m.loc_a = h.loc_a;
  const mot::ClearMetrics& c = r.clear;
  m.mota = c.mota, m.motp = c.motp, m.moda = c.moda, m.clr_recall = c.recall, m.clr_precision = c.precision;
  m.tp = c.tp, m.fn = c.fn, m.fp = c.fp, m.idsw = c.idsw, m.mt = c.mt, m.pt = c.pt, m.ml = c.ml, m.frag = c.frag;
  m.idf1 = r.identity.idf1, m.idr = r.identity.idr, m.idp = r.identity.idp;
  m.idtp = r.identity.idtp, m.idfn = r.identity.idfn, m.idfp = r.identity.idfp;
  m.gt_dets = r.num_gt_dets, m.tracker_dets = r.num_tracker_dets;
  m.gt_ids = r.num_gt_ids, m.tracker_ids = r.num_tracker_ids;
  return m;
}

} // namespace

extern "C" {

TK_API tk_status tk_mot_read(const char* path, DLManagedTensorVersioned** rows) {
  constexpr const char* fn = "tk_mot_read";
  return trackkit::capi::tk_guard(fn, [&] {
    trackkit::capi::require_pointer(fn, "path", path);
    trackkit::capi::require_pointer(fn, "rows", rows);
    trackkit::capi::give_dltensor(fn, "rows", rows_tensor(mot::read_mot_file(path)), rows);
  });
}

TK_API tk_status tk_mot_write_results(const char* path, const DLTensor* rows, int32_t decimals) {
  constexpr const char* fn = "tk_mot_write_results";
  return trackkit::capi::tk_guard(fn, [&] {
    trackkit::capi::require_pointer(fn, "path", path);
    if (decimals > 17) { // 17 significant decimals already tell every double apart
      trackkit::fail_argument(fn, "decimals", "must be <= 17 (< 0: shortest exact), got " + std::to_string(decimals));
    }
    const std::vector<mot::Row> r = to_rows(fn, "rows", rows, 7, "frame, id, x, y, w, h, score");
    mot::write_mot_results(path, r, decimals);
  });
}

TK_API tk_status tk_mot_read_seqinfo(const char* path, tk_mot_seqinfo* info) {
  constexpr const char* fn = "tk_mot_read_seqinfo";
  return trackkit::capi::tk_guard(fn, [&] {
    trackkit::capi::require_pointer(fn, "path", path);
    trackkit::capi::require_pointer(fn, "info", info);
    const mot::SeqInfo s = mot::read_seqinfo(path);
    tk_mot_seqinfo value{};
    value.struct_size = sizeof(value);
    value.frame_rate = s.frame_rate, value.length = s.length, value.width = s.width, value.height = s.height;
    copy_text(value.name, s.name);
    copy_text(value.im_dir, s.im_dir);
    copy_text(value.im_ext, s.im_ext);
    trackkit::capi::write_struct(fn, info, value, "info");
  });
}

TK_API tk_status tk_mot_eval_config_init(tk_mot_eval_config* config, size_t struct_size) {
  constexpr const char* fn = "tk_mot_eval_config_init";
  return trackkit::capi::tk_guard(fn, [&] { trackkit::capi::init_struct(fn, config, struct_size, eval_defaults()); });
}

TK_API tk_status tk_mot_evaluator_create(const tk_mot_eval_config* config, tk_mot_evaluator** evaluator) {
  constexpr const char* fn = "tk_mot_evaluator_create";
  return trackkit::capi::tk_guard(fn, [&] {
    trackkit::capi::require_pointer(fn, "evaluator", evaluator);
    *evaluator = nullptr;
    *evaluator = new tk_mot_evaluator{to_options(fn, config), {}};
  });
}

TK_API void tk_mot_evaluator_destroy(tk_mot_evaluator* evaluator) { delete evaluator; }

TK_API tk_status tk_mot_evaluator_add(tk_mot_evaluator* evaluator, const DLTensor* gt, const DLTensor* results,
                                      int64_t num_frames, tk_mot_metrics* metrics) {
  constexpr const char* fn = "tk_mot_evaluator_add";
  return trackkit::capi::tk_guard(fn, [&] {
    trackkit::capi::require_pointer(fn, "evaluator", evaluator);
    if (num_frames < 0) {
      trackkit::fail_argument(fn, "num_frames", "must be >= 0 (0: the config's), got " + std::to_string(num_frames));
    }
    // Checked (and cleared) before the sequence joins, so a bad struct_size adds nothing.
    if (metrics != nullptr) trackkit::capi::write_struct(fn, metrics, tk_mot_metrics{}, "metrics");
    const std::vector<mot::Row> g = to_rows(fn, "gt", gt, 8, "frame, id, x, y, w, h, consider flag, class");
    const std::vector<mot::Row> r = to_rows(fn, "results", results, 7, "frame, id, x, y, w, h, score");
    mot::EvalOptions options = evaluator->options;
    if (num_frames > 0) options.num_frames = num_frames;
    evaluator->sequences.push_back(evaluate(fn, g, r, options));
    if (metrics != nullptr)
      trackkit::capi::write_struct(fn, metrics, to_metrics(evaluator->sequences.back()), "metrics");
  });
}

TK_API tk_status tk_mot_evaluator_combined(const tk_mot_evaluator* evaluator, tk_mot_metrics* metrics) {
  constexpr const char* fn = "tk_mot_evaluator_combined";
  return trackkit::capi::tk_guard(fn, [&] {
    trackkit::capi::require_pointer(fn, "evaluator", evaluator);
    tk_mot_metrics value{}; // nothing added yet: all zero (combine() would give LocA 1 for no matches)
    value.struct_size = sizeof(value);
    if (!evaluator->sequences.empty()) value = to_metrics(mot::combine(evaluator->sequences));
    trackkit::capi::write_struct(fn, metrics, value, "metrics");
  });
}

TK_API tk_status tk_mot_evaluator_count(const tk_mot_evaluator* evaluator, int64_t* sequences) {
  constexpr const char* fn = "tk_mot_evaluator_count";
  return trackkit::capi::tk_guard(fn, [&] {
    trackkit::capi::require_pointer(fn, "evaluator", evaluator);
    trackkit::capi::require_pointer(fn, "sequences", sequences);
    *sequences = static_cast<int64_t>(evaluator->sequences.size());
  });
}

} // extern "C"
