#include "yolo_model.hpp"

#include <opencv2/core.hpp>

#include <string>

#include "runtime/json_literals.hpp"
#include "trackkit/error.hpp"

namespace trackkit::detail {

namespace {

/// The metadata keys both exporters write (ultralytics: imgsz, stride, names; yolov5: shape, stride, names)
/// plus our "layout". Unknown keys are ignored; unreadable metadata is treated as absent.
YoloMetadata parse_metadata(const std::string& json) {
  YoloMetadata m;
  if (json.empty()) return m;
  try {
    const cv::FileStorage fs(json_without_literals(json),
                             cv::FileStorage::READ | cv::FileStorage::MEMORY | cv::FileStorage::FORMAT_JSON);
    if (fs["stride"].isInt() || fs["stride"].isReal())
      m.stride = static_cast<int64_t>(static_cast<double>(fs["stride"]));
    const cv::FileNode imgsz = fs["imgsz"], shape = fs["shape"];
    if (imgsz.isSeq() && imgsz.size() == 2) {
      m.input_height = static_cast<int>(imgsz[0]), m.input_width = static_cast<int>(imgsz[1]);
    } else if (shape.isSeq() && shape.size() == 4) { // yolov5: [B,3,H,W]
      m.input_height = static_cast<int>(shape[2]), m.input_width = static_cast<int>(shape[3]);
    }
    const cv::FileNode names = fs["names"];
    if (names.isSeq()) {
      for (const auto& n : names) m.names.push_back(static_cast<std::string>(n));
    } else if (names.isMap()) { // {"0": "person", ...}
      for (const auto& n : names) {
        const size_t index = std::stoul(n.name());
        if (m.names.size() <= index) m.names.resize(index + 1);
        m.names[index] = static_cast<std::string>(n);
      }
    }
    if (fs["layout"].isString())
      m.layout = static_cast<std::string>(fs["layout"]);
    else if (fs["end2end"].isInt() && static_cast<int>(fs["end2end"]) == 1)
      m.layout = "end2end";
  } catch (const std::exception&) {
    return YoloMetadata{};
  }
  return m;
}

} // namespace

YoloModel::YoloModel(const std::string& model_path, c10::Device device, Precision precision)
    : model_("Detector", "model_path", model_path, device, precision, {"config.txt"}),
      metadata_(parse_metadata(model_.extra_file("config.txt"))) {}

at::Tensor YoloModel::forward(const at::Tensor& input) { return model_.run({input}).front(); }

} // namespace trackkit::detail
