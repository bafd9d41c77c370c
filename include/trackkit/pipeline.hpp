#pragma once
// The main job as a library piece: detection -> camera-motion compensation -> tracking over one video stream,
// fed batches of frames (docs/track_video.md). On a GPU the next batch is detected while the host estimates
// camera motion and tracks the previous one; results come out in frame order.
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "trackkit/detector.hpp"
#include "trackkit/export.hpp"
#include "trackkit/gmc.hpp"
#include "trackkit/tracker.hpp"

namespace trackkit {

struct TRACKKIT_API PipelineOptions {
  std::string model_path; ///< TorchScript YOLO export (required)
  /// Detector settings. The pipeline's default confidence is 0.1 (not the detector's 0.25) so that the tracker's
  /// second association sees the low-score boxes it is built for.
  DetectorOptions detector;
  /// Camera-motion compensation; method None turns it off. Homographies are not taken (the tracker warps by 2x3).
  GmcOptions gmc;
  /// ultralytics' BoT-SORT settings (scores of COCO YOLO models, tracks warped by the GMC result).
  TrackerOptions tracker = TrackerOptions::ultralytics_botsort();
  PipelineOptions();
};

/// One frame's outcome.
struct FrameTracks {
  int64_t frame = 0;     ///< 0-based index in the stream (since construction or reset)
  TrackerOutput tracks;  ///< the tracker's output for this frame
  at::Tensor detections; ///< CPU float32 [N,6] x1,y1,x2,y2,score,class (tracks' det_index points here)
  at::Tensor warp;       ///< CPU float64 [2,3] previous -> this frame (identity without GMC or when it failed)
  GmcStatus gmc_status = GmcStatus::FirstFrame;
  at::Tensor image; ///< the frame, uint8 [H,W,3] (a view of the batch given to push)
};

/// Seconds spent per stage since construction or reset_times(); GPU stages are measured on the GPU.
struct PipelineTimes {
  int64_t frames = 0;
  double upload = 0; ///< frames to the GPU (GPU time)
  double detect = 0; ///< letterbox + model + NMS (GPU time on CUDA, wall time on the CPU)
  double wait = 0;   ///< host time blocked waiting for detections
  double gmc = 0;    ///< camera-motion estimation (wall, all host threads together)
  double track = 0;  ///< tracker updates (wall)
  double total = 0;  ///< wall time inside push / finish
};

class TRACKKIT_API TrackingPipeline {
 public:
  /// Loads the detector (errors name options.model_path) and checks the options.
  explicit TrackingPipeline(const PipelineOptions& options);
  ~TrackingPipeline();
  TrackingPipeline(TrackingPipeline&&) noexcept;
  TrackingPipeline& operator=(TrackingPipeline&&) noexcept;

  /// Compiles kernels and picks the detector's batch size for this frame size (see Detector::warmup).
  void warmup(int64_t frame_height, int64_t frame_width);

  /// Takes the next frames of the stream, uint8 [B,H,W,3] BGR (or RGB per options.detector.input_bgr) on the
  /// CPU (pinned memory lets the copy to the GPU overlap) or on the detector's device. Returns the frames
  /// finished by this call, in order: on a GPU the previous batch's (this batch is being detected meanwhile),
  /// on the CPU this batch's. Keeps a reference to `frames` until they are returned: do not write into it.
  std::vector<FrameTracks> push(const at::Tensor& frames);
  /// Finishes the frames still in flight.
  std::vector<FrameTracks> finish();
  /// push + finish.
  std::vector<FrameTracks> process(const at::Tensor& frames);

  /// Starts a new stream: forgets tracks (ids restart at 1), the previous frame and frames in flight.
  void reset();
  const PipelineTimes& times() const;
  void reset_times();
  /// The GPU's peak allocated bytes since construction or reset_times() (0 on the CPU).
  int64_t peak_memory_bytes() const;
  /// The detector (class names, batch size, device).
  const Detector& detector() const;
  const PipelineOptions& options() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

} // namespace trackkit
