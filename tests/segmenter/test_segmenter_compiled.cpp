// The segmenter on AOTInductor packages (tools/segmenter/compile_aoti.py, compiled on the GPU that runs them):
// loading errors, and the compiled MobileSAM pair against the TorchScript export of the same weights, also past the
// package's box limit (decoded in chunks). Skips, saying why, where the packages or exports are missing.
#include <ATen/ATen.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "catch.hpp"
#include "segmenter/segmenter_test_util.hpp"
#include "trackkit/segmenter.hpp"

using namespace segmenter_test;

namespace {

const std::string kModel = "mobile_sam";

trackkit::SegmenterOptions options_on(const std::string& device, trackkit::Precision precision) {
  trackkit::SegmenterOptions o;
  o.device = device, o.precision = precision;
  return o;
}

bool have_compiled(const std::string& precision) {
  return std::filesystem::exists(compiled_path(kModel, precision, "encoder")) &&
         std::filesystem::exists(compiled_path(kModel, precision, "decoder"));
}

/// How far two results of the same boxes are apart: IoU predictions, and mask pixels that differ.
void compare(const trackkit::SegmenterMasks& a, const trackkit::SegmenterMasks& b, const char* what) {
  REQUIRE(a.scores.sizes() == b.scores.sizes());
  const double score = (a.scores - b.scores).abs().max().item<double>();
  const int64_t differ = (a.masks != b.masks).sum().item<int64_t>(), area = a.masks.sum().item<int64_t>();
  std::printf("compiled vs torchscript (FP16, %s): IoU max|diff| %.3g, %lld of %lld mask pixels differ\n", what, score,
              static_cast<long long>(differ), static_cast<long long>(area));
  CHECK(score < 5e-3);
  CHECK(differ <= 0.01 * area);
}

} // namespace

TEST_CASE("Compiled segmenter packages: loading errors name the file", "[segmenter][compiled]") {
  const auto cpu = options_on("cpu", trackkit::Precision::FP16);
  CHECK(contains(error_of([&] { trackkit::Segmenter("/nonexistent.pt2", "/nonexistent.pt2", cpu); }),
                 "[3] Segmenter: encoder_path \"/nonexistent.pt2\" does not exist"));
  const std::string corrupt = (std::filesystem::temp_directory_path() / "tk_segmenter_corrupt.pt2").string();
  std::ofstream(corrupt) << "not a package";
  CHECK(contains(error_of([&] { trackkit::Segmenter(corrupt, corrupt, cpu); }),
                 "[2] Segmenter: encoder_path \"" + corrupt + "\" is an AOTInductor package, which runs on CUDA only"));
  if (!trackkit::cuda_available()) return;
  const auto gpu = options_on("cuda", trackkit::Precision::FP16);
  CHECK(
      contains(error_of([&] { trackkit::Segmenter(corrupt, corrupt, gpu); }), "is not a loadable AOTInductor package"));
  if (!have_compiled("fp16")) return;
  const std::string enc = compiled_path(kModel, "fp16", "encoder"), dec = compiled_path(kModel, "fp16", "decoder");
  CHECK(contains(error_of([&] { trackkit::Segmenter(enc, dec, options_on("cuda", trackkit::Precision::FP32)); }),
                 "was compiled for precision \"fp16\", the options ask for fp32"));
  CHECK(contains(error_of([&] { trackkit::Segmenter(dec, enc, gpu); }), "not the encoder"));
}

TEST_CASE("Compiled segmenter equals the TorchScript export of the same weights", "[segmenter][compiled][cuda]") {
  const at::Tensor frames = two_frames();
  if (!trackkit::cuda_available()) TK_SKIP("no CUDA device");
  if (!have_compiled("fp16") || !frames.defined())
    TK_SKIP("no " + kModel + ".fp16.*.pt2 packages in " + models_dir() + " (tools/segmenter/compile_aoti.py)");
  const std::string ts_encoder = models_dir() + "/" + kModel + ".encoder.pt";
  const std::string ts_decoder = models_dir() + "/" + kModel + ".decoder.pt";
  if (!std::filesystem::exists(ts_encoder)) TK_SKIP("no TorchScript export of " + kModel + " to compare with");
  const auto o = options_on("cuda", trackkit::Precision::FP16);
  trackkit::Segmenter script(ts_encoder, ts_decoder, o);
  trackkit::Segmenter compiled(compiled_path(kModel, "fp16", "encoder"), compiled_path(kModel, "fp16", "decoder"), o);
  REQUIRE(compiled.model_id() == script.model_id()); // same seeded weights: the same pair id
  compare(script.segment(frames.cuda(), some_boxes()), compiled.segment(frames.cuda(), some_boxes()), "5 boxes");

  // 1100 boxes: more than the package's 1000 a call, so the decoder runs in two chunks.
  at::manual_seed(7);
  const at::Tensor corner = at::rand({1100, 2}) * at::tensor({600.f, 440.f}); // 640 x 480 frames
  const at::Tensor size = at::rand({1100, 2}) * 150 + 10;
  const at::Tensor boxes = at::cat({at::randint(0, 2, {1100, 1}).to(at::kFloat), corner, corner + size}, 1);
  const trackkit::SegmenterEmbeddings es = script.encode(frames.cuda()), ec = compiled.encode(frames.cuda());
  CHECK((es.features - ec.features).abs().max().item<double>() < 0.1);
  compare(script.decode(es, boxes), compiled.decode(ec, boxes), "1100 boxes, 2 decoder calls");
}
