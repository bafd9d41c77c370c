#pragma once
// Face detection with five landmarks from TorchScript exports of yolov5-face and RetinaFace (tools/faces writes
// them): letterbox on the frames' device, batched inference in FP32 or FP16, the layouts' decoding, class-agnostic
// NMS, and boxes and landmarks back in frame pixels. See docs/face.md.
#include <ATen/core/Tensor.h>

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "trackkit/device.hpp"
#include "trackkit/export.hpp"
#include "trackkit/letterbox.hpp"

namespace trackkit {

/// What the export's forward returns; read from the "layout" of its config.txt.
enum class FaceLayout {
  YoloV5Face, ///< [B,A,16]: cx,cy,w,h, objectness, 10 landmark values, face score (score = obj * face)
  RetinaFace, ///< (loc [B,P,4], conf [B,P], landms [B,P,10]) against prior boxes, decoded with variances
};

struct FaceDetectorOptions {
  std::string device = "auto";           ///< "auto", "cpu", "cuda", "cuda:N"
  Precision precision = Precision::FP32; ///< model precision; decoding, NMS and coordinates stay FP32
  /// Faces with score > this; 0: the layout's default (yolov5_face 0.3, retinaface 0.5).
  double conf_threshold = 0;
  /// NMS suppresses IoU > this (no "+1" widths); 0: the layout's default (yolov5_face 0.5, retinaface 0.4).
  double iou_threshold = 0;
  int64_t max_candidates = 30000; ///< best-scoring candidates entering NMS
  int64_t max_detections = 300;   ///< per frame
  /// Frames per forward pass; 0: chosen from free GPU memory by warmup() (before it: 16 on CUDA, 4 on CPU). On
  /// CUDA out-of-memory the batch is halved and retried, and the smaller size kept.
  int64_t batch_size = 0;
  /// Model input size; 0: the export's metadata (imgsz). Multiples of the export's stride.
  int64_t input_height = 0, input_width = 0;
  bool input_bgr = true; ///< frames are BGR (OpenCV's order); false: RGB
};

/// The faces of one frame, best score first, in frame pixels, on the detector's device.
struct Faces {
  at::Tensor boxes;     ///< float32 [N,5] x1,y1,x2,y2,score; boxes clipped to the frame
  at::Tensor landmarks; ///< float32 [N,5,2] left eye, right eye, nose, mouth left, mouth right (not clipped)
};

class TRACKKIT_API FaceDetector {
 public:
  /// Loads a face export (TorchScript, or an AOTInductor package "*.pt2") whose config.txt says "task": "face"
  /// and names its layout. Throws Error naming `model_path`: NotFound for a missing file, Model for a corrupt
  /// file, one without face metadata (e.g. a YOLO object detector: use Detector) or whose output does not fit its
  /// layout (checked by one forward pass on a blank input); InvalidArgument naming the option for bad options.
  explicit FaceDetector(const std::string& model_path, const FaceDetectorOptions& options = {});
  ~FaceDetector();
  FaceDetector(FaceDetector&&) noexcept;
  FaceDetector& operator=(FaceDetector&&) noexcept;

  /// frames: uint8 [B,H,W,3] (one size) on any device, moved to the model's device if needed. Returns one Faces
  /// per frame (B = 0: none). One host synchronisation per forward pass (the face counts).
  std::vector<Faces> detect(const at::Tensor& frames);

  /// Runs the model once so the first real call is not slow; with batch_size 0 on CUDA, measures the memory one
  /// frame needs and picks the batch size from the free memory.
  void warmup(int64_t frame_height = 1080, int64_t frame_width = 1920);

  FaceLayout layout() const;
  int64_t batch_size() const;
  c10::Device device() const;
  /// The thresholds in use (the layout's defaults where the options said 0).
  double conf_threshold() const;
  double iou_threshold() const;
  /// Where a frame of this size lands in the model input.
  LetterboxGeometry geometry(int64_t frame_height, int64_t frame_width) const;
  const FaceDetectorOptions& options() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// "yolov5_face" / "retinaface" (the names config.txt uses).
TRACKKIT_API const char* face_layout_name(FaceLayout layout) noexcept;

// ---- Building blocks, public so that they can be checked against their formulas (tests/face) ----

/// RetinaFace's anchor settings (biubug6/Pytorch_Retinaface cfg_mnet / cfg_re50); the export's config.txt
/// carries them.
struct RetinaFacePriorOptions {
  std::vector<std::vector<int64_t>> min_sizes = {{16, 32}, {64, 128}, {256, 512}}; ///< per level
  std::vector<int64_t> steps = {8, 16, 32};                                        ///< per level, input pixels
  bool clip = false;                                                               ///< clamp priors to [0,1]
  std::array<double, 2> variance = {0.1, 0.2};                                     ///< centre, size
};

/// biubug6's PriorBox for an input of height x width: float32 [P,4] cx,cy,w,h as fractions of the input, levels in
/// order, then rows i, columns j (ceil(input / step) of each), then min sizes; computed in float64 on `device`
/// (no host loop over priors) and rounded once, as torch.Tensor(list of Python floats) does.
TRACKKIT_API at::Tensor retinaface_priors(int64_t input_height, int64_t input_width,
                                          const RetinaFacePriorOptions& options = {}, c10::Device device = c10::kCPU);

/// biubug6's decode: loc [...,P,4] against priors [P,4] -> boxes [...,P,4] x1,y1,x2,y2 as fractions of the input:
/// centre = prior_c + loc_c * v0 * prior_wh, size = prior_wh * exp(loc_wh * v1). float32, on loc's device.
TRACKKIT_API at::Tensor retinaface_decode_boxes(const at::Tensor& loc, const at::Tensor& priors,
                                                const std::array<double, 2>& variance = {0.1, 0.2});

/// biubug6's decode_landm: landms [...,P,10] -> [...,P,10] x0,y0..x4,y4 as fractions of the input:
/// point k = prior_c + landms_k * v0 * prior_wh.
TRACKKIT_API at::Tensor retinaface_decode_landmarks(const at::Tensor& landms, const at::Tensor& priors,
                                                    const std::array<double, 2>& variance = {0.1, 0.2});

} // namespace trackkit
