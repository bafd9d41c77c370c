// The Segmenter against SAM's own SamPredictor (set_image + predict_torch with boxes) and SAM 2's SAM2ImagePredictor
// (set_image + predict with boxes) on real MOT17 frames with the
// ground-truth boxes as prompts: the embeddings, the IoU predictions, the low-res logits and the masks at frame
// resolution, single- and multi-mask. References come from tools/segmenter/reference_sam.py (Python on the CPU,
// FP32); the test skips, saying why, where they are missing. It prints every figure it checks ("parity ...").
#include <ATen/ATen.h>

#include <cstdio>
#include <memory>
#include <string>

#include "catch.hpp"
#include "npy.hpp"
#include "segmenter/segmenter_test_util.hpp"
#include "trackkit/segmenter.hpp"

using namespace segmenter_test;
using namespace test_npy;

namespace {

struct Tolerance {
  double iou = 1e-3;           // IoU predictions
  double mask_fraction = 0.01; // differing pixels / reference mask pixels, summed over the frame's boxes
};

Tolerance tolerance_for(trackkit::Precision p) {
  if (p == trackkit::Precision::FP32) return {};
  return {0.05, 0.10}; // FP16 / BF16 models against the FP32 reference
}

/// Pixels where a and b differ, and how many of them lie on the reference's boundary (a 3x3 neighbourhood in the
/// reference holding both values), over [N,M,H,W] masks.
struct MaskDiff {
  int64_t differ = 0, boundary = 0, reference = 0;
};
MaskDiff compare_masks(const at::Tensor& ours, const at::Tensor& reference) {
  const at::Tensor r = reference.flatten(0, 1).unsqueeze(1).to(at::kFloat);
  const at::Tensor any = at::max_pool2d(r, 3, 1, 1), all = -at::max_pool2d(-r, 3, 1, 1);
  const at::Tensor edge = (any != all).squeeze(1).view(reference.sizes());
  const at::Tensor differ = ours.cpu() != reference;
  return {differ.sum().item<int64_t>(), (differ & edge).sum().item<int64_t>(), reference.sum().item<int64_t>()};
}

} // namespace

TEST_CASE("Segmenter matches SamPredictor.predict_torch / SAM2ImagePredictor.predict on MOT17 frames", "[parity]") {
  const std::vector<ReferenceFrame> frames = read_index();
  if (frames.empty()) TK_SKIP("no segmenter reference in " + reference_dir() + " (scripts/segmenter-models.sh)");
  trackkit::SegmenterOptions options = test_options();
  options.input_bgr = false; // the references' frames are RGB
  const Tolerance tol = tolerance_for(options.precision);
  const std::string precision = trackkit::precision_name(options.precision);
  std::string loaded;
  std::unique_ptr<trackkit::Segmenter> single, multiple; // one model's pair, single- and multi-mask output
  for (const ReferenceFrame& f : frames) {
    if (!have_model(f.model)) {
      WARN("no " + f.model + " export in " + models_dir());
      continue;
    }
    if (loaded != f.model) {
      options.multimask_output = false;
      single = std::make_unique<trackkit::Segmenter>(encoder_path(f.model), decoder_path(f.model), options);
      options.multimask_output = true;
      multiple = std::make_unique<trackkit::Segmenter>(encoder_path(f.model), decoder_path(f.model), options);
      loaded = f.model;
    }
    const std::string ref = reference_dir() + "/" + f.model + "/" + f.stem();
    const at::Tensor frame = read_npy(reference_dir() + "/frames/" + f.stem() + ".rgb.npy");
    const at::Tensor boxes4 = read_npy(ref + ".boxes.npy");
    REQUIRE(frame.defined());
    REQUIRE(boxes4.defined());
    const at::Tensor boxes = at::cat({at::zeros({f.boxes, 1}), boxes4}, 1);
    // The whole path starts from the frame: encoded once, decoded by both (embeddings belong to the model).
    const trackkit::SegmenterEmbeddings e = single->encode(frame.unsqueeze(0));
    const at::Tensor ref_embedding = read_npy(ref + ".embedding.npy");
    const double emb_diff = (e.features.cpu().to(at::kFloat) - ref_embedding).abs().max().item<double>();
    trackkit::SegmenterEmbeddings given = e; // the reference's embeddings, to see the decoder alone
    given.features = ref_embedding.to(e.features.options());
    for (size_t i = 0; i < e.high_res.size(); ++i) // SAM 2: its high-resolution features too
      given.high_res[i] = read_npy(ref + ".high_res_" + std::to_string(i) + ".npy").to(e.high_res[i].options());
    for (const bool multi : {false, true}) {
      trackkit::Segmenter& seg = multi ? *multiple : *single;
      const std::string kind = multi ? "multi" : "single";
      CAPTURE(f.model, f.stem(), kind, precision);
      const int64_t m = multi ? 3 : 1;
      const at::Tensor ref_masks =
          unpack_bits(read_npy(ref + "." + kind + ".masks.npy"), {f.boxes, m, f.height, f.width});
      const at::Tensor ref_iou = read_npy(ref + "." + kind + ".iou.npy");
      const trackkit::SegmenterMasks out = seg.decode(e, boxes);
      const double iou_diff = (out.scores.cpu() - ref_iou).abs().max().item<double>();
      const MaskDiff d = compare_masks(out.masks, ref_masks);
      const trackkit::SegmenterMasks dec = seg.decode(given, boxes);
      const MaskDiff dd = compare_masks(dec.masks, ref_masks);
      const double dec_iou_diff = (dec.scores.cpu() - ref_iou).abs().max().item<double>();
      double low_diff = -1;
      // SAM2ImagePredictor returns its low-res logits clamped to [-32, 32]; ours are the decoder's own.
      const at::Tensor low = seg.family() == "sam2" ? dec.low_res.cpu().clamp(-32, 32) : dec.low_res.cpu();
      if (!multi) low_diff = (low - read_npy(ref + ".single.lowres.npy")).abs().max().item<double>();
      std::printf(
          "parity %s %s %s %s %s: %lld boxes | embeddings max|diff| %.3g | IoU max|diff| %.3g | masks: %lld of %lld "
          "reference pixels differ (%.4f%%), %lld on the boundary | decoder alone (reference embeddings): IoU "
          "%.3g, low-res max|diff| %.3g, %lld pixels differ (%.4f%%)\n",
          f.model.c_str(), f.stem().c_str(), kind.c_str(), precision.c_str(), options.device.c_str(),
          static_cast<long long>(f.boxes), emb_diff, iou_diff, static_cast<long long>(d.differ),
          static_cast<long long>(d.reference), 100.0 * d.differ / std::max<int64_t>(d.reference, 1),
          static_cast<long long>(d.boundary), dec_iou_diff, low_diff, static_cast<long long>(dd.differ),
          100.0 * dd.differ / std::max<int64_t>(dd.reference, 1));
      CHECK(out.scores.sizes() == ref_iou.sizes());
      CHECK(iou_diff <= tol.iou);
      CHECK(dec_iou_diff <= tol.iou);
      CHECK(d.differ <= tol.mask_fraction * d.reference);
      CHECK(dd.differ <= tol.mask_fraction * dd.reference);
    }
  }
}
