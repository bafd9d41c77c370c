// EquirectToPinhole, uint8 [.,3] bilinear, by tiles: a block of 256 threads makes a 64 x 64 pixel tile of one view.
// 1. Rays are traced only at a grid of 9 x 9 nodes 8 pixels apart; the quadratics through them (tensor product)
//    give every other position where their estimated error stays below 0.001 px (else, at the seam and near a pole,
//    each pixel traces its own ray).
// 2. The tile's footprint in the frame (a box of at most 104 rows of 384 bytes) is copied into shared memory by
//    16-byte asynchronous copies, so the taps become shared-memory loads, which a warp serves in one pass whatever
//    rows its pixels fall on while they span at most 128 bytes of a row (rows are 3 x 128 bytes apart: banks follow
//    the column alone). Tiles whose footprint does not fit, or lies near the frame's edges, read global memory.
// 3. Each lane walks one output column down 16 rows (neighbouring lanes on neighbouring pixels), its position 4 FMAs
//    a row, in fixed point (1/32768 px), and interpolates with integer dot products (DP2A); bytes go straight out.
// Ncu on an H100 (8K, 8 frames x 8 views): 320 M warp instructions, L1 67 %, L2 87 %, issue 76 % (the 128 x 16 tiled
// kernel it replaced: 472 M, L1 81 %, bound by shared-memory span loads and global gathers over several cache lines).
#include <cuda_runtime.h>

#include <cstdint>
#include <mutex>
#include <vector>

#include "core/cuda_check.hpp"
#include "e2p_launch.cuh"

namespace trackkit::detail::e2p {
namespace {

constexpr int kTileWidth = 64, kTileHeight = 64, kThreads = 256;
constexpr int kNodeStep = 8;                         // pixels between traced rays, in x and in y
constexpr int kNodesX = kTileWidth / kNodeStep + 1;  // 9
constexpr int kNodesY = kTileHeight / kNodeStep + 1; // 9
constexpr int kSpans = kTileWidth / (2 * kNodeStep); // 4 quadratics of 16 px along a node row (and a node column)
constexpr int kWalkRows = 2 * kNodeStep;             // rows a lane walks: one quadratic down the tile
constexpr int kPitch = 384, kMaxRows = 104;          // the staged footprint: up to 104 rows of 384 bytes
/// Quadratics are used where the estimated error of three nodes' quadratic stays below kMaxError px in x plus y:
/// max |t (t-1) (t-2) / 6| = 0.064 on [0, 2] times the third difference of four nodes. Smooth views at 8K estimate
/// ~1e-4 px; near a pole the estimate grows and pixels trace their rays.
constexpr float kMaxError = 0.001f, kErrorPerThirdDifference = 0.064f;
/// A second difference above this (px) is a jump, not a bend: the seam lies between the nodes.
constexpr float kMaxBend = 2.f;
/// Footprints are staged only where all nodes lie this far (px) inside the frame: the box (nodes' extent plus 2 px
/// for the bend between nodes and the second tap) then never needs the seam or pole rules.
constexpr int kInside = 4, kBoxMargin = 2;
/// Fixed point: 384 + p, for local positions |p| < 128, has a float ulp of 2^-15 px, so its bits hold p in 1/32768 px
/// above 0x43C00000, whose bits >> 15 are kFixedBase.
constexpr float kFixedOffset = 384.f;
constexpr uint32_t kFixedBase = 0x8780u;

enum Mode : int32_t { kStaged = 0, kGlobal = 1, kTraced = 2 };

// Asynchronous copies and warp reductions need sm_80; older targets (the sm_75 PTX) read every tap from global memory.
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ < 800
constexpr bool kCanStage = false;
#else
constexpr bool kCanStage = true;
#endif

__device__ __forceinline__ int32_t warp_min(int32_t v) {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 800
  return __reduce_min_sync(0xffffffffu, v);
#else
  for (int o = 16; o > 0; o >>= 1) v = min(v, __shfl_xor_sync(0xffffffffu, v, o));
  return v;
#endif
}

__device__ __forceinline__ int32_t warp_max(int32_t v) { return -warp_min(-v); }

struct Tile {
  float2 nodes[kNodesY][kNodesX]; // source positions (index coordinates) of the traced rays
  int32_t mode, row_lo, byte_lo, x_origin, rows, chunks;
  alignas(16) uint8_t box[kMaxRows * kPitch + 16]; // + a word pair read past a row's end, never used
};

__device__ __forceinline__ float third_difference(float a, float b, float c, float d) {
  return (d - a) - 3.f * (c - b);
}

/// Whether check c of the tile's quadratics is smooth: c < 4 * 9 walks node rows (4 spans each), the rest node
/// columns. A span's error comes from its three nodes and the fourth after (before, for the last span).
__device__ bool quadratic_smooth(const Tile& tile, int c) {
  const bool along_x = c < kSpans * kNodesY;
  const int line = (along_x ? c : c - kSpans * kNodesY) / kSpans, span = c % kSpans;
  const int first = span + 1 < kSpans ? 2 * span : 2 * span - 1;
  float2 n[4];
#pragma unroll
  for (int k = 0; k < 4; ++k) n[k] = along_x ? tile.nodes[line][first + k] : tile.nodes[first + k][line];
  const bool shifted = first != 2 * span;
  const float2 a = shifted ? n[1] : n[0], m = shifted ? n[2] : n[1], z = shifted ? n[3] : n[2];
  const float bend = fabsf((z.x - m.x) - (m.x - a.x)) + fabsf((z.y - m.y) - (m.y - a.y));
  const float error =
      fabsf(third_difference(n[0].x, n[1].x, n[2].x, n[3].x)) + fabsf(third_difference(n[0].y, n[1].y, n[2].y, n[3].y));
  return bend <= kMaxBend && kErrorPerThirdDifference * error <= kMaxError;
}

/// Warp 0: the tile's mode and footprint box from its nodes.
__device__ void plan_tile(Tile& tile, const Launch& p, bool stageable, int lane) {
  bool smooth = true;
  for (int c = lane; c < 2 * kSpans * kNodesY; c += 32) smooth = smooth && quadratic_smooth(tile, c);
  smooth = __all_sync(0xffffffffu, smooth);
  float lo_x = 1e6f, hi_x = -1e6f, lo_y = 1e6f, hi_y = -1e6f;
  for (int k = lane; k < kNodesX * kNodesY; k += 32) {
    const float2 n = tile.nodes[k / kNodesX][k % kNodesX];
    lo_x = fminf(lo_x, n.x), hi_x = fmaxf(hi_x, n.x), lo_y = fminf(lo_y, n.y), hi_y = fmaxf(hi_y, n.y);
  }
  // Clamped: node positions are finite, and far outside the frame only where the tile is not staged anyway.
  const int32_t x_lo = warp_min(static_cast<int32_t>(floorf(fmaxf(lo_x, -1e6f))));
  const int32_t x_hi = warp_max(static_cast<int32_t>(floorf(fminf(hi_x, 1e6f))));
  const int32_t y_lo = warp_min(static_cast<int32_t>(floorf(fmaxf(lo_y, -1e6f))));
  const int32_t y_hi = warp_max(static_cast<int32_t>(floorf(fminf(hi_y, 1e6f))));
  if (lane != 0) return;
  const int32_t width = p.equirect.width, height = p.equirect.height;
  const bool inside = x_lo >= kInside && x_hi <= width - 1 - kInside && y_lo >= kInside && y_hi <= height - 1 - kInside;
  const int32_t x_origin = x_lo - kBoxMargin, row_lo = y_lo - kBoxMargin;
  const int32_t byte_lo = (3 * x_origin) & ~15, byte_hi = (3 * (x_hi + kBoxMargin + 2) + 15) & ~15;
  const int32_t rows = y_hi + kBoxMargin + 1 - row_lo + 1;
  const bool fits = stageable && inside && byte_hi - byte_lo <= kPitch && rows <= kMaxRows;
  tile.mode = !smooth ? kTraced : fits ? kStaged : kGlobal;
  tile.x_origin = x_origin, tile.row_lo = row_lo, tile.byte_lo = byte_lo, tile.rows = rows;
  tile.chunks = (byte_hi - byte_lo) >> 4;
}

/// All threads: starts the copy of the footprint, a warp a row, a lane 16 bytes (cp.async, bypassing L1).
__device__ __forceinline__ void stage_footprint(Tile& tile, const uint8_t* frame, int64_t row_bytes, int lane,
                                                int warp) {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 800
  if (lane >= tile.chunks) return;
  constexpr int kWarps = kThreads / 32;
  const int rows = tile.rows;
  const int64_t step = kWarps * row_bytes; // pointers advance: no 64-bit multiply a row
  const uint8_t* src = frame + static_cast<int64_t>(tile.row_lo + warp) * row_bytes + tile.byte_lo + 16 * lane;
  uint32_t dst = static_cast<uint32_t>(__cvta_generic_to_shared(tile.box)) + warp * kPitch + 16 * lane;
#pragma unroll 4
  for (int r = warp; r < rows; r += kWarps, src += step, dst += kWarps * kPitch) {
    asm volatile("cp.async.cg.shared.global [%0], [%1], 16;\n" ::"r"(dst), "l"(src));
  }
#endif
}

__device__ __forceinline__ void wait_footprint() {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 800
  asm volatile("cp.async.wait_all;\n" ::);
#endif
}

/// Bilinear of the staged taps at fixed-point local position bits (bx, by): weights in 1/32768 from the fraction
/// bits, a row's taps (6 bytes) from three shared words and two funnel shifts, (r0 r1 g0 g1) and (b0 b1) by byte
/// permutes, each channel two DP2As (rounded by the +16384 they start from).
__device__ __forceinline__ void bilinear_staged(const uint32_t* box, uint32_t bx, uint32_t by, uint32_t bias,
                                                uint32_t* levels) {
  const uint32_t fx = bx & 0x7fffu, fy = by & 0x7fffu;
  const uint32_t at = (by >> 15) * kPitch + (bx >> 15) * 3u + bias; // byte of the top-left tap in the box
  const uint32_t w11 = (fx * fy) >> 15, w01 = fx - w11, w10 = fy - w11, w00 = 32768u - fx - w10;
  const uint32_t top_weights = __byte_perm(w00, w01, 0x5410), bottom_weights = __byte_perm(w10, w11, 0x5410);
  const uint32_t* top = box + (at >> 2);
  const uint32_t shift = 8 * (at & 3);
  const uint32_t t0 = top[0], t1 = top[1], t2 = top[2];
  const uint32_t d0 = top[kPitch / 4], d1 = top[kPitch / 4 + 1], d2 = top[kPitch / 4 + 2];
  const uint32_t ta = __funnelshift_r(t0, t1, shift), tb = __funnelshift_r(t1, t2, shift);
  const uint32_t da = __funnelshift_r(d0, d1, shift), db = __funnelshift_r(d1, d2, shift);
  const uint32_t rg_top = __byte_perm(ta, tb, 0x4130), b_top = __byte_perm(ta, tb, 0x0052);
  const uint32_t rg_bottom = __byte_perm(da, db, 0x4130), b_bottom = __byte_perm(da, db, 0x0052);
  levels[0] = __dp2a_lo(top_weights, rg_top, __dp2a_lo(bottom_weights, rg_bottom, 16384u)) >> 15;
  levels[1] = __dp2a_hi(top_weights, rg_top, __dp2a_hi(bottom_weights, rg_bottom, 16384u)) >> 15;
  levels[2] = __dp2a_lo(top_weights, b_top, __dp2a_lo(bottom_weights, b_bottom, 16384u)) >> 15;
}

/// A lane's column position down its walk: a + r b + r^2 c at row r (x and y).
struct ColumnWalk {
  float a[2], b[2], c[2];
};

/// The lane's rows: staged taps, or global taps at the quadratic's positions, or each pixel's own ray.
template <int M, bool Wide>
__device__ __forceinline__ void walk_column(const Tile& tile, const Launch& p, const ViewRays& rays,
                                            const uint8_t* frame, uint8_t* image, int32_t i, int32_t j0, int rows,
                                            const ColumnWalk& w) {
  const uint32_t* box = reinterpret_cast<const uint32_t*>(tile.box);
  // Box byte of tap (x, y): (y - row_lo) * pitch + 3 (x - x_origin) + (3 x_origin - byte_lo); bits >> 15 add
  // kFixedBase.
  const uint32_t bias = static_cast<uint32_t>(3 * tile.x_origin - tile.byte_lo) - kFixedBase * (kPitch + 3u);
  uint32_t offset = static_cast<uint32_t>(j0 * p.out_row + 3 * i);
  float r = 0.f;
#pragma unroll 4
  for (int row = 0; row < rows; ++row, r += 1.f) {
    const float r2 = r * r;
    float sx = fmaf(r2, w.c[0], fmaf(r, w.b[0], w.a[0])), sy = fmaf(r2, w.c[1], fmaf(r, w.b[1], w.a[1]));
    uint32_t levels[3];
    if (M == kStaged) {
      bilinear_staged(box, __float_as_uint(sx), __float_as_uint(sy), bias, levels);
    } else {
      if (M == kTraced) {
        source_position(rays, row_ray(rays, static_cast<float>(j0 + row)), p.equirect, static_cast<float>(i), sx, sy);
      }
      bilinear_u8c3<Wide>(frame, p, sx, sy, levels);
    }
    uint8_t* px = image + offset;
    px[0] = static_cast<uint8_t>(levels[0]), px[1] = static_cast<uint8_t>(levels[1]);
    px[2] = static_cast<uint8_t>(levels[2]);
    offset += static_cast<uint32_t>(p.out_row);
  }
}

// Five blocks a multiprocessor (41 KB of shared memory each; 48 registers, no spills).
template <bool Wide>
__global__ void __launch_bounds__(kThreads, 5)
    e2p_u8c3_tiled_kernel(const uint8_t* __restrict__ in, uint8_t* __restrict__ out, const __grid_constant__ Launch p) {
  __shared__ Tile tile;
  const int tid = threadIdx.x, lane = tid & 31, warp = tid >> 5;
  const int32_t x_first = blockIdx.x * kTileWidth, y_first = blockIdx.y * kTileHeight;
  const int32_t b = blockIdx.z / p.views, v = blockIdx.z - b * p.views;
  const ViewRays& rays = p.rays[v];
  const uint8_t* frame = in + b * p.in_frame;

  if (tid < kNodesX * kNodesY) {
    const int nx = tid % kNodesX, ny = tid / kNodesX;
    float x, y;
    source_position(rays, row_ray(rays, static_cast<float>(y_first + ny * kNodeStep)), p.equirect,
                    static_cast<float>(x_first + nx * kNodeStep), x, y);
    tile.nodes[ny][nx] = make_float2(x, y);
  }
  __syncthreads();
  if (warp == 0) {
    // Staging copies 16-byte pieces: rows, frames and the base aligned to 16 bytes.
    const bool stageable =
        kCanStage && Wide && p.in.row % 16 == 0 && p.in_frame % 16 == 0 && (reinterpret_cast<uintptr_t>(in) & 15) == 0;
    plan_tile(tile, p, stageable, lane);
  }
  __syncthreads();
  const int32_t mode = tile.mode;
  if (mode == kStaged) stage_footprint(tile, frame, p.in.row, lane, warp);

  // While the copies fly: this lane's column (x) of its 32-pixel strip and its 16 rows, the quadratic along its node
  // rows 2q .. 2q + 2 at its x, then down: pos(u) = c0 + u d1 + u (u - 1) / 2 d2 with u = row / 8.
  const int x_in_tile = (warp & 1) * 32 + lane, q = warp >> 1, span = x_in_tile >> 4;
  const int32_t i = x_first + x_in_tile, j0 = y_first + kWalkRows * q;
  const float t = static_cast<float>(x_in_tile & 15) / kNodeStep, ct = 0.5f * t * (t - 1.f);
  float column[3][2];
#pragma unroll
  for (int k = 0; k < 3; ++k) {
    const float2 n0 = tile.nodes[2 * q + k][2 * span], n1 = tile.nodes[2 * q + k][2 * span + 1],
                 n2 = tile.nodes[2 * q + k][2 * span + 2];
    column[k][0] = fmaf(ct, (n2.x - n1.x) - (n1.x - n0.x), fmaf(t, n1.x - n0.x, n0.x));
    column[k][1] = fmaf(ct, (n2.y - n1.y) - (n1.y - n0.y), fmaf(t, n1.y - n0.y, n0.y));
  }
  // Staged positions are local to the box plus kFixedOffset (truncation is the floor); the others index coordinates.
  const float origin[2] = {mode == kStaged ? kFixedOffset - static_cast<float>(tile.x_origin) : 0.f,
                           mode == kStaged ? kFixedOffset - static_cast<float>(tile.row_lo) : 0.f};
  ColumnWalk walk;
#pragma unroll
  for (int k = 0; k < 2; ++k) {
    const float d1 = column[1][k] - column[0][k], d2 = (column[2][k] - column[1][k]) - d1;
    walk.a[k] = column[0][k] + origin[k];
    walk.b[k] = d1 / kNodeStep - d2 / (2 * kNodeStep), walk.c[k] = d2 / (2 * kNodeStep * kNodeStep);
  }
  if (mode == kStaged) {
    wait_footprint();
    __syncthreads(); // all threads: the returns below come after it
  }
  if (i >= p.out_width || j0 >= p.out_height) return;
  const int rows = min(kWalkRows, p.out_height - j0);
  uint8_t* image = out + b * p.out_frame + v * p.out_image;
  if (mode == kStaged) {
    walk_column<kStaged, Wide>(tile, p, rays, frame, image, i, j0, rows, walk);
  } else if (mode == kGlobal) {
    walk_column<kGlobal, Wide>(tile, p, rays, frame, image, i, j0, rows, walk);
  } else {
    walk_column<kTraced, Wide>(tile, p, rays, frame, image, i, j0, rows, walk);
  }
}

/// Asks, once per device, for the largest shared-memory carve-out (five tiles of 41 KB a multiprocessor); the call
/// costs tens of microseconds, so not every launch.
template <bool Wide>
void prefer_shared_memory() {
  int device = 0;
  cudaError_t status = cudaGetDevice(&device);
  if (status != cudaSuccess) throw_cuda_error(status, "EquirectToPinhole");
  static std::mutex mutex;
  static std::vector<bool> done;
  const std::lock_guard<std::mutex> lock(mutex);
  if (done.size() <= static_cast<size_t>(device)) done.resize(static_cast<size_t>(device) + 1, false);
  if (done[static_cast<size_t>(device)]) return;
  status = cudaFuncSetAttribute(e2p_u8c3_tiled_kernel<Wide>, cudaFuncAttributePreferredSharedMemoryCarveout, 100);
  if (status != cudaSuccess) throw_cuda_error(status, "EquirectToPinhole");
  done[static_cast<size_t>(device)] = true;
}

template <bool Wide>
void launch_tiles(int64_t images, cudaStream_t stream, const uint8_t* in, uint8_t* out, const Launch& launch) {
  prefer_shared_memory<Wide>();
  const dim3 grid(static_cast<unsigned>((launch.out_width + kTileWidth - 1) / kTileWidth),
                  static_cast<unsigned>((launch.out_height + kTileHeight - 1) / kTileHeight),
                  static_cast<unsigned>(images));
  e2p_u8c3_tiled_kernel<Wide><<<grid, kThreads, 0, stream>>>(in, out, launch);
}

} // namespace

void launch_u8c3_tiled(bool wide, int64_t images, cudaStream_t stream, const uint8_t* in, uint8_t* out,
                       const Launch& launch) {
  if (wide) {
    launch_tiles<true>(images, stream, in, out, launch);
  } else {
    launch_tiles<false>(images, stream, in, out, launch);
  }
}

} // namespace trackkit::detail::e2p
