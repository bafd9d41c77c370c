#pragma once
// YOLO object detection from TorchScript exports: letterbox on the frames' device, batched inference in FP32 or
// FP16, decoding of the three export layouts and batched NMS. See docs/detector.md.
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "trackkit/device.hpp"
#include "trackkit/export.hpp"
#include "trackkit/letterbox.hpp"

namespace trackkit {

/// What the exported model's forward returns.
enum class YoloLayout {
  Auto,    ///< from the export's metadata ("layout"), else from the output's shape
  V8,      ///< ultralytics YOLOv8 / YOLO11 / YOLOv5u: [B, 4+nc, A], rows cx,cy,w,h then class scores
  V5,      ///< classic YOLOv5: [B, A, 5+nc], columns cx,cy,w,h, objectness, class scores (score = obj * cls)
  EndToEnd ///< NMS-free exports (YOLOv10, YOLO26): [B, K, 6] x1,y1,x2,y2,score,class, best first
};

struct DetectorOptions {
  std::string device = "auto";           ///< "auto", "cpu", "cuda", "cuda:N"
  Precision precision = Precision::FP32; ///< model precision; boxes and NMS stay FP32
  YoloLayout layout = YoloLayout::Auto;
  /// Model input size; 0: the export's metadata (imgsz / shape), else 640.
  int64_t input_height = 0, input_width = 0;
  /// Pad only up to a multiple of the stride (the references' rect / auto=True) instead of to the full size.
  bool stride_multiple = false;
  bool input_bgr = true; ///< frames are BGR (OpenCV's order); false: RGB
  /// Box mapping back to frame pixels; Auto: Uniform for V5 (yolov5's scale_boxes), PerAxis otherwise.
  enum class Scaling { Auto, PerAxis, Uniform } scaling = Scaling::Auto;
  double conf_threshold = 0.25;   ///< score > this
  double iou_threshold = 0.45;    ///< NMS IoU
  bool agnostic = false;          ///< class-agnostic NMS
  int64_t max_candidates = 30000; ///< best-scoring candidates entering NMS
  int64_t max_detections = 300;   ///< per frame
  std::vector<int64_t> classes;   ///< keep only these (empty: all)
  /// Frames per forward pass; 0: chosen from free GPU memory by warmup() (16 on CPU). On CUDA out-of-memory
  /// the batch is halved and retried, and the smaller size kept.
  int64_t batch_size = 0;
};

/// Detections of a batch in the fixed-size form: no host synchronisation is needed to produce it.
struct DetectionBatch {
  at::Tensor detections; ///< float32 [B, max_detections, 6] x1,y1,x2,y2,score,class in frame pixels; rows past
                         ///< counts[b] are zero
  at::Tensor counts;     ///< int64 [B], on the model's device
};

class TRACKKIT_API Detector {
 public:
  /// Loads a TorchScript export (ultralytics or yolov5 `export`), reading its metadata (class names, stride,
  /// input size, layout) from the archive's extra file config.txt where present. Throws Error naming
  /// `model_path` for a missing, corrupt or non-TorchScript file, or an output matching no layout (checked by
  /// one forward pass on a blank input).
  explicit Detector(const std::string& model_path, const DetectorOptions& options = {});
  ~Detector();
  Detector(Detector&&) noexcept;
  Detector& operator=(Detector&&) noexcept;

  /// frames: uint8 [B,H,W,3] (one size) on any device; moved to the model's device if needed. Returns one
  /// float32 [N_b,6] tensor per frame (x1,y1,x2,y2,score,class, frame pixels, best first) on the model's device.
  std::vector<at::Tensor> detect(const at::Tensor& frames);
  /// Frames of different sizes (each uint8 [H,W,3]); frames of equal size are letterboxed together.
  std::vector<at::Tensor> detect(const std::vector<at::Tensor>& frames);
  /// The fixed-size form for [B,H,W,3] frames.
  DetectionBatch detect_batch(const at::Tensor& frames);

  /// Runs the model once per configured shape so the first real call is not slow; with batch_size 0 on
  /// CUDA, measures the memory one frame needs and picks the batch size from the free memory.
  void warmup(int64_t frame_height = 1080, int64_t frame_width = 1920);

  const std::vector<std::string>& class_names() const;
  YoloLayout layout() const;
  int64_t batch_size() const;
  c10::Device device() const;
  /// Model input for a frame size (letterbox geometry), e.g. to map other coordinates.
  LetterboxGeometry geometry(int64_t frame_height, int64_t frame_width) const;
  const DetectorOptions& options() const;

  /// Time spent in the last detect call's stages, in seconds (CUDA stages synchronised only when
  /// `set_stage_timing(true)`, which costs a synchronisation per stage).
  struct StageTimes {
    double preprocess = 0, inference = 0, postprocess = 0;
  };
  void set_stage_timing(bool enabled);
  StageTimes last_stage_times() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

} // namespace trackkit
