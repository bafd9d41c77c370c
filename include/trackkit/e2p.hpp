#pragma once
// EquirectToPinhole: perspective (pinhole) views cut out of equirectangular 360° frames, batched over frames and
// cameras, on the CPU or CUDA. Sampling wraps across the ±180° seam and continues through the poles.
// Conventions (axes, signs, pixel centres) and the mapping from py360convert / equilib: docs/e2p.md.
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "trackkit/export.hpp"

namespace trackkit {

enum class E2PInterpolation { Nearest, Bilinear, Bicubic };
/// Memory layout of frames and views: channels last ([B,H,W,C], what decoders give) or first ([B,C,H,W]).
enum class E2PLayout { NHWC, NCHW };

/// "nearest", "bilinear" (also "linear"), "bicubic" (also "cubic"); throws Error naming `argument`.
TRACKKIT_API E2PInterpolation parse_e2p_interpolation(const std::string& text,
                                                      const std::string& argument = "interpolation");
TRACKKIT_API const char* e2p_interpolation_name(E2PInterpolation interpolation) noexcept;

/// One pinhole camera at the sphere's centre. Camera axes are OpenCV's (x right, y down, z forward); the
/// camera is turned by yaw, then pitch, then roll (R = R_yaw * R_pitch * R_roll). Yaw 0 / pitch 0 looks at the
/// centre column of the equirect on its horizon row.
struct PinholeView {
  double yaw = 0;   ///< degrees; positive turns right, towards larger equirect columns (longitude east)
  double pitch = 0; ///< degrees; positive looks up (towards row 0)
  double roll = 0;  ///< degrees; positive turns the camera clockwise about its axis (the picture turns anticlockwise)
  int64_t width = 1920, height = 1080; ///< output size in pixels
  /// Horizontal field of view in degrees, from the left edge of the first pixel to the right edge of the last.
  double hfov = 90;
  double vfov = 0; ///< vertical field of view (edge to edge), degrees; 0: square pixels (fy = fx)
  /// Focal lengths in pixels; when > 0 they replace hfov / vfov. The principal point is the image centre
  /// (width / 2, height / 2 in continuous pixel coordinates, docs/conventions.md).
  double fx = 0, fy = 0;
};

struct E2POptions {
  E2PInterpolation interpolation = E2PInterpolation::Bilinear;
  E2PLayout layout = E2PLayout::NHWC; ///< of the frames and of the views returned
  /// CUDA tuning of the uint8 3-channel bilinear kernel (bench_e2p compares the choices). Default: tiles of
  /// 64 x 64 pixels, rays traced on a grid of nodes 8 pixels apart and the pixels between on the quadratics through
  /// them where the estimated error stays below 0.001 px (else each pixel traces its own ray: the seam, near the
  /// poles), the tile's footprint in the frame copied into shared memory where it fits (docs/e2p.md).
  bool cuda_tiles = true;
  /// Without tiles: output pixels a thread computes along a row, each tracing its ray (1, 2 or 4).
  int cuda_pixels_per_thread = 4;
  /// A row's two taps read by aligned 4-byte word loads (rows whose byte length is a multiple of 4 only; others
  /// take byte loads either way).
  bool cuda_wide_loads = true;
};

/// Projects equirectangular frames onto a fixed set of V cameras that share one output size.
/// Frames: [B,H,W,C] (NHWC) or [B,C,H,W] (NCHW), uint8, float16 or float32, on the CPU or CUDA, any strides
/// (a non-contiguous tensor is copied once); H >= 2, W >= 2 (an odd W reflects through the poles onto column
/// x + floor(W / 2)). Views: [B,V,h,w,C] or [B,V,C,h,w], same dtype and device. uint8 values are rounded to
/// nearest (ties to even); bicubic results are clamped to [0,255] for uint8.
/// CUDA: one kernel launch for all B × V images (up to 64 views a launch), rays computed on the fly (no
/// coordinate grid in memory; uint8 3-channel bilinear traces them on a node grid and interpolates between where
/// the estimated error is below 0.001 px, E2POptions::cuda_tiles), queued on the current stream. CPU: at::parallel_for
/// over rows, sampling through a per-view table of source positions computed once for each frame size and kept (the
/// "mapping cache"). Both use the same per-pixel formula (src/e2p/e2p_formula.hpp) and agree within one uint8 level.
/// Not thread-safe (the CPU table is built on first use); one object per thread.
class TRACKKIT_API EquirectToPinhole {
 public:
  explicit EquirectToPinhole(std::vector<PinholeView> views, const E2POptions& options = E2POptions());
  ~EquirectToPinhole();
  EquirectToPinhole(EquirectToPinhole&&) noexcept;
  EquirectToPinhole& operator=(EquirectToPinhole&&) noexcept;

  /// All views of every frame (see the class comment for shapes).
  at::Tensor project(const at::Tensor& frames) const;
  /// As project(), into `out` (shape and dtype as project() returns, contiguous, on the frames' device).
  void project_into(const at::Tensor& frames, at::Tensor& out) const;

  /// Where each view pixel samples the equirect: float32 [V,h,w,2] (x, y) in continuous pixel coordinates of an
  /// H x W equirect (pixel (i, j) has its centre at (i + 0.5, j + 0.5)); x in [0, W), y in [0, H]. On the CPU.
  at::Tensor source_coordinates(int64_t height, int64_t width) const;

  /// Frames one project() call can take on `device` with its views, from free memory: fraction x free bytes /
  /// (bytes of a frame + of its V views), at least 1. CPU devices: 1 << 20 (no limit).
  int64_t batch_capacity(int64_t height, int64_t width, int64_t channels, c10::ScalarType dtype, c10::Device device,
                         double fraction = 0.5) const;
  /// project() over frames' first dimension in chunks of at most `batch`; on CUDA out-of-memory the chunk is
  /// retried at half the size and `batch` keeps the smaller size. consume(first_frame, views_of_chunk).
  void project_batches(const at::Tensor& frames, int64_t& batch,
                       const std::function<void(int64_t, const at::Tensor&)>& consume) const;

  const std::vector<PinholeView>& views() const;
  const E2POptions& options() const;

  /// n views around the horizon: yaw = first_yaw + i * 360 / n, all at `pitch`.
  static std::vector<PinholeView> horizon(int n, int64_t width, int64_t height, double hfov, double pitch = 0,
                                          double first_yaw = 0);
  /// The 6 cube faces (90° square views of size x size) in py360convert's order: front (yaw 0), right (90),
  /// back (180), left (-90), up (pitch 90), down (pitch -90). The up face has the front at its bottom edge, the
  /// down face at its top edge.
  static std::vector<PinholeView> cube_faces(int64_t size);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

} // namespace trackkit
