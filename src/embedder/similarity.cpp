#include "similarity.hpp"

#include <ATen/ATen.h>

#include <string>
#include <vector>

#include "trackkit/check.hpp"

namespace trackkit::detail {

at::Tensor template_points(const CropOptions& o) {
  if (!o.template_points.empty()) {
    return at::tensor(std::vector<double>(o.template_points.begin(), o.template_points.end()), at::kDouble)
        .view({5, 2});
  }
  // insightface's arcface_dst (python/insightface/utils/face_align.py), for 112x112 crops.
  const at::Tensor arcface =
      at::tensor({38.2946, 51.6963, 73.5318, 51.5014, 56.0252, 71.7366, 41.5493, 92.3655, 70.7299, 92.2041},
                 at::kDouble)
          .view({5, 2});
  double sx = o.width / 112.0, sy = o.height / 112.0, offset_x = 0;
  if (o.width == o.height && o.width % 112 != 0 && o.width % 128 == 0) // norm_crop's 128-multiple sizes
    sx = sy = o.width / 128.0, offset_x = 8.0 * sx;
  return arcface * at::tensor({sx, sy}, at::kDouble) + at::tensor({offset_x, 0.0}, at::kDouble);
}

at::Tensor similarity_transforms(std::string_view function, const at::Tensor& landmarks, const CropOptions& o,
                                 c10::Device device) {
  TensorCheck check(function, "landmarks", landmarks);
  check.shape({"N", 5, 2}).floating();
  const at::Tensor src = landmarks.to(device, at::kDouble);
  const at::Tensor dst = template_points(o).to(device);
  // Umeyama's similarity without reflection has a closed form in 2-D: with centred points p (landmarks) and q
  // (template), scale * rotation = [[a, -b], [b, a]] where a = sum(p . q) / sum|p|^2, b = sum(p x q) / sum|p|^2.
  const at::Tensor src_mean = src.mean(1, true), dst_mean = dst.mean(0, true).unsqueeze(0);
  const at::Tensor p = src - src_mean, q = dst.unsqueeze(0) - dst_mean;
  const at::Tensor px = p.select(2, 0), py = p.select(2, 1), qx = q.select(2, 0), qy = q.select(2, 1);
  const at::Tensor spread = (px * px + py * py).sum(1);
  if (src.size(0) > 0) {
    const at::Tensor flags = at::stack({~at::isfinite(src).all(), (spread <= 1e-12).any()}).cpu();
    if (flags[0].item<bool>()) check.fail_nonfinite();
    if (flags[1].item<bool>()) {
      const int64_t row = at::argmax((spread <= 1e-12).to(at::kInt)).item<int64_t>();
      check.fail("row " + std::to_string(row) + " is degenerate (all five points equal)");
    }
  }
  const at::Tensor a = ((px * qx + py * qy).sum(1) / spread).view({-1, 1});
  const at::Tensor b = ((px * qy - py * qx).sum(1) / spread).view({-1, 1});
  const at::Tensor mx = src_mean.select(2, 0), my = src_mean.select(2, 1); // [N,1]
  const at::Tensor tx = dst_mean.select(2, 0) - (a * mx - b * my), ty = dst_mean.select(2, 1) - (b * mx + a * my);
  return at::cat({a, -b, tx, b, a, ty}, 1).view({-1, 2, 3});
}

at::Tensor invert_similarity(const at::Tensor& m) {
  // [[a, -b], [b, a]]^-1 = [[a, b], [-b, a]] / (a^2 + b^2); translation -R^-1 t.
  const at::Tensor a = m.select(1, 0).select(1, 0).view({-1, 1}), b = m.select(1, 1).select(1, 0).view({-1, 1});
  const at::Tensor tx = m.select(1, 0).select(1, 2).view({-1, 1}), ty = m.select(1, 1).select(1, 2).view({-1, 1});
  const at::Tensor d = a * a + b * b;
  const at::Tensor ia = a / d, ib = b / d;
  return at::cat({ia, ib, -(ia * tx + ib * ty), -ib, ia, -(-ib * tx + ia * ty)}, 1).view({-1, 2, 3});
}

} // namespace trackkit::detail
