#pragma once
// The Python references of tools/faces/reference_faces.py (<reference>/<model>.json: settings, then per image its
// faces as boxes [x1,y1,x2,y2,score] and landmarks [[x,y] x5]) and the comparison of two sets of faces: matched by
// IoU, then coordinate and score differences, and an account of faces found on one side only.
#include <ATen/ATen.h>
#include <opencv2/core.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "face_test_util.hpp"
#include "runtime/json_literals.hpp"
#include "trackkit/face_detector.hpp"

namespace face_test {

struct Face {
  std::array<double, 4> box{};
  double score = 0;
  std::array<double, 10> landmarks{};
};

struct Reference {
  double conf_threshold = 0, iou_threshold = 0;
  int64_t max_detections = 0, max_candidates = 0; // 0: not given
  bool plus_one_nms = false; // the reference's NMS adds 1 to widths and heights (RetinaFace's py_cpu_nms)
  std::map<std::string, std::vector<Face>> images;
};

/// The first of `keys` that `node` has as a number, else `fallback`.
inline double number(const cv::FileNode& node, std::initializer_list<const char*> keys, double fallback) {
  for (const char* k : keys)
    if (node[k].isInt() || node[k].isReal()) return static_cast<double>(node[k]);
  return fallback;
}

/// Reads <model>.json; empty images when the file is missing or unreadable.
inline Reference read_reference(const std::string& path) {
  Reference r;
  std::ifstream in(path);
  if (!in) return r;
  std::stringstream text;
  text << in.rdbuf();
  const cv::FileStorage fs(trackkit::detail::json_without_literals(text.str()),
                           cv::FileStorage::READ | cv::FileStorage::MEMORY | cv::FileStorage::FORMAT_JSON);
  const cv::FileNode s = fs["settings"];
  r.conf_threshold = number(s, {"conf_threshold", "conf_thres", "confidence_threshold", "conf"}, 0);
  r.iou_threshold = number(s, {"iou_threshold", "iou_thres", "nms_threshold", "iou"}, 0);
  r.max_detections = static_cast<int64_t>(number(s, {"max_detections", "max_det", "keep_top_k"}, 0));
  r.max_candidates = static_cast<int64_t>(number(s, {"max_candidates", "top_k"}, 0));
  r.plus_one_nms = number(s, {"nms_plus_one", "plus_one"}, 0) != 0;
  for (const auto& image : fs["images"]) {
    std::vector<Face>& faces = r.images[image.name()];
    const cv::FileNode boxes = image["boxes"], landmarks = image["landmarks"];
    for (size_t i = 0; i < boxes.size(); ++i) {
      Face f;
      for (int c = 0; c < 4; ++c) f.box[c] = static_cast<double>(boxes[i][c]);
      f.score = static_cast<double>(boxes[i][4]);
      for (int p = 0; p < 5; ++p)
        for (int c = 0; c < 2; ++c) f.landmarks[2 * p + c] = static_cast<double>(landmarks[i][p][c]);
      faces.push_back(f);
    }
  }
  return r;
}

/// Our faces of one frame as Face rows.
inline std::vector<Face> to_faces(const trackkit::Faces& found) {
  const at::Tensor b = found.boxes.to(at::kCPU, at::kDouble).contiguous();
  const at::Tensor l = found.landmarks.to(at::kCPU, at::kDouble).contiguous().view({-1, 10});
  std::vector<Face> out(b.size(0));
  for (int64_t i = 0; i < b.size(0); ++i) {
    for (int c = 0; c < 4; ++c) out[i].box[c] = b[i][c].item<double>();
    out[i].score = b[i][4].item<double>();
    for (int c = 0; c < 10; ++c) out[i].landmarks[c] = l[i][c].item<double>();
  }
  return out;
}

/// When a face found on one side only is allowed: its score within `score_window` of the threshold (it may fall on
/// either side of it), or its NMS IoU (the largest IoU with a face of the other side scoring at least as high, the
/// side that dropped it, in that side's IoU) within `iou_window` of the NMS threshold.
struct Allowance {
  double conf_threshold = 0, iou_threshold = 0;
  double score_window = 0.01, iou_window = 0.02;
  bool other_plus_one = false; // for faces only we have: the side that dropped them used +1 IoU
  bool ours_plus_one = false;  // for faces only the other side has: never (trackkit's NMS has no +1)
};

struct Comparison {
  int64_t reference = 0, ours = 0, matched = 0;
  double box = 0, landmark = 0, score = 0;       // largest differences over matched faces
  std::vector<std::string> allowed, unexplained; // faces on one side only, with why
};

inline std::string describe(const Face& f, const char* side) {
  std::ostringstream s;
  s.precision(4);
  s << side << " box " << f.box[0] << "," << f.box[1] << "," << f.box[2] << "," << f.box[3] << " score " << f.score;
  return s.str();
}

/// Pairs faces by IoU (greedy, highest first, IoU >= 0.5), then accounts for the rest.
inline Comparison compare_faces(const std::vector<Face>& ref, const std::vector<Face>& ours, const Allowance& a) {
  Comparison c;
  c.reference = static_cast<int64_t>(ref.size()), c.ours = static_cast<int64_t>(ours.size());
  std::vector<std::array<double, 3>> pairs; // iou, i, j
  for (size_t i = 0; i < ref.size(); ++i)
    for (size_t j = 0; j < ours.size(); ++j) {
      const double v = iou(ref[i].box.data(), ours[j].box.data());
      if (v >= 0.5) pairs.push_back({v, double(i), double(j)});
    }
  std::sort(pairs.begin(), pairs.end(), [](const auto& x, const auto& y) { return x[0] > y[0]; });
  std::vector<char> ref_used(ref.size(), 0), ours_used(ours.size(), 0);
  for (const auto& [v, fi, fj] : pairs) {
    const auto i = static_cast<size_t>(fi), j = static_cast<size_t>(fj);
    if (ref_used[i] || ours_used[j]) continue;
    ref_used[i] = ours_used[j] = 1;
    ++c.matched;
    for (int k = 0; k < 4; ++k) c.box = std::max(c.box, std::abs(ref[i].box[k] - ours[j].box[k]));
    for (int k = 0; k < 10; ++k)
      c.landmark = std::max(c.landmark, std::abs(ref[i].landmarks[k] - ours[j].landmarks[k]));
    c.score = std::max(c.score, std::abs(ref[i].score - ours[j].score));
  }
  auto account = [&](const Face& f, const std::vector<Face>& other, bool other_plus_one, const char* side) {
    std::ostringstream why;
    why.precision(4);
    if (std::abs(f.score - a.conf_threshold) <= a.score_window) {
      why << describe(f, side) << ": score within " << a.score_window << " of " << a.conf_threshold;
      c.allowed.push_back(why.str());
      return;
    }
    double nms_iou = 0;
    for (const Face& g : other)
      if (g.score >= f.score) nms_iou = std::max(nms_iou, iou(f.box.data(), g.box.data(), other_plus_one));
    why << describe(f, side) << ": NMS IoU " << nms_iou << (other_plus_one ? " (+1)" : "") << " vs " << a.iou_threshold;
    (std::abs(nms_iou - a.iou_threshold) <= a.iou_window ? c.allowed : c.unexplained).push_back(why.str());
  };
  for (size_t i = 0; i < ref.size(); ++i)
    if (!ref_used[i]) account(ref[i], ours, a.ours_plus_one, "reference only:");
  for (size_t j = 0; j < ours.size(); ++j)
    if (!ours_used[j]) account(ours[j], ref, a.other_plus_one, "ours only:");
  return c;
}

} // namespace face_test
