#pragma once
// Face and person-ReID embeddings for every box of a frame batch in one call: all crops of all frames are cut,
// resized or aligned and normalised by one batched sampling kernel on the frames' device, then one TorchScript
// forward (FP32/FP16) gives L2-normalised [N,D] embeddings. See docs/embedder.md.
#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "trackkit/device.hpp"
#include "trackkit/export.hpp"

namespace trackkit {

/// How crops are sized and normalised before the model (pixel values v in 0..255, in the model's channel order).
enum class CropPreset {
  Auto,     ///< from the model's metadata (config.txt "normalization"), else an error
  FaceNet,  ///< 160x160, (v - 127.5) / 128 (facenet-pytorch's fixed_image_standardization)
  ArcFace,  ///< 112x112, (v - 127.5) / 127.5 (ArcFace / MobileFaceNet / insightface)
  ImageNet, ///< person ReID: 256x128 (h x w), (v / 255 - mean) / std with ImageNet's mean and std (torchreid)
  Custom    ///< CropOptions::mean / std and sizes as given
};

/// How box crops sample the frame.
enum class BoxSampling {
  /// The reference pipelines' crop (boxmot / BoT-SORT ReID): box edges truncated to integers (Python's int()), at
  /// least one pixel wide and high, clamped to the frame, then OpenCV's fixed-point INTER_LINEAR resize: the values
  /// equal cv2.resize(frame[y1:y2, x1:x2], (w, h)) bit for bit.
  OpenCV,
  /// Fractional box edges kept: float bilinear sampling at the half-pixel positions of the box (below).
  Subpixel
};

/// The crop geometry and normalisation shared by the crop functions and the Embedder.
///
/// Conventions (docs/embedder.md): output pixel (u, v) of a crop samples the frame bilinearly at a point given
/// in OpenCV's index coordinates (pixel centres at integers).
/// - Box crops: the box is clamped to the frame ([0,W] x [0,H]); output pixel u samples
///   x = x1 + (u + 0.5) * (x2 - x1) / out_w - 0.5 (half-pixel centres), clamped to the box's first and last pixel
///   centres [x1, x2 - 1] (likewise y): cv2.resize(INTER_LINEAR) of frame[y1:y2, x1:x2]. BoxSampling::OpenCV takes
///   integer edges and OpenCV's fixed-point weights; Subpixel fractional edges and float weights.
/// - Aligned crops: output pixel (u, v) samples M^-1 (u, v), M being the similarity that maps the landmarks onto
///   the template (least squares, Umeyama without reflection) — cv2.warpAffine(frame, M, size) as insightface's
///   norm_crop does; landmarks and template are in index coordinates, as face detectors return them. Bilinear taps
///   outside the frame read `fill` (cv2.BORDER_CONSTANT).
struct CropOptions {
  CropPreset preset = CropPreset::Auto;
  BoxSampling box_sampling = BoxSampling::OpenCV;
  int64_t height = 0, width = 0;      ///< crop size; 0: the preset's (Custom: required)
  std::array<float, 3> mean{0, 0, 0}; ///< Custom: per model channel, 0..255 units
  std::array<float, 3> std{1, 1, 1};  ///< Custom: per model channel, 0..255 units (> 0)
  bool input_bgr = true;              ///< frames are BGR (OpenCV's order); false: RGB
  bool model_bgr = false;             ///< the model takes BGR (false: RGB, as OSNet, MobileFaceNet, FaceNet)
  int64_t fill = 0;                   ///< aligned crops: value (0..255) of taps outside the frame
  /// Aligned and Subpixel box crops: round each sampled value to an integer (half up) before normalising, as the uint8
  /// crops of cv2.warpAffine / cv2.resize that the reference pipelines feed their models are; false keeps the
  /// unrounded bilinear value (docs/embedder.md has the effect on the embeddings).
  bool quantize = true;
  /// Aligned crops: the five template points (x0,y0,...,x4,y4) in crop pixels; empty: ArcFace's 112x112 template
  /// scaled as insightface's norm_crop does (size / 112, or size / 128 with an x offset of 8 when size is a multiple
  /// of 128; other sizes: x by width / 112, y by height / 112).
  std::vector<float> template_points;
  c10::ScalarType dtype = c10::kFloat; ///< output: float32, float16 or bfloat16
};

/// Box crops: frames uint8 [B,H,W,3] (CPU or CUDA), boxes [N,5] (frame index, x1, y1, x2, y2; float, frame pixels)
/// -> normalised crops [N,3,h,w] on the frames' device. Boxes are moved to the frames' device. Throws Error naming
/// the argument for a frame index outside [0,B), a box of zero width or height, a box entirely outside its frame,
/// or NaN / infinity (these checks wait for the device once). N may be 0.
TRACKKIT_API at::Tensor crop_boxes(const at::Tensor& frames, const at::Tensor& boxes, const CropOptions& options);

/// Aligned crops: landmarks float [N,5,2] (left eye, right eye, nose, left and right mouth corners, as RetinaFace /
/// SCRFD give them), frame_index int64 [N] (undefined: every crop from frame 0, which then must be the only one).
TRACKKIT_API at::Tensor crop_aligned(const at::Tensor& frames, const at::Tensor& landmarks,
                                     const at::Tensor& frame_index, const CropOptions& options);

/// The similarity transforms crop_aligned uses: float32 [N,2,3] mapping landmark (frame) coordinates onto the
/// template (the matrix cv2.warpAffine takes), estimated on the landmarks' device by closed-form least squares.
/// Throws Error for landmarks not [N,5,2], non-finite, or degenerate (all points equal).
TRACKKIT_API at::Tensor similarity_to_template(const at::Tensor& landmarks, const CropOptions& options);

struct EmbedderOptions {
  std::string device = "auto";           ///< "auto", "cpu", "cuda", "cuda:N"
  Precision precision = Precision::FP32; ///< model and crop precision; embeddings are returned in float32
  CropOptions crop;                      ///< preset Auto and size 0 take the model's metadata
  /// Crops per forward pass; 0: chosen from free GPU memory by warmup() (256 before it; 32 on the CPU). On CUDA
  /// out-of-memory the batch is halved and retried, and the smaller size kept.
  int64_t batch_size = 0;
  /// Pad each forward batch with blank crops to a multiple of 8 (up to 64) or of 64, so the model meets a few input
  /// shapes only: cuDNN chooses, and for some kernels compiles, its algorithms per shape on first use (about a
  /// second a shape for MobileFaceNet in FP16 on an H100), which a box count changing every frame would keep paying.
  bool pad_batches = true;
};

class TRACKKIT_API Embedder {
 public:
  /// Loads a TorchScript embedding model (tools/embedder/convert_models.py writes them) and its metadata (the
  /// archive's config.txt: input size, normalization, channels, embedding_dim). One forward pass on a blank batch
  /// of 2 checks the output: Error Model naming model_path unless it is [2,D] (or a tuple whose first tensor is).
  explicit Embedder(const std::string& model_path, const EmbedderOptions& options = {});
  ~Embedder();
  Embedder(Embedder&&) noexcept;
  Embedder& operator=(Embedder&&) noexcept;

  /// frames uint8 [B,H,W,3] on any device (moved to the model's), boxes [N,5] (frame index, x1,y1,x2,y2) ->
  /// float32 [N,D] L2-normalised embeddings on the model's device, row i for box i. N = 0 gives [0,D].
  at::Tensor embed(const at::Tensor& frames, const at::Tensor& boxes);
  /// Faces aligned by their landmarks [N,5,2] (see crop_aligned) -> float32 [N,D].
  at::Tensor embed_aligned(const at::Tensor& frames, const at::Tensor& landmarks,
                           const at::Tensor& frame_index = at::Tensor());
  /// Crops already cut and normalised ([N,3,h,w], e.g. from crop_boxes) -> float32 [N,D].
  at::Tensor embed_crops(const at::Tensor& crops);

  /// Runs the model at every padded batch size (pad_batches) so later calls meet no new shape; with batch_size 0 on
  /// CUDA, first measures the memory a crop needs and picks the batch size from the free memory (at most 1024).
  void warmup();

  int64_t batch_size() const;
  int64_t embedding_dim() const;
  c10::Device device() const;
  /// The crop options in force (preset and size resolved from the metadata).
  const CropOptions& crop_options() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

} // namespace trackkit
