// Segmenter behaviour on the MobileSAM export (tools/segmenter/export_sam.py): loading errors, bad input, batching
// (one decoder call for every box of several frames against per-frame and per-box calls), clamping, output forms,
// and CUDA against the CPU. Skips, saying why, where the exports or reference frames are missing.
#include <ATen/ATen.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "catch.hpp"
#include "npy.hpp"
#include "segmenter/segmenter_test_util.hpp"
#include "trackkit/segmenter.hpp"

using namespace segmenter_test;
using namespace test_npy;

namespace {

const std::string kModel = "mobile_sam";

trackkit::SegmenterOptions cpu_options() {
  trackkit::SegmenterOptions o;
  o.device = "cpu";
  return o;
}

} // namespace

TEST_CASE("Segmenter loading errors name the file", "[segmenter]") {
  if (!have_model(kModel)) TK_SKIP("no " + kModel + " export in " + models_dir() + " (scripts/segmenter-models.sh)");
  const std::string enc = encoder_path(kModel), dec = decoder_path(kModel);
  CHECK(contains(error_of([&] { trackkit::Segmenter("/nonexistent.pt", dec, cpu_options()); }),
                 "[3] Segmenter: encoder_path \"/nonexistent.pt\" does not exist"));
  const std::string corrupt = (std::filesystem::temp_directory_path() / "tk_segmenter_corrupt.pt").string();
  std::ofstream(corrupt) << "not a TorchScript archive";
  CHECK(contains(error_of([&] { trackkit::Segmenter(enc, corrupt, cpu_options()); }),
                 "[4] Segmenter: decoder_path \"" + corrupt + "\" is not a loadable TorchScript archive"));
  CHECK(contains(error_of([&] { trackkit::Segmenter(dec, enc, cpu_options()); }),
                 "is a segmenter decoder, not the encoder"));
  if (have_model("sam_vit_b"))
    CHECK(
        contains(error_of([&] { trackkit::Segmenter(enc, decoder_path("sam_vit_b"), cpu_options()); }), "not a pair"));
  trackkit::SegmenterOptions o = cpu_options();
  o.mask_boxes = true, o.full_resolution = false;
  CHECK(contains(error_of([&] { trackkit::Segmenter(enc, dec, o); }), "options.mask_boxes needs"));
  o = cpu_options();
  o.encoder_batch_size = -1;
  CHECK(contains(error_of([&] { trackkit::Segmenter(enc, dec, o); }), "options.encoder_batch_size"));
  const trackkit::Segmenter seg(enc, dec, cpu_options());
  CHECK(seg.family() == "mobile_sam");
  CHECK(seg.variant() == "vit_t");
  CHECK(seg.input_size() == 1024);
  CHECK(contains(seg.weights(), "random"));
}

TEST_CASE("Segmenter: every box of two frames in one decoder call against per-frame and per-box calls", "[segmenter]") {
  const at::Tensor frames = two_frames();
  if (!have_model(kModel) || !frames.defined()) TK_SKIP("no " + kModel + " export or reference frames");
  trackkit::SegmenterOptions o = cpu_options();
  o.mask_boxes = true;
  trackkit::Segmenter seg(encoder_path(kModel), decoder_path(kModel), o);
  const trackkit::SegmenterEmbeddings e = seg.encode(frames);
  REQUIRE(e.features.sizes() == at::IntArrayRef({2, 256, 64, 64}));
  CHECK(e.frame_height == 480);
  CHECK(e.input_height == 768);
  CHECK(e.input_width == 1024);
  const at::Tensor boxes = some_boxes();
  const trackkit::SegmenterMasks all = seg.decode(e, boxes);
  REQUIRE(all.masks.sizes() == at::IntArrayRef({5, 1, 480, 640}));
  REQUIRE(all.low_res.sizes() == at::IntArrayRef({5, 1, 256, 256}));
  REQUIRE(all.scores.sizes() == at::IntArrayRef({5, 1}));
  CHECK(at::equal(all.boxes, boxes));

  // One box at a time, and each frame on its own (its own embeddings, frame index 0): the same logits.
  o.decoder_batch_size = 1, o.encoder_batch_size = 1;
  trackkit::Segmenter one(encoder_path(kModel), decoder_path(kModel), o);
  const trackkit::SegmenterMasks per_box = one.decode(e, boxes);
  CHECK((per_box.low_res - all.low_res).abs().max().item<float>() < 1e-4);
  CHECK((per_box.scores - all.scores).abs().max().item<float>() < 1e-5);
  const trackkit::SegmenterEmbeddings e1 = one.encode(frames.narrow(0, 1, 1)); // batch 1 vs batch 2
  CHECK((e1.features - e.features.narrow(0, 1, 1)).abs().max().item<float>() < 1e-4);
  at::Tensor frame1_boxes = boxes.index_select(0, at::tensor({0, 3}));
  frame1_boxes.select(1, 0).zero_();
  const trackkit::SegmenterMasks alone = one.decode(e1, frame1_boxes);
  CHECK((alone.low_res - all.low_res.index_select(0, at::tensor({0, 3}))).abs().max().item<float>() < 1e-3);

  // The output forms agree: masks are upsample(low_res), mask boxes their tight boxes, masks_to_boxes brute force.
  CHECK(at::equal(seg.upsample(all.low_res, 480, 640), all.masks));
  CHECK(at::equal(all.mask_boxes, trackkit::masks_to_boxes(all.masks)));
  for (int64_t i = 0; i < 5; ++i) {
    const at::Tensor ys = all.masks[i][0].any(1).nonzero(), xs = all.masks[i][0].any(0).nonzero();
    if (ys.numel() == 0) continue;
    CHECK(all.mask_boxes[i][0][0].item<float>() == xs.min().item<int64_t>());
    CHECK(all.mask_boxes[i][0][3].item<float>() == ys.max().item<int64_t>() + 1);
  }
  // Multi-mask output: SAM's tokens 1..3.
  trackkit::SegmenterOptions mo = cpu_options();
  mo.multimask_output = true, mo.full_resolution = false;
  trackkit::Segmenter multi(encoder_path(kModel), decoder_path(kModel), mo);
  const trackkit::SegmenterMasks m = multi.decode(e, boxes);
  CHECK(m.low_res.sizes() == at::IntArrayRef({5, 3, 256, 256}));
  CHECK(!m.masks.defined());
  CHECK(!at::equal(m.low_res.select(1, 0), all.low_res.select(1, 0)));

  // Boxes reaching outside the frame are clamped to it: the same masks as the clamped box.
  const at::Tensor outside = at::tensor({0.f, -50.f, 100.f, 700.f, 900.f}).view({1, 5});
  const trackkit::SegmenterMasks clamped = seg.decode(e, outside);
  CHECK(at::equal(clamped.boxes, at::tensor({0.f, 0.f, 100.f, 640.f, 480.f}).view({1, 5})));
  CHECK(at::equal(clamped.masks, seg.decode(e, clamped.boxes).masks));
  // No boxes: empty outputs of the right shapes.
  const trackkit::SegmenterMasks none = seg.decode(e, at::zeros({0, 5}));
  CHECK(none.masks.sizes() == at::IntArrayRef({0, 1, 480, 640}));
  CHECK(none.scores.sizes() == at::IntArrayRef({0, 1}));
}

TEST_CASE("Segmenter bad input: clear errors naming the argument", "[segmenter]") {
  const at::Tensor frames = two_frames();
  if (!have_model(kModel) || !frames.defined()) TK_SKIP("no " + kModel + " export or reference frames");
  trackkit::Segmenter seg(encoder_path(kModel), decoder_path(kModel), cpu_options());
  CHECK(contains(error_of([&] { seg.encode(frames.to(at::kFloat)); }), "Segmenter::encode: frames"));
  CHECK(contains(error_of([&] { seg.encode(frames.narrow(3, 0, 1)); }), "3 channels"));
  CHECK(contains(error_of([&] { seg.encode(frames.narrow(1, 0, 0)); }), "zero-size frames"));
  const trackkit::SegmenterEmbeddings e = seg.encode(frames.narrow(0, 0, 1));
  auto decode_error = [&](std::vector<float> row) {
    return error_of([&] { seg.decode(e, at::tensor(row).view({1, 5})); });
  };
  CHECK(contains(decode_error({0, NAN, 1, 5, 5}), "Segmenter::decode: boxes contains NaN or infinite values"));
  CHECK(contains(decode_error({1, 1, 1, 5, 5}), "frame index 1.000000 (row 0), not an integer in [0,1)"));
  CHECK(contains(decode_error({-1, 1, 1, 5, 5}), "frame index"));
  CHECK(contains(decode_error({0.5f, 1, 1, 5, 5}), "frame index"));
  CHECK(contains(decode_error({0, 5, 5, 5, 9}), "no area inside the 640x480 frame (row 0)"));
  CHECK(contains(decode_error({0, 700, 5, 800, 9}), "no area"));
  CHECK(contains(decode_error({0, 9, 9, 5, 5}), "no area"));
  CHECK(contains(error_of([&] { seg.decode(e, at::zeros({2, 4})); }), "boxes must have shape [N,5]"));
  CHECK(contains(error_of([&] { seg.decode(e, at::zeros({2, 5}, at::kLong)); }), "boxes"));
  trackkit::SegmenterEmbeddings other = e;
  other.model_id = "0123456789abcdef";
  CHECK(contains(error_of([&] {
                   seg.decode(other, at::zeros({0, 5}));
                 }),
                 "embeddings.features come from model 0123456789abcdef, not"));
  other = e;
  other.features = e.features.to(at::kDouble);
  CHECK(contains(error_of([&] { seg.decode(other, at::zeros({0, 5})); }), "embeddings.features"));
  other = e;
  other.features = e.features.narrow(1, 0, 128);
  CHECK(contains(error_of([&] { seg.decode(other, at::zeros({0, 5})); }), "embeddings.features must have shape"));
  other = e;
  other.input_width = 1000;
  CHECK(contains(error_of([&] { seg.decode(other, at::zeros({0, 5})); }), "embeddings has frame/input sizes"));
  CHECK(contains(error_of([&] { seg.upsample(at::zeros({1, 1, 64, 64}), 480, 640); }), "Segmenter::upsample: low_res"));
}

TEST_CASE("Segmenter SAM 2: high-resolution features travel with the embeddings and one call equals per-box calls",
          "[segmenter]") {
  const std::string model = "sam2.1_hiera_t";
  const at::Tensor frames = two_frames();
  if (!have_model(model) || !frames.defined()) TK_SKIP("no " + model + " export or reference frames");
  trackkit::SegmenterOptions o = cpu_options();
  o.full_resolution = false;
  trackkit::Segmenter seg(encoder_path(model), decoder_path(model), o);
  CHECK(seg.family() == "sam2");
  const trackkit::SegmenterEmbeddings e = seg.encode(frames);
  REQUIRE(e.high_res.size() == 2);
  CHECK(e.high_res[0].sizes() == at::IntArrayRef({2, 32, 256, 256}));
  CHECK(e.high_res[1].sizes() == at::IntArrayRef({2, 64, 128, 128}));
  CHECK(e.input_height == 1024); // SAM2Transforms: the frame fills the square
  CHECK(e.input_width == 1024);
  const at::Tensor boxes = some_boxes();
  const trackkit::SegmenterMasks all = seg.decode(e, boxes);
  REQUIRE(all.low_res.sizes() == at::IntArrayRef({5, 1, 256, 256}));
  o.decoder_batch_size = 1;
  trackkit::Segmenter one(encoder_path(model), decoder_path(model), o);
  const trackkit::SegmenterMasks per_box = one.decode(e, boxes);
  CHECK((per_box.low_res - all.low_res).abs().max().item<float>() < 1e-4);
  CHECK((per_box.scores - all.scores).abs().max().item<float>() < 1e-5);
  // SAM2Transforms.postprocess_masks: bilinear straight from the logits to the frame, no crop.
  CHECK(at::equal(seg.upsample(all.low_res, 480, 640), at::upsample_bilinear2d(all.low_res, {480, 640}, false) > 0));
  trackkit::SegmenterEmbeddings bad = e;
  bad.high_res.pop_back();
  CHECK(
      contains(error_of([&] { seg.decode(bad, boxes); }), "embeddings.high_res has 1 feature maps, the model takes 2"));
  bad = e;
  bad.high_res[0] = e.high_res[0].narrow(1, 0, 16);
  CHECK(contains(error_of([&] { seg.decode(bad, boxes); }), "Segmenter::decode: embeddings.high_res must have shape"));
  CHECK(contains(error_of([&] { trackkit::Segmenter(encoder_path(kModel), decoder_path(model), cpu_options()); }),
                 "not a pair"));
}

TEST_CASE("Segmenter on CUDA equals the CPU", "[segmenter][cuda]") {
  const at::Tensor frames = two_frames();
  if (!trackkit::cuda_available()) TK_SKIP("no CUDA device");
  if (!have_model(kModel) || !frames.defined()) TK_SKIP("no " + kModel + " export or reference frames");
  trackkit::SegmenterOptions o = cpu_options();
  trackkit::Segmenter cpu(encoder_path(kModel), decoder_path(kModel), o);
  o.device = "cuda";
  trackkit::Segmenter gpu(encoder_path(kModel), decoder_path(kModel), o);
  const at::Tensor boxes = some_boxes();
  const trackkit::SegmenterMasks a = cpu.segment(frames, boxes), b = gpu.segment(frames.cuda(), boxes.cuda());
  const double low = (a.low_res - b.low_res.cpu()).abs().max().item<double>();
  const double score = (a.scores - b.scores.cpu()).abs().max().item<double>();
  const int64_t differ = (a.masks != b.masks.cpu()).sum().item<int64_t>();
  std::printf("cuda vs cpu (FP32): low-res max|diff| %.3g, IoU max|diff| %.3g, %lld of %lld mask pixels differ\n", low,
              score, static_cast<long long>(differ), static_cast<long long>(a.masks.sum().item<int64_t>()));
  CHECK(score < 1e-3);
  CHECK(differ <= 0.01 * a.masks.sum().item<int64_t>());
  // The device resize is integer arithmetic: the GPU's embeddings of the same frames differ only by the network.
  const trackkit::SegmenterEmbeddings ea = cpu.encode(frames), eb = gpu.encode(frames);
  CHECK((ea.features - eb.features.cpu()).abs().max().item<double>() < 1e-2);
}

TEST_CASE("pil_resize gives Pillow's bytes (SAM's ResizeLongestSide) on the reference frames", "[segmenter]") {
  int checked = 0;
  for (const ReferenceFrame& f : read_index()) {
    if (f.model != kModel) continue;
    const at::Tensor frame = read_npy(reference_dir() + "/frames/" + f.stem() + ".rgb.npy");
    const at::Tensor pil = read_npy(reference_dir() + "/" + f.model + "/" + f.stem() + ".resized.npy"); // [h,w,3]
    REQUIRE(frame.defined());
    REQUIRE(pil.defined());
    CAPTURE(f.stem());
    const at::Tensor ours = trackkit::pil_resize(frame.permute({2, 0, 1}), pil.size(0), pil.size(1));
    CHECK(at::equal(ours.permute({1, 2, 0}), pil));
    ++checked;
  }
  if (checked == 0) TK_SKIP("no segmenter reference in " + reference_dir() + " (scripts/segmenter-models.sh)");
  const at::Tensor img = at::zeros({3, 4, 4}, at::kByte);
  CHECK(contains(error_of([&] { trackkit::pil_resize(img.to(at::kFloat), 2, 2); }), "pil_resize: images"));
  CHECK(contains(error_of([&] { trackkit::pil_resize(img.narrow(1, 0, 0), 2, 2); }), "H, W > 0"));
  CHECK(contains(error_of([&] { trackkit::pil_resize(img, 0, 2); }), "pil_resize: out_h"));
}

TEST_CASE("pil_resize on CUDA equals the CPU bit for bit", "[segmenter][cuda]") {
  if (!trackkit::cuda_available()) TK_SKIP("no CUDA device");
  at::manual_seed(3);
  const at::Tensor frames = at::randint(0, 256, {2, 3, 1080, 1920}, at::kByte);
  for (const auto& [h, w] : std::vector<std::pair<int64_t, int64_t>>{{576, 1024}, {2000, 3000}, {37, 1920}}) {
    CAPTURE(h, w);
    const at::Tensor cpu = trackkit::pil_resize(frames, h, w);
    const at::Tensor cuda = trackkit::pil_resize(frames.cuda(), h, w);
    std::printf("pil_resize cuda vs cpu 1920x1080 -> %lldx%lld: %lld values differ\n", static_cast<long long>(w),
                static_cast<long long>(h), static_cast<long long>((cuda.cpu() != cpu).sum().item<int64_t>()));
    CHECK(at::equal(cuda.cpu(), cpu));
  }
}
