#pragma once
// split360's three overlapped stages (split360_pipeline.cpp): decode -> project -> encode.
#include <c10/core/Device.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "split360_io.hpp"
#include "trackkit/e2p.hpp"

namespace split360 {

/// The frames: image files of a folder (sorted by name; .jpg, .jpeg, .png) or one video file.
class Source {
 public:
  /// limit >= 0 keeps the first `limit` frames.
  Source(const std::string& input, int64_t limit);
  ~Source();
  ImageSize size() const { return size_; }
  int64_t count() const { return count_; }
  bool is_video() const { return video_ != nullptr; }
  /// Output name stem of frame i ("<file stem>" or "frame_000123").
  std::string stem(int64_t i) const;
  /// Image files: frame i (any thread). Video: the next frame (one thread, in order).
  void read(int64_t i, uint8_t* dst);

 private:
  std::vector<std::string> files_;
  std::unique_ptr<VideoReader> video_;
  ImageSize size_;
  int64_t count_ = 0;
};

struct PipelineOptions {
  c10::Device device = c10::Device(c10::kCPU);
  int64_t batch = 8; ///< frames a batch; may halve on out-of-memory
  int threads = 4;   ///< decoder / encoder threads
  int quality = 90;  ///< JPEG quality
};

struct PipelineStats {
  int64_t frames = 0, views_written = 0, final_batch = 0;
  double projection_seconds = 0; ///< upload + projection + download, summed over batches
};

/// Decodes, projects and writes every frame: OUTDIR/<stem>_<view>.jpg. Progress on stderr.
PipelineStats run_pipeline(Source& source, const trackkit::EquirectToPinhole& e2p, const std::string& outdir,
                           const PipelineOptions& options);

} // namespace split360
