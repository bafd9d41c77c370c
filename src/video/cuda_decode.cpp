// FFmpeg's CUDA device on the runtime's primary context. av_hwdevice_ctx_create could retain the primary context
// itself ("primary_ctx"), but FFmpeg 5.1 then refuses a context the runtime already made active with other
// scheduling flags, and it leaves the device without a stream (NULL: the legacy default stream, which would
// serialise with every other stream of the process). So the device is allocated, given the context and our stream,
// then initialised (av_hwdevice_ctx_alloc + av_hwdevice_ctx_init). The three driver functions it needs come from
// the CUDA runtime (cudaGetDriverEntryPoint): no link against libcuda.
#include "cuda_decode.hpp"

#include <cuda.h>
#include <cuda_runtime_api.h>

extern "C" {
#include <libavutil/hwcontext.h>
#include <libavutil/hwcontext_cuda.h>
}

#include <c10/cuda/CUDAGuard.h>

#include "trackkit/error.hpp"

namespace trackkit::detail::video {

namespace {

[[noreturn]] void fail(const std::string& source, const std::string& what, ErrorCode code = ErrorCode::Cuda) {
  throw Error(code, "VideoDecoder: source \"" + source + "\": GPU decoding: " + what);
}

void check(cudaError_t status, const std::string& source, const char* call) {
  if (status == cudaSuccess) return;
  (void)cudaGetLastError();
  fail(source, std::string(call) + " failed: " + cudaGetErrorName(status) + " (" + cudaGetErrorString(status) + ")");
}

void check(CUresult status, const std::string& source, const char* call) {
  if (status != CUDA_SUCCESS) fail(source, std::string(call) + " failed: CUresult " + std::to_string(status));
}

template <typename Function>
Function driver_function(const char* name, const std::string& source) {
  void* address = nullptr;
  cudaDriverEntryPointQueryResult found = cudaDriverEntryPointSymbolNotFound;
#if CUDART_VERSION >= 12050
  // The signatures as of CUDA 12.0 (cuDevicePrimaryCtxRelease is then the _v2 one).
  const cudaError_t status = cudaGetDriverEntryPointByVersion(name, &address, 12000, cudaEnableDefault, &found);
#else
  const cudaError_t status = cudaGetDriverEntryPoint(name, &address, cudaEnableDefault, &found);
#endif
  check(status, source, "cudaGetDriverEntryPoint");
  if (found != cudaDriverEntryPointSuccess || address == nullptr)
    fail(source, std::string("the driver has no ") + name);
  return reinterpret_cast<Function>(address);
}

using DeviceGet = CUresult (*)(CUdevice*, int);
using PrimaryRetain = CUresult (*)(CUcontext*, CUdevice);
using PrimaryRelease = CUresult (*)(CUdevice);

} // namespace

bool codec_has_cuda(const AVCodec* codec) {
  for (int i = 0;; ++i) {
    const AVCodecHWConfig* config = avcodec_get_hw_config(codec, i);
    if (config == nullptr) return false;
    if (config->device_type == AV_HWDEVICE_TYPE_CUDA && (config->methods & AV_CODEC_HW_CONFIG_METHOD_HW_DEVICE_CTX))
      return true;
  }
}

CudaDecodeDevice::CudaDecodeDevice(int index, const std::string& source) : index_(index) {
  const c10::cuda::CUDAGuard guard(static_cast<c10::DeviceIndex>(index));
  check(cudaFree(nullptr), source, "cudaFree(nullptr) (creating the primary context)");
  CUdevice device = 0;
  check(driver_function<DeviceGet>("cuDeviceGet", source)(&device, index), source, "cuDeviceGet");
  cu_device_ = device;
  CUcontext context = nullptr;
  check(driver_function<PrimaryRetain>("cuDevicePrimaryCtxRetain", source)(&context, device), source,
        "cuDevicePrimaryCtxRetain");
  context_ = context;
  try {
    cudaStream_t stream = nullptr;
    check(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking), source, "cudaStreamCreateWithFlags");
    stream_ = stream;
    device_ = av_hwdevice_ctx_alloc(AV_HWDEVICE_TYPE_CUDA);
    if (device_ == nullptr) fail(source, "this FFmpeg has no CUDA device type", ErrorCode::Unsupported);
    auto* hw = reinterpret_cast<AVHWDeviceContext*>(device_->data);
    auto* cuda = static_cast<AVCUDADeviceContext*>(hw->hwctx);
    cuda->cuda_ctx = context;
    cuda->stream = static_cast<CUstream>(stream);
    const int status = av_hwdevice_ctx_init(device_);
    if (status < 0) {
      fail(source, "av_hwdevice_ctx_init failed (" + av_error_text(status) + "; is libcuda.so.1 loadable?)",
           ErrorCode::Unsupported);
    }
  } catch (...) {
    release();
    throw;
  }
}

CudaDecodeDevice::~CudaDecodeDevice() { release(); }

void CudaDecodeDevice::release() noexcept { // stream calls need no current device
  if (stream_ != nullptr) (void)cudaStreamSynchronize(static_cast<cudaStream_t>(stream_));
  av_buffer_unref(&device_); // FFmpeg's hold: no context of its own to release (alloc + init)
  if (stream_ != nullptr) (void)cudaStreamDestroy(static_cast<cudaStream_t>(stream_));
  stream_ = nullptr;
  if (context_ != nullptr) {
    try {
      (void)driver_function<PrimaryRelease>("cuDevicePrimaryCtxRelease", "")(cu_device_);
    } catch (const Error&) { // a destructor reports nothing: the context stays retained
    }
  }
  context_ = nullptr;
}

} // namespace trackkit::detail::video
