#pragma once
// A SAM-family export: the image encoder and the box decoder, each a TorchScript archive or an AOTInductor package
// (src/runtime/include/runtime/model_runner.hpp), with their metadata ("segmenter.json": each archive's extra file,
// written by tools/segmenter/export_sam.py; each package's metadata entry, written by tools/segmenter/compile_aoti.py).
#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include <array>
#include <memory>
#include <string>
#include <vector>

#include "runtime/model_runner.hpp"
#include "trackkit/device.hpp"

namespace trackkit::detail {

struct SamMetadata {
  std::string family, variant, role, pair_id, weights;
  int64_t input_size = 1024;           // side of the padded input square of the prompts and masks
  int64_t encoder_input_size = 1024;   // side of the encoder's input square (EfficientViT-SAM L: 512)
  int64_t low_res_size = 256;          // side of the decoder's mask logits
  int64_t mask_tokens = 4;             // decoder outputs: token 0 single mask, 1.. multimask
  std::array<int64_t, 3> embedding{};  // C, h, w of the encoder's output
  std::array<double, 3> mean{}, std{}; // RGB normalisation, of pixel values divided by pixel_scale
  double pixel_scale = 1;              // SAM 2: 255 (ToTensor), SAM: 1
  double mask_threshold = 0;
  /// SAM 2: the frame is resized to the whole input square (SAM2Transforms), boxes map as x / W * S, and masks are
  /// upsampled straight to the frame. SAM: longest side resized, padded, cropped back (ResizeLongestSide).
  bool square_resize = false;
  std::vector<std::array<int64_t, 3>> high_res; // SAM 2: C, h, w of the encoder's extra feature maps, in order
  /// Compiled packages: the most frames / boxes one call takes (their kernels index in 32 bits); 0: no limit.
  int64_t max_frames = 0, max_boxes = 0;
};

class SamModel {
 public:
  /// Throws Error naming the paths (NotFound, Model): also for missing metadata, a wrong role, or an encoder
  /// and decoder of different models. A path ending in ".pt2" is an AOTInductor package (CUDA only).
  SamModel(const std::string& encoder_path, const std::string& decoder_path, c10::Device device, Precision precision);

  /// input float [B,3,S,S] (normalised, padded, model dtype) -> embeddings [B,C,h,w], then (SAM 2) the
  /// high-resolution feature maps. A compiled encoder takes at most its max_frames frames (InvalidArgument).
  std::vector<at::Tensor> encode(const at::Tensor& input);
  /// embeddings [B,C,h,w], frame index int64 [N], boxes float32 [N,4] in input pixels, the high-resolution maps
  /// (SAM 2) -> low-res logits [N,T,L,L] and IoU predictions [N,T] for all T mask tokens. A compiled decoder takes
  /// at most its max_boxes boxes and the embeddings of at most its max_frames frames (InvalidArgument).
  std::pair<at::Tensor, at::Tensor> decode(const at::Tensor& embeddings, const at::Tensor& index,
                                           const at::Tensor& boxes, const std::vector<at::Tensor>& high_res);
  const SamMetadata& metadata() const { return metadata_; }
  /// The decoder's metadata: the same model, with the decoder's own limits (max_frames, max_boxes).
  const SamMetadata& decoder_metadata() const { return decoder_metadata_; }

 private:
  std::unique_ptr<ModelRunner> encoder_, decoder_;
  SamMetadata metadata_, decoder_metadata_;
};

} // namespace trackkit::detail
