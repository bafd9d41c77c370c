#pragma once
// Letterboxing: uint8 frames resized (aspect kept) and padded into a detector's input, as ultralytics and
// yolov5 do it (their LetterBox / letterbox), on the frames' device in one pass. See docs/detector.md.
#include <ATen/core/Tensor.h>

#include <cstdint>

#include "trackkit/export.hpp"

namespace trackkit {

struct LetterboxOptions {
  int64_t height = 640, width = 640; ///< the model input (new_shape)
  bool stride_multiple = false;      ///< pad only up to a multiple of `stride` (the references' auto=True)
  int64_t stride = 32;
  bool scale_up = true;                ///< frames smaller than the input are enlarged
  bool input_bgr = true;               ///< frames are BGR (OpenCV); the model input is RGB either way
  int64_t pad_value = 114;             ///< grey of the border, in uint8 levels
  c10::ScalarType dtype = c10::kFloat; ///< model input dtype: float32, float16 or bfloat16, values in [0,1]
};

/// Where a frame lands in the model input.
struct LetterboxGeometry {
  int64_t input_height = 0, input_width = 0;     ///< the model input (output of letterbox())
  int64_t resized_height = 0, resized_width = 0; ///< the frame after resizing (round(side * gain))
  int64_t pad_top = 0, pad_left = 0;             ///< round(padding / 2 - 0.1), Python's round
  double gain = 1;                               ///< min(input / frame) (at most 1 without scale_up)
};

/// The references' arithmetic for a frame of height x width (Python's round-half-to-even included).
TRACKKIT_API LetterboxGeometry letterbox_geometry(int64_t height, int64_t width, const LetterboxOptions& options = {});

/// frames: uint8 [B,H,W,3] on CPU or CUDA. Returns [B,3,input_height,input_width] RGB in options.dtype, values
/// /255, on the frames' device. The resize is OpenCV's INTER_LINEAR for uint8, reproduced bit for bit
/// (half-pixel centres, 11-bit fixed-point weights, its rounding), so the model sees what cv2.resize +
/// copyMakeBorder would give it. `geometry` (optional) receives the placement.
TRACKKIT_API at::Tensor letterbox(const at::Tensor& frames, const LetterboxOptions& options = {},
                                  LetterboxGeometry* geometry = nullptr);

/// How boxes in model-input pixels return to frame pixels.
enum class BoxScaling {
  PerAxis, ///< ultralytics 8.4 scale_boxes: gains resized/frame per axis, padding round((in - resized)/2 - 0.1)
  Uniform, ///< yolov5 scale_boxes: one gain, padding (in - frame * gain) / 2 unrounded
};

/// boxes [...,4] x1,y1,x2,y2 in model-input pixels -> frame pixels, clipped to the frame (in place on a copy).
TRACKKIT_API at::Tensor unletterbox_boxes(const at::Tensor& boxes, int64_t frame_height, int64_t frame_width,
                                          const LetterboxGeometry& geometry, BoxScaling scaling);
/// Points [...,2] x,y in model-input pixels -> frame pixels: the inverse letterbox of unletterbox_boxes (same
/// gains and padding for `scaling`), not clipped, so landmarks outside the frame stay where the model put them.
TRACKKIT_API at::Tensor unletterbox_points(const at::Tensor& points, int64_t frame_height, int64_t frame_width,
                                           const LetterboxGeometry& geometry, BoxScaling scaling = BoxScaling::PerAxis);

} // namespace trackkit
