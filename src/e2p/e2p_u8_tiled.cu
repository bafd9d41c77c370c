// EquirectToPinhole, uint8 [.,3] bilinear, by tiles: a block of 256 threads makes a 128 x 16 pixel tile of one view.
// Neighbouring lanes take neighbouring pixels (their taps share cache lines), rays are traced only at a grid of
// nodes 8 pixels apart and the pixels between take the quadratic through them, and the tile leaves through shared
// memory as 16-byte stores. Where the node grid bends (the seam, near a pole) pixels trace their own rays.
#include <cuda_runtime.h>

#include <cstdint>

#include "core/cuda_check.hpp"
#include "e2p/e2p_launch.cuh"

namespace trackkit::detail::e2p {
namespace {

constexpr int kTileWidth = 128, kTileHeight = 16, kThreads = 256;
constexpr int kNodeStep = 8;                         // pixels between traced rays, in x and in y
constexpr int kNodesX = kTileWidth / kNodeStep + 1;  // 17: a row of spans and the node after its end
constexpr int kNodesY = kTileHeight / kNodeStep + 2; // 4: three for the quadratic, one for its error estimate
constexpr int kSpans = kTileWidth / (2 * kNodeStep); // 8 quadratic spans of 16 pixels a row
constexpr int kRowBytes = 3 * kTileWidth;            // 384
/// Interpolated positions are used where the estimated error of the quadratic through three nodes stays below
/// kMaxError px in x plus y: max |t (t-1) (t-2) / 6| = 0.064 on [0, 2] times the third difference of four
/// nodes. Smooth views at 8K estimate ~1e-4 px; near a pole the estimate grows and pixels trace their rays.
constexpr float kMaxError = 0.001f, kErrorPerThirdDifference = 0.064f;
/// A second difference above this (px) is a jump, not a bend: the seam lies between the nodes.
constexpr float kMaxBend = 2.f;
/// Tiles whose nodes all lie this far (px) inside the frame sample without the seam and pole checks.
constexpr float kInsideMargin = 2.f;

/// A quadratic span of one row: positions x0 + t dx1 + t (t - 1) / 2 dx2 for t = (pixel - first) / kNodeStep.
struct alignas(16) Span {
  float x0, dx1, dx2, y0, dy1, dy2, smooth, pad;
};

/// A node column's positions down the tile: the quadratics through its first three nodes, and whether the fourth
/// node says their error is small.
struct alignas(16) Column {
  float x0, dx1, dx2, y0, dy1, dy2, smooth, pad;
};

struct Tile {
  Column columns[kNodesX];
  Span spans[kTileHeight][kSpans];
  alignas(16) uint8_t out[kTileHeight][kRowBytes];
};

/// Third difference of four values one step apart.
__device__ __forceinline__ float third_difference(const float (&v)[4]) { return (v[3] - v[0]) - 3.f * (v[2] - v[1]); }

/// Newton form of the quadratic through values at 0, 1, 2 steps and its value at u steps, with the third
/// difference of the four values it was estimated from (the error estimate).
struct Quadratic {
  float a, d1, d2, d3;
  __device__ Quadratic(float v0, float v1, float v2, float third)
      : a(v0), d1(v1 - v0), d2((v2 - v1) - (v1 - v0)), d3(third) {}
  __device__ float at(float u) const { return fmaf(0.5f * u * (u - 1.f), d2, fmaf(u, d1, a)); }
  __device__ bool smooth(const Quadratic& other) const {
    return fabsf(d2) + fabsf(other.d2) <= kMaxBend &&
           kErrorPerThirdDifference * (fabsf(d3) + fabsf(other.d3)) <= kMaxError;
  }
};

/// One row of a thread's pixels; Fast: the tile is smooth and inside (no checks, no branches).
template <bool Fast, bool Wide>
__device__ __forceinline__ void sample_row(const Tile& tile, const Launch& p, const ViewRays& rays,
                                           const uint8_t* frame, int r, int32_t j, int32_t x_first, int lane,
                                           uint8_t* row_out) {
  const float t = static_cast<float>(lane & 15) / kNodeStep, ct = 0.5f * t * (t - 1.f);
#pragma unroll
  for (int k = 0; k < 4; ++k) {
    const int o = lane + 32 * k;
    const float4* span = reinterpret_cast<const float4*>(&tile.spans[r][o >> 4]);
    const float4 sa = span[0], sb = span[1]; // x0 dx1 dx2 y0 | dy1 dy2 smooth pad: two 16-byte loads
    float sx = fmaf(ct, sa.z, fmaf(t, sa.y, sa.x)), sy = fmaf(ct, sb.y, fmaf(t, sb.x, sa.w));
    uint32_t levels[3];
    if (Fast) {
      bilinear_u8c3_inside(frame, static_cast<uint32_t>(p.in.row), taps_of(sx, sy), levels);
    } else {
      if (sb.z == 0.f) {
        source_position(rays, row_ray(rays, static_cast<float>(j)), p.equirect, static_cast<float>(x_first + o), sx,
                        sy);
      }
      bilinear_u8c3<Wide>(frame, p, sx, sy, levels);
    }
    uint8_t* px = row_out + 3 * o;
    px[0] = static_cast<uint8_t>(levels[0]), px[1] = static_cast<uint8_t>(levels[1]);
    px[2] = static_cast<uint8_t>(levels[2]);
  }
}

// Six blocks a multiprocessor (40 registers, no spills): more warps to hide the taps' latency.
template <bool Wide>
__global__ void __launch_bounds__(kThreads, 6)
    e2p_u8c3_tiled_kernel(const uint8_t* __restrict__ in, uint8_t* __restrict__ out, const __grid_constant__ Launch p) {
  __shared__ Tile tile;
  const int tid = threadIdx.x;
  const int32_t x_first = blockIdx.x * kTileWidth, y_first = blockIdx.y * kTileHeight;
  const int32_t b = blockIdx.z / p.views, v = blockIdx.z - b * p.views;
  const ViewRays& rays = p.rays[v];

  // 1. Trace the rays of the node grid (17 x 4 nodes, 8 px apart), a column's four nodes in four neighbouring
  //    lanes; the column's first lane fits its quadratics down the tile.
  if (tid < 96) { // warps 0-2, whole for the shuffles
    const int nx = min(tid / kNodesY, kNodesX - 1), ny = tid % kNodesY;
    const RowRay row = row_ray(rays, static_cast<float>(y_first + ny * kNodeStep));
    float x, y;
    source_position(rays, row, p.equirect, static_cast<float>(x_first + nx * kNodeStep), x, y);
    float cx[kNodesY], cy[kNodesY];
#pragma unroll
    for (int k = 0; k < kNodesY; ++k) {
      cx[k] = __shfl_down_sync(0xffffffffu, x, k), cy[k] = __shfl_down_sync(0xffffffffu, y, k);
    }
    if (ny == 0 && tid < kNodesX * kNodesY) {
      const Quadratic qx(cx[0], cx[1], cx[2], third_difference(cx)), qy(cy[0], cy[1], cy[2], third_difference(cy));
      tile.columns[nx] = Column{qx.a, qx.d1, qx.d2, qy.a, qy.d1, qy.d2, qx.smooth(qy) ? 1.f : 0.f, 0.f};
    }
  }
  __syncthreads();

  // 2. Each row's spans: four nodes of the row from the column quadratics, then the span's quadratic along the
  //    row with its error estimate. A tile whose spans are all smooth and inside the frame samples on the fast path.
  bool fast = true;
  if (tid < kTileHeight * kSpans) {
    const int r = tid / kSpans, s = tid % kSpans;
    const int first = s + 1 < kSpans ? 2 * s : 2 * s - 1; // the fourth node after the span, or before it at the end
    const float u = static_cast<float>(r) / kNodeStep, cu = 0.5f * u * (u - 1.f);
    float xs[4], ys[4];
    bool smooth = true;
#pragma unroll
    for (int k = 0; k < 4; ++k) {
      const Column& c = tile.columns[first + k];
      smooth = smooth && c.smooth != 0.f;
      xs[k] = fmaf(cu, c.dx2, fmaf(u, c.dx1, c.x0)), ys[k] = fmaf(cu, c.dy2, fmaf(u, c.dy1, c.y0));
    }
    const bool shifted = first != 2 * s; // the span's nodes: xs[0..2], or xs[1..3] for the last span
    const Quadratic qx(shifted ? xs[1] : xs[0], shifted ? xs[2] : xs[1], shifted ? xs[3] : xs[2], third_difference(xs));
    const Quadratic qy(shifted ? ys[1] : ys[0], shifted ? ys[2] : ys[1], shifted ? ys[3] : ys[2], third_difference(ys));
    smooth = smooth && qx.smooth(qy);
    Span span;
    span.x0 = qx.a, span.dx1 = qx.d1, span.dx2 = qx.d2;
    span.y0 = qy.a, span.dy1 = qy.d1, span.dy2 = qy.d2;
    span.smooth = smooth ? 1.f : 0.f, span.pad = 0.f;
    tile.spans[r][s] = span;
    const float lo_x = fminf(fminf(xs[0], xs[1]), fminf(xs[2], xs[3])),
                hi_x = fmaxf(fmaxf(xs[0], xs[1]), fmaxf(xs[2], xs[3]));
    const float lo_y = fminf(fminf(ys[0], ys[1]), fminf(ys[2], ys[3])),
                hi_y = fmaxf(fmaxf(ys[0], ys[1]), fmaxf(ys[2], ys[3]));
    fast = smooth && lo_x >= kInsideMargin && hi_x <= static_cast<float>(p.equirect.width - 1) - kInsideMargin &&
           lo_y >= kInsideMargin && hi_y <= static_cast<float>(p.equirect.height - 1) - kInsideMargin;
  }
  fast = __syncthreads_and(fast) != 0;

  // 3. Sample: warp w takes rows w and w + 8, lane l the pixels l, l + 32, l + 64, l + 96 of a row.
  const int lane = tid & 31, warp = tid >> 5;
  const uint8_t* frame = in + b * p.in_frame;
#pragma unroll
  for (int half = 0; half < 2; ++half) {
    const int r = warp + 8 * half;
    const int32_t j = y_first + r;
    if (j >= p.out_height) break;
    if (Wide && fast) {
      sample_row<true, Wide>(tile, p, rays, frame, r, j, x_first, lane, tile.out[r]);
    } else {
      sample_row<false, Wide>(tile, p, rays, frame, r, j, x_first, lane, tile.out[r]);
    }
  }
  __syncthreads();

  // 4. Store the tile: 16-byte pieces where the tile is whole and aligned, else bytes.
  uint8_t* image = out + b * p.out_frame + v * p.out_image + 3 * static_cast<int64_t>(x_first);
  const int32_t rows = min(kTileHeight, p.out_height - y_first);
  const int32_t row_bytes = 3 * min(kTileWidth, p.out_width - x_first);
  const bool vectors = row_bytes == kRowBytes && (reinterpret_cast<uintptr_t>(image) & 15) == 0 && p.out_row % 16 == 0;
  if (vectors) {
    constexpr int kPieces = kRowBytes / 16;
    for (int q = tid; q < rows * kPieces; q += kThreads) {
      const int r = q / kPieces, c = q - r * kPieces;
      *reinterpret_cast<uint4*>(image + (y_first + r) * p.out_row + 16 * c) =
          *reinterpret_cast<const uint4*>(&tile.out[r][16 * c]);
    }
  } else {
    for (int q = tid; q < rows * row_bytes; q += kThreads) {
      const int r = q / row_bytes, c = q - r * row_bytes;
      image[(y_first + r) * p.out_row + c] = tile.out[r][c];
    }
  }
}

} // namespace

void launch_u8c3_tiled(bool wide, int64_t images, cudaStream_t stream, const uint8_t* in, uint8_t* out,
                       const Launch& launch) {
  const dim3 grid(static_cast<unsigned>((launch.out_width + kTileWidth - 1) / kTileWidth),
                  static_cast<unsigned>((launch.out_height + kTileHeight - 1) / kTileHeight),
                  static_cast<unsigned>(images));
  if (wide) {
    e2p_u8c3_tiled_kernel<true><<<grid, kThreads, 0, stream>>>(in, out, launch);
  } else {
    e2p_u8c3_tiled_kernel<false><<<grid, kThreads, 0, stream>>>(in, out, launch);
  }
}

} // namespace trackkit::detail::e2p
