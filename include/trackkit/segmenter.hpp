#pragma once
// Box-prompted instance masks with SAM-family models (SAM ViT-B/L/H, MobileSAM, SAM 2 / 2.1, EfficientViT-SAM) exported
// as an image encoder and a prompt decoder, each TorchScript (tools/segmenter/export_sam.py, export_sam2.py) or, on
// CUDA, an AOTInductor package compiled for the GPU (tools/segmenter/compile_aoti.py, "*.pt2"): every box of every
// frame goes through one decoder call. See docs/segmenter.md.
#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "trackkit/device.hpp"
#include "trackkit/export.hpp"
#include "trackkit/rle.hpp"

namespace trackkit {

struct SegmenterOptions {
  std::string device = "auto";           ///< "auto", "cpu", "cuda", "cuda:N"
  Precision precision = Precision::FP32; ///< encoder and decoder precision; boxes and mask upsampling stay FP32
  bool input_bgr = true;                 ///< frames are BGR (OpenCV's order); false: RGB (what SAM takes)
  bool multimask_output = false;         ///< false: one mask a box (SAM's token 0); true: SAM's three masks
  /// true: masks at frame resolution (upsampled, cropped and thresholded on the device) besides the low-res
  /// logits; false: only the logits (SegmenterMasks::masks stays undefined; see Segmenter::upsample).
  bool full_resolution = true;
  bool mask_boxes = false; ///< also the tight box of every mask (needs full_resolution)
  /// Logit threshold of a mask pixel; NaN: the export's metadata (SAM: 0).
  double mask_threshold = std::numeric_limits<double>::quiet_NaN();
  /// Frames per encoder pass; 0: chosen from free GPU memory by warmup() (8 on CUDA before it, 2 on CPU). Both
  /// batch sizes are kept within a compiled package's bounds (its metadata's max_frames / max_boxes).
  int64_t encoder_batch_size = 0;
  /// Boxes per decoder call; 0: all boxes of a decode() in one call (until CUDA runs out of memory). On CUDA
  /// out-of-memory either batch is halved and retried, and the smaller size kept.
  int64_t decoder_batch_size = 0;
};

/// Image embeddings of a batch of frames of one size, and what decode() needs to map boxes into them.
struct SegmenterEmbeddings {
  at::Tensor features; ///< [B,C,h,w] in the model's precision on its device (SAM: C = 256, h = w = 64)
  /// SAM 2: the high-resolution feature maps its decoder takes ([B,32,256,256], [B,64,128,128]); empty for SAM.
  std::vector<at::Tensor> high_res;
  int64_t frame_height = 0, frame_width = 0; ///< the frames' size
  int64_t input_height = 0, input_width = 0; ///< the resized frame inside the padded input square
  std::string model_id;                      ///< the encoder's pair id: decode() refuses other models' embeddings
};

/// Masks of N boxes (M masks a box: 1, or 3 with multimask_output).
struct SegmenterMasks {
  at::Tensor masks;      ///< bool [N,M,H,W] at frame resolution (full_resolution), else undefined
  at::Tensor low_res;    ///< float32 [N,M,L,L] mask logits over the padded input square (SAM: L = 256;
                         ///< SAM 2: over the whole frame resized to the square)
  at::Tensor scores;     ///< float32 [N,M] the model's IoU predictions
  at::Tensor boxes;      ///< float32 [N,5] the prompts as used: frame index, x1,y1,x2,y2 clamped to the frame
  at::Tensor mask_boxes; ///< float32 [N,M,4] tight x1,y1,x2,y2 (exclusive edges) of each mask, zeros where empty
};

class TRACKKIT_API Segmenter {
 public:
  /// Loads the encoder and decoder pair and their metadata ("segmenter.json"): TorchScript archives, or AOTInductor
  /// packages where a path ends in ".pt2" (CUDA only, the precision they were compiled for; Device / Model errors).
  /// Throws Error naming the path: NotFound for a missing file, Model for a corrupt file, a file that is not a
  /// segmenter export, the two roles swapped, or an encoder and decoder from different models (pair ids differ).
  Segmenter(const std::string& encoder_path, const std::string& decoder_path, const SegmenterOptions& options = {});
  ~Segmenter();
  Segmenter(Segmenter&&) noexcept;
  Segmenter& operator=(Segmenter&&) noexcept;

  /// frames: uint8 [B,H,W,3] on any device (moved to the model's). Resizes the longest side to the model's input
  /// size exactly as SAM does (PIL's bilinear resize, reproduced in integer arithmetic), normalises and pads on the
  /// device.
  SegmenterEmbeddings encode(const at::Tensor& frames);
  /// boxes: [N,5] frame index (0-based, within the embeddings' batch), x1,y1,x2,y2 in frame pixels, any
  /// floating dtype and device. Boxes are clamped to the frame; NaN/infinite values, a fractional or
  /// out-of-range frame index, or a box with no area inside the frame (after clamping) throw Error naming
  /// `boxes` and the row (checking waits for the device once). N = 0 gives empty outputs.
  SegmenterMasks decode(const SegmenterEmbeddings& embeddings, const at::Tensor& boxes);
  /// encode() then decode().
  SegmenterMasks segment(const at::Tensor& frames, const at::Tensor& boxes);

  /// Low-res logits [N,M,L,L] -> bool [N,M,H,W] masks of an H x W frame (SAM's postprocess_masks: bilinear to the
  /// input square, crop the resized frame, bilinear to the frame, then threshold), on the logits' device.
  at::Tensor upsample(const at::Tensor& low_res, int64_t frame_height, int64_t frame_width) const;

  /// Runs encoder and decoder once so the first real call is not slow; with a batch size 0 on CUDA, measures
  /// the memory a frame needs and picks the encoder batch from the free memory.
  void warmup(int64_t frame_height = 1080, int64_t frame_width = 1920, int64_t boxes = 16);

  int64_t encoder_batch_size() const;
  c10::Device device() const;
  const SegmenterOptions& options() const;
  /// From the metadata: "sam" / "mobile_sam" / "sam2" / "efficientvit_sam", the variant ("vit_b", "vit_t",
  /// "sam2.1_hiera_t"...), the weights' origin, the pair id.
  std::string family() const;
  std::string variant() const;
  std::string weights() const;
  std::string model_id() const;
  int64_t input_size() const;

  /// Seconds spent in the last call's stages (CUDA stages synchronised only with set_stage_timing(true)).
  struct StageTimes {
    double preprocess = 0, encoder = 0, decoder = 0, postprocess = 0;
  };
  void set_stage_timing(bool enabled);
  StageTimes last_stage_times() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Pillow's Image.resize((out_w, out_h), BILINEAR) of uint8 images [..., H, W] (planes, e.g. [B,3,H,W]) -> uint8
/// [..., out_h, out_w], bit identical to Pillow (its taps, 22-bit fixed-point weights and rounding), on the images'
/// device (CPU or CUDA kernel). SAM's ResizeLongestSide runs through it. Throws Error naming `images`.
TRACKKIT_API at::Tensor pil_resize(const at::Tensor& images, int64_t out_h, int64_t out_w);

/// Tight boxes of bool/uint8 masks [..., H, W] -> float32 [..., 4] x1,y1,x2,y2 in mask pixels with exclusive
/// edges (a mask covering columns i..k has x1 = i, x2 = k + 1); zeros for an empty mask. Runs on the masks' device.
TRACKKIT_API at::Tensor masks_to_boxes(const at::Tensor& masks);

} // namespace trackkit
