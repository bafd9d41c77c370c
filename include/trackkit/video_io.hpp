#pragma once
// Frames in and annotated frames out for video pipelines (examples/track_video, the C ABI's tk_pipeline):
// a threaded frame reader over videos (FFmpeg on the CPU or the GPU, trackkit/video.hpp, else OpenCV's videoio),
// image folders, MOT sequence folders and raw .npy arrays, and the drawing of tracks. docs/track_video.md,
// docs/video.md.
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
  /// Who decodes: "gpu" (FFmpeg with NVDEC), "cpu" (FFmpeg's libavcodec), "opencv" (videoio, imgcodecs) or "npy".
  std::string decoder;
  std::string codec; ///< FFmpeg's codec name of a video ("h264", "hevc", ...), "" otherwise
};

struct FrameReaderOptions {
  /// Decoding threads: image folders and .npy (0: up to 8, by cores); FFmpeg's CPU decoding of a video (0:
  /// libavcodec's choice, by cores). OpenCV's videoio decodes on one thread.
  int threads = 0;
  /// Frames decoded ahead of read() (videos through FFmpeg: at most 1 GiB of them, at least 2).
  int64_t prefetch = 64;
  /// read() returns page-locked (pinned) memory when CUDA is available, so that copies to the GPU overlap.
  bool pinned = true;
  int64_t max_frames = -1; ///< stop after this many frames (-1: all)
  /// Videos: "auto" (the GPU through FFmpeg's NVDEC where this build and machine can, else the CPU), "gpu" (the
  /// GPU or an Error) or "cpu" (VideoDecoderOptions::decode). Other sources decode on the CPU whatever it says.
  std::string decode = "auto";
  bool rgb = false;    ///< frames in RGB order instead of BGR (every source)
  int cuda_device = 0; ///< the GPU decoding videos with decode "auto" / "gpu"
};

/// Reads frames sequentially (never seeks) on background threads. Frames are uint8 BGR [H,W,3] (RGB with
/// options.rgb), all of the first frame's size (a frame of another size is an error naming the frame). Not
/// thread-safe.
class TRACKKIT_API FrameReader {
 public:
  /// path: a video file or anything FFmpeg opens (rtsp://..., http(s)://..., pipe:N; needs FFmpeg, else OpenCV
  /// videoio reads files), a folder of .jpg/.jpeg/.png/.bmp images in name order or a MOT sequence folder (need
  /// OpenCV imgcodecs), or a .npy file of uint8 [N,H,W,3] (always available). A path holding "://" or starting
  /// with "pipe:" is a video and is not looked up on disk. Throws Error naming `path` (NotFound, Unsupported for a
  /// format this build cannot decode, InvalidArgument) or the option at fault.
  explicit FrameReader(const std::string& path, const FrameReaderOptions& options = {});
  ~FrameReader();
  FrameReader(FrameReader&&) noexcept;
  FrameReader& operator=(FrameReader&&) noexcept;

  /// The next up to `max_frames` frames as uint8 [b,H,W,3]; b = 0 at the end. On the CPU (info().decoder other
  /// than "gpu") the memory is reused by a later read() once no tensor refers to it any more: keep the tensor (or a
  /// view of it) alive while an asynchronous copy from it may still run. Decoding on the GPU gives CUDA tensors of
  /// options.cuda_device, allocated on the calling thread's current stream and complete on return (usable on any
  /// stream). A damaged or truncated video gives the frames before the damage, then read() throws Error naming
  /// the path and the frame index.
  at::Tensor read(int64_t max_frames);
  /// Presentation times in seconds of the frames the last read() returned: the video's timestamps (FFmpeg: pts x
  /// time base, as ffprobe's pts_time; OpenCV: CAP_PROP_POS_MSEC), index / fps for images and .npy.
  const std::vector<double>& last_timestamps() const;
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
