#include "segmenter/sam_model.hpp"

#include <opencv2/core.hpp>

#include <string>

#include "trackkit/error.hpp"

namespace trackkit::detail {

namespace {

constexpr const char* kMetadata = "segmenter.json";

/// export_sam.py's metadata (flat JSON of strings, numbers and number lists); Model error when absent or unreadable.
SamMetadata parse_metadata(const ScriptModel& model, const std::string& expected_role) {
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
      m.std[0] == 0 || m.std[1] == 0 || m.std[2] == 0)
    fail("has incomplete " + std::string(kMetadata) + " (pair_id, sizes, mask_tokens, embedding_shape, pixel_std)");
  return m;
}

} // namespace

SamModel::SamModel(const std::string& encoder_path, const std::string& decoder_path, c10::Device device,
                   Precision precision)
    : encoder_("Segmenter", "encoder_path", encoder_path, device, precision, {kMetadata}),
      decoder_("Segmenter", "decoder_path", decoder_path, device, precision, {kMetadata}),
      metadata_(parse_metadata(encoder_, "encoder")) {
  const SamMetadata d = parse_metadata(decoder_, "decoder");
  if (d.pair_id != metadata_.pair_id) {
    throw Error(ErrorCode::Model, decoder_.describe() + " belongs to model " + d.pair_id + " (" + d.family + " " +
                                      d.variant + "), " + encoder_.describe() + " to " + metadata_.pair_id + " (" +
                                      metadata_.family + " " + metadata_.variant + "): not a pair");
  }
}

at::Tensor SamModel::encode(const at::Tensor& input) { return encoder_.run({input}).front(); }

std::pair<at::Tensor, at::Tensor> SamModel::decode(const at::Tensor& embeddings, const at::Tensor& index,
                                                   const at::Tensor& boxes) {
  const std::vector<at::Tensor> out = decoder_.run({embeddings, index, boxes});
  if (out.size() != 2) {
    throw Error(ErrorCode::Model, decoder_.describe() + " returns " + std::to_string(out.size()) +
                                      " tensors, not (mask logits, IoU predictions)");
  }
  return {out[0], out[1]};
}

} // namespace trackkit::detail
