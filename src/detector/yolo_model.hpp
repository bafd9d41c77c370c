#pragma once
// A YOLO TorchScript export: loading, its metadata (the archive's config.txt, as ultralytics and yolov5 write
// it), precision, and forward, on the shared ScriptModel (src/runtime/include/runtime/script_model.hpp).
#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include <memory>
#include <string>
#include <vector>

#include "runtime/script_model.hpp"
#include "trackkit/device.hpp"

namespace trackkit::detail {

struct YoloMetadata {
  std::vector<std::string> names; // class names by index (empty if the export has none)
  int64_t stride = 32;
  int64_t input_height = 0, input_width = 0; // 0: not given
  std::string layout;                        // "v8", "yolov5", "end2end" or "" (not given)
};

class YoloModel {
 public:
  /// Throws Error naming model_path: NotFound for a missing file, Model for anything that does not load as
  /// TorchScript.
  YoloModel(const std::string& model_path, c10::Device device, Precision precision);

  /// input [B,3,H,W] in the model's dtype on its device -> the raw output (the first tensor of a tuple/list).
  at::Tensor forward(const at::Tensor& input);
  const YoloMetadata& metadata() const { return metadata_; }
  const std::string& path() const { return model_.path(); }

 private:
  ScriptModel model_;
  YoloMetadata metadata_;
};

} // namespace trackkit::detail
