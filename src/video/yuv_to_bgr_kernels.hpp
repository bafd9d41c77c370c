#pragma once
// The two implementations of the YUV -> BGR conversion (yuv_to_bgr_formula.hpp): threaded CPU and CUDA. Both
// write H rows of W * 3 bytes, row j at out + j * out_row_bytes.
#include <cstdint>

#include "yuv_to_bgr_formula.hpp"

namespace trackkit::detail::video {

void yuv_to_bgr_cpu(const YuvPlanes& planes, const YuvCoefficients& c, bool rgb, uint8_t* out, int64_t out_row_bytes);
#ifdef TRACKKIT_WITH_CUDA
/// Launches on `stream` (a cudaStream_t); the planes and out are device memory of the current device.
void yuv_to_bgr_cuda(const YuvPlanes& planes, const YuvCoefficients& c, bool rgb, uint8_t* out, int64_t out_row_bytes,
                     void* stream);
#endif

} // namespace trackkit::detail::video
