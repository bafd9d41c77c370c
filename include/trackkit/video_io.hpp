#pragma once
// Frames in and annotated frames out for video pipelines (examples/track_video, the C ABI's tk_pipeline):
// a threaded frame reader over videos, image folders, MOT sequence folders and raw .npy arrays, and the
// drawing of tracks. docs/track_video.md.
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "trackkit/export.hpp"

namespace trackkit {

/// What a FrameReader reads.
struct FrameSourceInfo {
  std::string kind;    ///< "video", "images", "mot" (a MOT sequence folder: img1/ + seqinfo.ini) or "npy"
  std::string name;    ///< file or folder name without extension (the MOT sequence's name for "mot")
  int64_t frames = -1; ///< frame count, -1 when the container does not say
  double fps = 30;     ///< frame rate (images: 30 unless seqinfo.ini says otherwise)
  int64_t width = 0, height = 0;
};

struct FrameReaderOptions {
  /// Decoding threads for image folders and .npy (a video decodes on one thread); 0: up to 8, by cores.
  int threads = 0;
  int64_t prefetch = 64; ///< frames decoded ahead of read()
  /// read() returns page-locked (pinned) memory when CUDA is available, so that copies to the GPU overlap.
  bool pinned = true;
  int64_t max_frames = -1; ///< stop after this many frames (-1: all)
};

/// Reads frames sequentially (never seeks) on background threads. Frames are uint8 BGR [H,W,3], all of the
/// first frame's size (a frame of another size is an error naming the frame). Not thread-safe.
class TRACKKIT_API FrameReader {
 public:
  /// path: a video file (needs OpenCV videoio), a folder of .jpg/.jpeg/.png/.bmp images in name order or a
  /// MOT sequence folder (need OpenCV imgcodecs), or a .npy file of uint8 [N,H,W,3] (always available).
  /// Throws Error naming `path` (NotFound, Unsupported for a format this build cannot decode, InvalidArgument).
  explicit FrameReader(const std::string& path, const FrameReaderOptions& options = {});
  ~FrameReader();
  FrameReader(FrameReader&&) noexcept;
  FrameReader& operator=(FrameReader&&) noexcept;

  /// The next up to `max_frames` frames as uint8 [b,H,W,3] on the CPU; b = 0 at the end. The memory is reused by
  /// a later read() once no tensor refers to it any more: keep the tensor (or a view of it) alive while an
  /// asynchronous copy from it may still run.
  at::Tensor read(int64_t max_frames);
  const FrameSourceInfo& info() const;
  int64_t frames_read() const;
  /// Seconds the decoding threads were busy (summed over threads).
  double decode_seconds() const;
  /// Whether this build can read a source kind: "video", "images", "mot", "npy".
  static bool can_read(const std::string& kind);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Writes a uint8 [N,H,W,3] array as a .npy file (the format FrameReader reads without codecs).
TRACKKIT_API void write_npy_frames(const std::string& path, const at::Tensor& frames);

/// Draws tracks onto a BGR frame (uint8 [H,W,3] CPU, contiguous, changed in place): a box and "id class score"
/// label per track in a colour fixed by its id, and each id's trail (the bottom centres of its last boxes).
class TRACKKIT_API TrackPainter {
 public:
  explicit TrackPainter(int trail_length = 30);
  ~TrackPainter();
  TrackPainter(TrackPainter&&) noexcept;
  TrackPainter& operator=(TrackPainter&&) noexcept;
  /// boxes float [M,4] x1,y1,x2,y2; ids int64 [M]; scores and classes optional ([M], any number type);
  /// class_names label classes where given. Call once per frame in frame order (trails advance).
  void draw(at::Tensor& frame, const at::Tensor& boxes, const at::Tensor& ids, const at::Tensor& scores = {},
            const at::Tensor& classes = {}, const std::vector<std::string>& class_names = {});

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

} // namespace trackkit
