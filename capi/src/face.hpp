#pragma once
// The face detector's config conversion and argument checks (face.cpp), shared with the face clusterer's wrappers
// (face_cluster.cpp).
#include <cstdint>

#include "trackkit/face_detector.hpp"
#include "trackkit/trackkit.h"

namespace trackkit::capi {

/// A caller's tk_face_detector_config as FaceDetectorOptions (struct_size and fields checked, naming `function`).
FaceDetectorOptions face_detector_options(const char* function, const tk_face_detector_config* config);

/// The frame size of a warmup call: both > 0, else InvalidArgument naming frame_height or frame_width.
void require_frame_size(const char* function, int64_t frame_height, int64_t frame_width);

} // namespace trackkit::capi
