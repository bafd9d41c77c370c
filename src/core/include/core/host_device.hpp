#pragma once
// TK_HOST_DEVICE marks the per-element arithmetic that CPU and CUDA kernels share (the *_formula.hpp headers):
// compiled for both sides under nvcc, a plain inline function elsewhere.
#if defined(__CUDACC__)
#define TK_HOST_DEVICE __host__ __device__ __forceinline__
#else
#define TK_HOST_DEVICE inline
#endif
