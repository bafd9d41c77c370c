#include "sam_model.hpp"

#include <ATen/Context.h>
#include <opencv2/core.hpp>

#include <string>

#include "trackkit/error.hpp"

namespace trackkit::detail {

namespace {

constexpr const char* kMetadata = "segmenter.json";

/// export_sam.py's metadata (flat JSON of strings, numbers and number lists); Model error when absent or unreadable.
SamMetadata parse_metadata(const ModelRunner& model, const std::string& expected_role) {
  const std::string json = model.extra_file(kMetadata);
  auto fail = [&](const std::string& why) { throw Error(ErrorCode::Model, model.describe() + " " + why); };
  if (json.empty())
    fail("has no " + std::string(kMetadata) + ": not a segmenter export (tools/segmenter/export_sam.py)");
  SamMetadata m;
  try {
    const cv::FileStorage fs(json, cv::FileStorage::READ | cv::FileStorage::MEMORY | cv::FileStorage::FORMAT_JSON);
    auto text = [&](const char* key) { return fs[key].isString() ? static_cast<std::string>(fs[key]) : std::string(); };
    m.family = text("family"), m.variant = text("variant"), m.role = text("role"), m.pair_id = text("pair_id");
    m.weights = text("weights");
    m.input_size = static_cast<int>(fs["input_size"]);
    m.low_res_size = static_cast<int>(fs["low_res_size"]);
    m.mask_tokens = static_cast<int>(fs["mask_tokens"]);
    m.mask_threshold = static_cast<double>(fs["mask_threshold"]);
    if (!fs["pixel_scale"].empty()) m.pixel_scale = static_cast<double>(fs["pixel_scale"]);
    m.encoder_input_size = fs["encoder_input_size"].empty() ? m.input_size : static_cast<int>(fs["encoder_input_size"]);
    m.square_resize = text("resize").rfind("square", 0) == 0;
    if (!fs["max_frames"].empty()) m.max_frames = static_cast<int>(fs["max_frames"]);
    if (!fs["max_boxes"].empty()) m.max_boxes = static_cast<int>(fs["max_boxes"]);
    const cv::FileNode shapes = fs["high_res_shapes"];
    for (const cv::FileNode& shape : shapes) {
      m.high_res.push_back({static_cast<int>(shape[0]), static_cast<int>(shape[1]), static_cast<int>(shape[2])});
    }
    for (int i = 0; i < 3; ++i) {
      m.embedding[i] = static_cast<int>(fs["embedding_shape"][i]);
      m.mean[i] = static_cast<double>(fs["pixel_mean"][i]);
      m.std[i] = static_cast<double>(fs["pixel_std"][i]);
    }
  } catch (const std::exception& e) {
    fail("has unreadable " + std::string(kMetadata) + " (" + e.what() + ")");
  }
  if (m.role != expected_role)
    fail("is a segmenter " + (m.role.empty() ? "export of no role" : m.role) + ", not the " + expected_role);
  if (m.pair_id.empty() || m.input_size <= 0 || m.low_res_size <= 0 || m.mask_tokens < 2 || m.embedding[0] <= 0 ||
      m.std[0] == 0 || m.std[1] == 0 || m.std[2] == 0 || m.pixel_scale <= 0 || m.encoder_input_size <= 0)
    fail("has incomplete " + std::string(kMetadata) + " (pair_id, sizes, mask_tokens, embedding_shape, pixel_std)");
  return m;
}

/// A compiled package's bound on a call's size (0: none); the Segmenter keeps its batches within it.
void check_limit(const ModelRunner& model, const char* what, int64_t count, int64_t limit) {
  if (limit > 0 && count > limit) {
    throw Error(ErrorCode::InvalidArgument, model.describe() + " takes at most " + std::to_string(limit) + " " + what +
                                                " a call, not " + std::to_string(count));
  }
}

} // namespace

SamModel::SamModel(const std::string& encoder_path, const std::string& decoder_path, c10::Device device,
                   Precision precision)
    : encoder_(load_model_runner("Segmenter", "encoder_path", encoder_path, device, precision, {kMetadata})),
      decoder_(load_model_runner("Segmenter", "decoder_path", decoder_path, device, precision, {kMetadata})),
      metadata_(parse_metadata(*encoder_, "encoder")),
      decoder_metadata_(parse_metadata(*decoder_, "decoder")) {
  const SamMetadata& d = decoder_metadata_;
  if (d.pair_id != metadata_.pair_id) {
    throw Error(ErrorCode::Model, decoder_->describe() + " belongs to model " + d.pair_id + " (" + d.family + " " +
                                      d.variant + "), " + encoder_->describe() + " to " + metadata_.pair_id + " (" +
                                      metadata_.family + " " + metadata_.variant + "): not a pair");
  }
}

std::vector<at::Tensor> SamModel::encode(const at::Tensor& input) {
  check_limit(*encoder_, "frames", input.size(0), metadata_.max_frames);
  const bool compiled = encoder_->compiled();
  if (!compiled && (!input.is_cuda() || input.scalar_type() == at::kFloat)) return encoder_->run({input});
  // In FP16/BF16 on CUDA the encoder's convolutions run with cuDNN's autotuned algorithms, and the TorchScript
  // encoder channels-last: measured 19-22 % more frames/s for MobileSAM on an H200
  // (tools/segmenter/profile_segmenter.py). FP32 keeps NCHW and cuDNN's default algorithms (closest to SamPredictor's
  // own run); the CPU keeps NCHW, whose arithmetic is bit identical to SamPredictor's. A compiled encoder's kernels
  // were generated for NCHW input (its convolutions still call cuDNN) and at most max_frames frames a call. The
  // autotuning flag is global: set for the call, then restored.
  at::Context& context = at::globalContext();
  const bool autotune = context.benchmarkCuDNN();
  context.setBenchmarkCuDNN(true);
  try {
    std::vector<at::Tensor> out = encoder_->run({compiled ? input : input.contiguous(at::MemoryFormat::ChannelsLast)});
    context.setBenchmarkCuDNN(autotune);
    return out;
  } catch (...) {
    context.setBenchmarkCuDNN(autotune);
    throw;
  }
}

std::pair<at::Tensor, at::Tensor> SamModel::decode(const at::Tensor& embeddings, const at::Tensor& index,
                                                   const at::Tensor& boxes, const std::vector<at::Tensor>& high_res) {
  check_limit(*decoder_, "frames' embeddings", embeddings.size(0), decoder_metadata_.max_frames);
  check_limit(*decoder_, "boxes", index.size(0), decoder_metadata_.max_boxes);
  std::vector<at::Tensor> inputs{embeddings, index, boxes};
  inputs.insert(inputs.end(), high_res.begin(), high_res.end());
  const std::vector<at::Tensor> out = decoder_->run(inputs);
  if (out.size() != 2) {
    throw Error(ErrorCode::Model, decoder_->describe() + " returns " + std::to_string(out.size()) +
                                      " tensors, not (mask logits, IoU predictions)");
  }
  return {out[0], out[1]};
}

} // namespace trackkit::detail
