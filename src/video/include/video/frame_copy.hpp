#pragma once
// Frames between CUDA streams (VideoDecoder's and the caller's) and out of a decoder's ring of frames, for
// VideoDecoder and FrameReader (src/pipeline). Without CUDA kernels only the CPU parts exist.
#include <ATen/core/Tensor.h>

#include <cstdint>

namespace trackkit::detail::video {

/// Makes `stream` (a cudaStream_t of `device`) wait for the work queued so far on that device's current stream:
/// memory the caller's stream allocated, or still uses, is then safe to write on `stream`. Nothing when the
/// current stream is `stream`.
void stream_waits_for_current(void* stream, int device);
/// Returns once the work queued so far on `stream` is done (a recorded event, not the whole stream's future work).
void wait_for_stream(void* stream);
/// Whether `stream` is the current stream of `device`.
bool is_current_stream(void* stream, int device);

/// out[0..count) = ring[first, first + count) with the ring's first dimension wrapping around. CPU tensors are
/// copied by threads; CUDA ones on `stream` (the ring's writer, a cudaStream_t), after the current stream's work so
/// far (out was allocated there) and complete on return, so that out is usable on any stream.
void copy_ring_frames(const at::Tensor& ring, int64_t first, int64_t count, at::Tensor& out, void* stream);

} // namespace trackkit::detail::video
