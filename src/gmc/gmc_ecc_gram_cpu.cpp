// CPU twin of gmc_ecc_gram.cu: the Gram matrix of one batched ECC iteration, per pair.
#include <ATen/Parallel.h>
#include <ATen/ops/zeros.h>

#include <vector>

#include "gmc_ecc_formula.hpp"
#include "gmc_torch.hpp"

namespace trackkit::detail::gmc {
namespace {

template <int P>
void gram_pairs(const EccGramInput& in, double* out, int64_t begin, int64_t end) {
  constexpr int K = P + 3, E = K * (K + 1) / 2;
  const int64_t h = in.templ.size(1), w = in.templ.size(2), hw = h * w;
  const float* t = in.templ.const_data_ptr<float>();
  const float* s = in.sources.const_data_ptr<float>();
  const float* m = in.params.const_data_ptr<float>();
  const float* r = in.offsets.const_data_ptr<float>();
  for (int64_t n = begin; n < end; ++n) {
    double acc[E] = {};
    float row[K];
    for (int64_t i = 0; i < hw; ++i) {
      if (!ecc_pixel_row<P>(t + n * hw, s + n * 3 * hw, m + n * 8, r[2 * n], r[2 * n + 1], h, w, i, row)) continue;
      for (int a = 0, e = 0; a < K; ++a) {
        for (int b = a; b < K; ++b, ++e) acc[e] += static_cast<double>(row[a]) * row[b];
      }
    }
    for (int e = 0; e < E; ++e) out[n * E + e] = acc[e];
  }
}

} // namespace

at::Tensor ecc_gram_cpu(const EccGramInput& in, int p) {
  const int64_t n = in.templ.size(0), k = p + 3;
  at::Tensor out = at::zeros({n, k * (k + 1) / 2}, in.templ.options().dtype(at::kDouble));
  double* o = out.mutable_data_ptr<double>();
  at::parallel_for(0, n, 1, [&](int64_t begin, int64_t end) {
    if (p == 2) gram_pairs<2>(in, o, begin, end);
    if (p == 3) gram_pairs<3>(in, o, begin, end);
    if (p == 6) gram_pairs<6>(in, o, begin, end);
  });
  return out;
}

} // namespace trackkit::detail::gmc
