// TrackPainter: boxes, labels and trails drawn with OpenCV's imgproc onto BGR frames.
#include <ATen/ATen.h>
#include <opencv2/imgproc.hpp>

#include <cmath>
#include <deque>
#include <string>
#include <unordered_map>

#include "trackkit/check.hpp"
#include "trackkit/video_io.hpp"

namespace trackkit {

namespace {

/// A colour per id that neighbouring ids do not share: hues stepped by the golden angle.
cv::Scalar id_colour(int64_t id) {
  const double hue = std::fmod(static_cast<double>(id) * 137.508, 360.0) / 60.0;
  const double x = 1 - std::fabs(std::fmod(hue, 2.0) - 1);
  double r = 0, g = 0, b = 0;
  switch (static_cast<int>(hue)) {
    case 0: r = 1, g = x; break;
    case 1: r = x, g = 1; break;
    case 2: g = 1, b = x; break;
    case 3: g = x, b = 1; break;
    case 4: r = x, b = 1; break;
    default: r = 1, b = x; break;
  }
  return {55 + 200 * b, 55 + 200 * g, 55 + 200 * r};
}

} // namespace

struct TrackPainter::Impl {
  int trail_length;
  int64_t frame = 0;
  struct Trail {
    std::deque<cv::Point> points;
    int64_t last_frame = 0;
  };
  std::unordered_map<int64_t, Trail> trails;
};

TrackPainter::TrackPainter(int trail_length) : impl_(std::make_unique<Impl>()) {
  if (trail_length < 0) fail_argument("TrackPainter", "trail_length", "must not be negative");
  impl_->trail_length = trail_length;
}
TrackPainter::~TrackPainter() = default;
TrackPainter::TrackPainter(TrackPainter&&) noexcept = default;
TrackPainter& TrackPainter::operator=(TrackPainter&&) noexcept = default;

void TrackPainter::draw(at::Tensor& frame, const at::Tensor& boxes, const at::Tensor& ids, const at::Tensor& scores,
                        const at::Tensor& classes, const std::vector<std::string>& class_names) {
  static constexpr const char* fn = "TrackPainter::draw";
  TensorCheck(fn, "frame", frame).dim(3).dtype(at::kByte).device_type(c10::DeviceType::CPU).contiguous();
  if (frame.size(2) != 3) fail_argument(fn, "frame", "must have shape [H,W,3], got " + shape_string(frame.sizes()));
  TensorCheck(fn, "boxes", boxes).shape({"M", 4}).device_type(c10::DeviceType::CPU);
  TensorCheck(fn, "ids", ids).shape({boxes.size(0)}).device_type(c10::DeviceType::CPU);
  const int64_t m = boxes.size(0);
  if (scores.defined()) TensorCheck(fn, "scores", scores).shape({m}).device_type(c10::DeviceType::CPU);
  if (classes.defined()) TensorCheck(fn, "classes", classes).shape({m}).device_type(c10::DeviceType::CPU);
  cv::Mat image(static_cast<int>(frame.size(0)), static_cast<int>(frame.size(1)), CV_8UC3, frame.data_ptr<uint8_t>());
  const auto b = boxes.to(at::kDouble).contiguous();
  const auto id = ids.to(at::kLong).contiguous();
  const double* box = b.data_ptr<double>();
  const int thickness = std::max(1, static_cast<int>(std::lround(image.rows / 540.0)));
  const double font = 0.4 * thickness;
  Impl& s = *impl_;
  ++s.frame;
  for (int64_t i = 0; i < m; ++i) {
    const int64_t track = id.data_ptr<int64_t>()[i];
    const cv::Scalar colour = id_colour(track);
    const cv::Point p1(static_cast<int>(std::lround(box[4 * i])), static_cast<int>(std::lround(box[4 * i + 1])));
    const cv::Point p2(static_cast<int>(std::lround(box[4 * i + 2])), static_cast<int>(std::lround(box[4 * i + 3])));
    cv::rectangle(image, p1, p2, colour, thickness, cv::LINE_AA);
    std::string label = std::to_string(track);
    if (classes.defined()) {
      const int64_t c = classes[i].item<int64_t>();
      label += " " + (c >= 0 && c < static_cast<int64_t>(class_names.size()) ? class_names[c] : std::to_string(c));
    }
    if (scores.defined()) label += " " + std::to_string(static_cast<int>(std::lround(scores[i].item<double>() * 100)));
    int baseline = 0;
    const cv::Size size = cv::getTextSize(label, cv::FONT_HERSHEY_SIMPLEX, font, thickness, &baseline);
    const cv::Point corner(p1.x, std::max(size.height + 2, p1.y));
    cv::rectangle(image, corner + cv::Point(0, 2), corner + cv::Point(size.width + 2, -size.height - 2), colour,
                  cv::FILLED);
    cv::putText(image, label, corner + cv::Point(1, -1), cv::FONT_HERSHEY_SIMPLEX, font, cv::Scalar(0, 0, 0), thickness,
                cv::LINE_AA);
    if (s.trail_length == 0) continue;
    Impl::Trail& trail = s.trails[track];
    trail.points.emplace_back((p1.x + p2.x) / 2, p2.y);
    trail.last_frame = s.frame;
    while (static_cast<int>(trail.points.size()) > s.trail_length) trail.points.pop_front();
    const std::vector<cv::Point> line(trail.points.begin(), trail.points.end());
    cv::polylines(image, line, false, colour, thickness, cv::LINE_AA);
  }
  for (auto it = s.trails.begin(); it != s.trails.end();) // forget trails not seen for trail_length frames
    it = s.frame - it->second.last_frame > s.trail_length ? s.trails.erase(it) : std::next(it);
}

} // namespace trackkit
