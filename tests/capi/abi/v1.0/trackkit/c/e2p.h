/* trackkit C ABI: EquirectToPinhole, equirectangular 360° frames -> pinhole views (docs/e2p.md).
 * Included by trackkit/trackkit.h. */
#ifndef TRACKKIT_C_E2P_H
#define TRACKKIT_C_E2P_H

#include "trackkit/c/core.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum tk_e2p_interpolation { TK_E2P_NEAREST = 0, TK_E2P_BILINEAR = 1, TK_E2P_BICUBIC = 2 } tk_e2p_interpolation;
typedef enum tk_e2p_layout { TK_E2P_NHWC = 0, TK_E2P_NCHW = 1 } tk_e2p_layout;

/** One camera (trackkit::PinholeView): degrees; yaw right, pitch up, roll clockwise positive; fields of view span
 *  pixel edges; fx / fy (pixels) > 0 replace hfov / vfov; vfov 0: square pixels. In an array of views, the
 *  elements lie views[0].struct_size bytes apart (initialise each with tk_e2p_view_init). */
typedef struct tk_e2p_view {
  size_t struct_size; /**< set by tk_e2p_view_init */
  double yaw, pitch, roll;
  int64_t width, height; /**< 1920 x 1080 */
  double hfov;           /**< 90 */
  double vfov;           /**< 0 */
  double fx, fy;         /**< 0 */
} tk_e2p_view;
TK_API tk_status tk_e2p_view_init(tk_e2p_view* view, size_t struct_size);
/** n views around the horizon (yaw = first_yaw + i * 360 / n) into views[0..n-1] (the caller's array of n,
 *  initialised with tk_e2p_view_init). */
TK_API tk_status tk_e2p_horizon_views(int32_t n, int64_t width, int64_t height, double hfov, double pitch,
                                      double first_yaw, tk_e2p_view* views);
/** The 6 cube faces of size x size into views[0..5] (initialised): front, right, back, left, up, down. */
TK_API tk_status tk_e2p_cube_views(int64_t size, tk_e2p_view* views);

typedef struct tk_e2p_config {
  size_t struct_size;             /**< set by tk_e2p_config_init */
  int32_t interpolation;          /**< tk_e2p_interpolation; TK_E2P_BILINEAR */
  int32_t layout;                 /**< tk_e2p_layout of frames and views; TK_E2P_NHWC */
  int32_t cuda_pixels_per_thread; /**< 4 (1, 2 or 4: tuning of the uint8 3-channel bilinear kernel without tiles) */
  int32_t cuda_wide_loads;        /**< 1 */
  int32_t cuda_tiles;             /**< 1: the uint8 3-channel bilinear kernel by 64 x 64 tiles (E2POptions) */
  int32_t reserved;               /**< 0 */
} tk_e2p_config;
TK_API tk_status tk_e2p_config_init(tk_e2p_config* config, size_t struct_size);

/** A projection onto a fixed set of views of one size. Not thread-safe: one thread at a time per handle. */
typedef struct tk_e2p tk_e2p;
TK_API tk_status tk_e2p_create(const tk_e2p_config* config, const tk_e2p_view* views, size_t count, tk_e2p** e2p);
TK_API void tk_e2p_destroy(tk_e2p* e2p);
/** The cudaStream_t later calls on CUDA frames run on; NULL (the default): the current stream. */
TK_API tk_status tk_e2p_set_cuda_stream(tk_e2p* e2p, void* cuda_stream);
/** frames: [B,H,W,C] (NHWC) or [B,C,H,W] (NCHW), uint8 / float16 / float32, CPU or CUDA. *views: [B,V,h,w,C] or
 *  [B,V,C,h,w], same dtype and device. */
TK_API tk_status tk_e2p_project(const tk_e2p* e2p, const DLTensor* frames, DLManagedTensorVersioned** views);
/** As tk_e2p_project into the caller's memory: out has the shape and dtype tk_e2p_project returns, row-major
 *  compact, on the frames' device (no allocation: for a ring of preallocated buffers). */
TK_API tk_status tk_e2p_project_into(const tk_e2p* e2p, const DLTensor* frames, const DLTensor* out);
/** Frames of height x width x channels of dtype one tk_e2p_project call can take on device, from free memory
 *  (fraction, in (0,1], of it; 0 means 0.5); at least 1; 1 << 20 on the CPU. */
TK_API tk_status tk_e2p_batch_capacity(const tk_e2p* e2p, int64_t height, int64_t width, int64_t channels,
                                       DLDataType dtype, DLDevice device, double fraction, int64_t* capacity);
/** float32 [V,h,w,2] (x, y): where each view pixel samples an height x width equirect (continuous pixel
 *  coordinates), on the CPU. */
TK_API tk_status tk_e2p_source_coordinates(const tk_e2p* e2p, int64_t height, int64_t width,
                                           DLManagedTensorVersioned** coordinates);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* TRACKKIT_C_E2P_H */
