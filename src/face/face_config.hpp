#pragma once
// A face export's metadata: the JSON config.txt tools/faces/export_faces.py writes into the archive (task, layout,
// input size, channel order, letterbox fill, RetinaFace's anchors). See docs/face.md.
#include <cstdint>
#include <string>
#include <vector>

#include "trackkit/face_detector.hpp"

namespace trackkit::detail {

struct FaceConfig {
  FaceLayout layout = FaceLayout::YoloV5Face;
  int64_t input_height = 640, input_width = 640;
  int64_t stride = 32;
  bool model_bgr = false;         ///< the model takes BGR (RetinaFace) rather than RGB
  std::vector<int64_t> pad_value; ///< letterbox fill in uint8 levels, in the model's channel order (1 or 3)
  RetinaFacePriorOptions priors;  ///< RetinaFace only
};

/// Parses config.txt; keys a layout does not need may be absent (its defaults apply). Throws Error(Model) naming
/// model_path for text that is absent, unreadable, of another task (a YOLO object detector) or of an unknown layout.
FaceConfig read_face_config(const std::string& json, const std::string& model_path);

} // namespace trackkit::detail
