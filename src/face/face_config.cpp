#include "face_config.hpp"

#include <opencv2/core.hpp>

#include <string>

#include "runtime/json_literals.hpp"
#include "trackkit/error.hpp"

namespace trackkit::detail {
namespace {

[[noreturn]] void refuse(const std::string& model_path, const std::string& why) {
  throw Error(ErrorCode::Model, "FaceDetector: model_path \"" + model_path + "\" " + why);
}

std::vector<int64_t> integers(const cv::FileNode& node) {
  std::vector<int64_t> out;
  if (node.isInt() || node.isReal()) out.push_back(static_cast<int64_t>(static_cast<double>(node)));
  if (node.isSeq())
    for (const auto& n : node) out.push_back(static_cast<int64_t>(static_cast<double>(n)));
  return out;
}

/// RetinaFace's min_sizes / steps / variance / clip, each where given.
void read_priors(const cv::FileStorage& fs, RetinaFacePriorOptions& p) {
  if (fs["min_sizes"].isSeq()) {
    p.min_sizes.clear();
    for (const auto& level : fs["min_sizes"]) p.min_sizes.push_back(integers(level));
  }
  if (fs["steps"].isSeq()) p.steps = integers(fs["steps"]);
  if (fs["variance"].isSeq() && fs["variance"].size() == 2)
    p.variance = {static_cast<double>(fs["variance"][0]), static_cast<double>(fs["variance"][1])};
  if (fs["clip"].isInt()) p.clip = static_cast<int>(fs["clip"]) != 0;
}

void check(const FaceConfig& c, const std::string& model_path) {
  if (c.input_height <= 0 || c.input_width <= 0 || c.stride <= 0)
    refuse(model_path, "has a config.txt with a non-positive imgsz or stride");
  if (c.pad_value.size() != 1 && c.pad_value.size() != 3)
    refuse(model_path, "has a config.txt whose pad_value is neither one value nor three");
  for (int64_t v : c.pad_value)
    if (v < 0 || v > 255) refuse(model_path, "has a config.txt whose pad_value is outside [0,255]");
  if (c.layout != FaceLayout::RetinaFace) return;
  const RetinaFacePriorOptions& p = c.priors;
  if (p.steps.empty() || p.steps.size() != p.min_sizes.size())
    refuse(model_path, "has a config.txt whose min_sizes and steps are empty or of different lengths");
}

} // namespace

FaceConfig read_face_config(const std::string& json, const std::string& model_path) {
  if (json.empty()) refuse(model_path, "has no config.txt: not a face export (tools/faces/export_faces.py writes one)");
  cv::FileStorage fs;
  try {
    fs.open(json_without_literals(json),
            cv::FileStorage::READ | cv::FileStorage::MEMORY | cv::FileStorage::FORMAT_JSON);
  } catch (const std::exception&) {
    refuse(model_path, "has a config.txt that is not readable JSON");
  }
  const std::string task = fs["task"].isString() ? static_cast<std::string>(fs["task"]) : "";
  if (task != "face") {
    const std::string what = task.empty() ? "no \"task\"" : "\"task\": \"" + task + "\"";
    refuse(model_path, "is not a face detector: its config.txt has " + what + ", not \"task\": \"face\"" +
                           (fs["names"].empty() ? "" : " (an object detector? use trackkit::Detector)"));
  }
  FaceConfig c;
  const std::string layout = fs["layout"].isString() ? static_cast<std::string>(fs["layout"]) : "";
  if (layout == "yolov5_face") {
    c.layout = FaceLayout::YoloV5Face, c.model_bgr = false, c.pad_value = {114};
  } else if (layout == "retinaface") {
    c.layout = FaceLayout::RetinaFace, c.model_bgr = true, c.pad_value = {104, 117, 123};
  } else {
    refuse(model_path, "has config.txt layout \"" + layout + "\": known layouts are yolov5_face and retinaface");
  }
  const std::vector<int64_t> imgsz = integers(fs["imgsz"]);
  if (imgsz.size() == 2) c.input_height = imgsz[0], c.input_width = imgsz[1];
  if (imgsz.size() == 1) c.input_height = c.input_width = imgsz[0];
  if (fs["stride"].isInt() || fs["stride"].isReal()) c.stride = integers(fs["stride"]).front();
  if (fs["input_bgr"].isInt()) c.model_bgr = static_cast<int>(fs["input_bgr"]) != 0;
  if (!fs["pad_value"].empty()) c.pad_value = integers(fs["pad_value"]);
  if (c.layout == FaceLayout::RetinaFace) read_priors(fs, c.priors);
  check(c, model_path);
  return c;
}

} // namespace trackkit::detail
