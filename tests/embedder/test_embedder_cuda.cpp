// CUDA against CPU: crop kernels (box and aligned, float32 and float16: the same formula without fused
// multiply-adds, so equal to the last bit), agglomerative clustering on one distance matrix (identical merges),
// density clustering, and embeddings through the models. Skips without a GPU.
#include <ATen/ATen.h>

#include <string>

#include "catch.hpp"
#include "embedder/embedder_test_util.hpp"
#include "trackkit/cluster.hpp"
#include "trackkit/device.hpp"
#include "trackkit/embedder.hpp"

namespace {

at::Tensor random_boxes(int64_t n, int64_t frames, int64_t h, int64_t w) {
  const at::Tensor x1 = at::rand({n}, at::kDouble) * (w + 40) - 20, y1 = at::rand({n}, at::kDouble) * (h + 40) - 20;
  const at::Tensor bw = at::rand({n}, at::kDouble) * 200 + 2, bh = at::rand({n}, at::kDouble) * 300 + 2;
  at::Tensor b = at::stack({at::randint(0, frames, {n}, at::kDouble), x1.clamp(-20, w - 10), y1.clamp(-20, h - 10),
                            x1.clamp(-20, w - 10) + bw, y1.clamp(-20, h - 10) + bh},
                           1);
  b.select(1, 1).add_(1e-3 * at::arange(n, at::kDouble)); // fractional edges too
  return b;
}

} // namespace

TEST_CASE("crops: CUDA equals CPU to the last bit", "[embedder][cuda]") {
  if (!trackkit::cuda_available()) TK_SKIP("no CUDA device");
  at::manual_seed(11);
  const at::Tensor frames = at::randint(0, 256, {3, 270, 480, 3}, at::kByte);
  const at::Tensor boxes = random_boxes(500, 3, 270, 480);
  const at::Tensor landmarks = at::rand({300, 5, 2}, at::kDouble) * 40 +
                               embedder_test::doubles({30., 50, 70, 50, 50, 70, 35, 90, 65, 90}).view({1, 5, 2}) +
                               at::rand({300, 1, 2}, at::kDouble) * 400 - 50;
  const at::Tensor index = at::randint(0, 3, {300}, at::kLong);
  for (auto dtype : {at::kFloat, at::kHalf}) {
    for (auto preset : {trackkit::CropPreset::ImageNet, trackkit::CropPreset::ArcFace}) {
      trackkit::CropOptions o;
      o.preset = preset, o.dtype = dtype, o.fill = 31;
      const at::Tensor cpu = trackkit::crop_boxes(frames, boxes, o);
      const at::Tensor gpu = trackkit::crop_boxes(frames.cuda(), boxes.cuda(), o).cpu();
      CHECK(at::equal(cpu, gpu));
      const at::Tensor a_cpu = trackkit::crop_aligned(frames, landmarks, index, o);
      const at::Tensor a_gpu = trackkit::crop_aligned(frames.cuda(), landmarks.cuda(), index.cuda(), o).cpu();
      // The similarity is estimated by tensor operations on each device (reductions may round differently).
      CHECK((a_cpu.to(at::kFloat) - a_gpu.to(at::kFloat)).abs().max().item<double>() <
            (dtype == at::kFloat ? 1e-3 : 1e-2));
    }
  }
}

TEST_CASE("clustering: CUDA equals CPU on the same distances", "[embedder][cuda]") {
  if (!trackkit::cuda_available()) TK_SKIP("no CUDA device");
  at::manual_seed(5);
  // 60 identities, 2000 noisy samples in 64 dimensions.
  const at::Tensor centres = at::randn({60, 64}), which = at::randint(0, 60, {2000}, at::kLong);
  at::Tensor e = centres.index_select(0, which) + 0.6 * at::randn({2000, 64});
  e = e / e.norm(2, 1, true);
  at::Tensor d = (1 - at::mm(e, e.t())).clamp(0, 2);
  d.fill_diagonal_(0);
  for (auto linkage : {trackkit::Linkage::Average, trackkit::Linkage::Complete, trackkit::Linkage::Single}) {
    trackkit::ClusterOptions o;
    o.linkage = linkage, o.distance_threshold = linkage == trackkit::Linkage::Single ? 0.2 : 0.5;
    const at::Tensor cpu = trackkit::cluster_distances(d, o), gpu = trackkit::cluster_distances(d.cuda(), o);
    CHECK(gpu.is_cuda());
    CHECK(at::equal(cpu, gpu.cpu()));
    std::printf("embedder-cluster-cuda linkage %d: %lld clusters, purity %.4f, ARI %.4f vs true ids\n",
                static_cast<int>(linkage), static_cast<long long>(cpu.max().item<int64_t>() + 1),
                trackkit::score_clusters(cpu, which).purity, trackkit::score_clusters(cpu, which).adjusted_rand);
  }
  trackkit::ClusterOptions o;
  o.method = trackkit::ClusterMethod::Density, o.eps = 0.45, o.min_samples = 5;
  CHECK(at::equal(trackkit::cluster_distances(d, o), trackkit::cluster_distances(d.cuda(), o).cpu()));
}

TEST_CASE("embeddings: CUDA equals CPU through the models", "[embedder][cuda]") {
  if (!trackkit::cuda_available()) TK_SKIP("no CUDA device");
  const std::string model = embedder_test::models_dir() + "/osnet_x0_25_msmt17.torchscript";
  if (!embedder_test::have(model)) TK_SKIP("no " << model);
  at::manual_seed(2);
  const at::Tensor frames = at::randint(0, 256, {2, 200, 300, 3}, at::kByte);
  const at::Tensor boxes = random_boxes(64, 2, 200, 300);
  trackkit::EmbedderOptions o;
  o.device = "cpu";
  const at::Tensor cpu = trackkit::Embedder(model, o).embed(frames, boxes);
  o.device = "cuda";
  const at::Tensor gpu = trackkit::Embedder(model, o).embed(frames, boxes);
  const double worst = 1 - embedder_test::row_cosine(cpu, gpu).min().item<double>();
  std::printf("embedder-cuda OSNet CPU vs CUDA FP32: 1 - cosine max %.2e\n", worst);
  CHECK(worst < 1e-4);
}
