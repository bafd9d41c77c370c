// EquirectToPinhole's contract: argument errors naming the argument, layouts, dtypes, batching, strides.
#include "catch.hpp"
#include "e2p/e2p_test_util.hpp"
#include "trackkit/error.hpp"

namespace {

/// A deterministic textured uint8 equirect batch [B,H,W,C] (not constant, not zero).
at::Tensor texture(int64_t b, int64_t h, int64_t w, int64_t c) {
  const at::Tensor i = at::arange(b * h * w * c, at::kLong).reshape({b, h, w, c});
  return ((i * 7919 + (i / (w * c)) * 131) % 251).to(at::kByte);
}

std::vector<PinholeView> some_views(int n) {
  std::vector<PinholeView> views = EquirectToPinhole::horizon(n, 48, 32, 100, 20);
  for (size_t k = 0; k < views.size(); ++k)
    views[k].roll = 13.0 * static_cast<double>(k), views[k].pitch = -85 + 37.0 * k;
  return views;
}

} // namespace

TEST_CASE("bad arguments throw errors naming the argument") {
  const EquirectToPinhole e2p(some_views(2));
  CHECK_THROWS_WITH(e2p.project(at::zeros({8, 16, 3}, at::kByte)),
                    "EquirectToPinhole: frames must have 4 dimensions, got shape [8,16,3]");
  CHECK_THROWS_WITH(e2p.project(at::zeros({1, 8, 16, 3}, at::kInt)),
                    "EquirectToPinhole: frames must have dtype Byte or Half or Float, got Int");
  CHECK_THROWS_WITH(e2p.project(at::zeros({0, 8, 16, 3}, at::kByte)),
                    "EquirectToPinhole: frames must hold at least one frame [B,H,W,C] (layout NHWC), got [0,8,16,3]");
  CHECK_THROWS_WITH(
      e2p.project(at::zeros({1, 1, 16, 3}, at::kByte)),
      "EquirectToPinhole: frames must be [B,H,W,C] (layout NHWC) with H >= 2, W >= 2, C >= 1, got [1,1,16,3]");
  at::Tensor out = at::empty({1, 2, 32, 48, 4}, at::kByte);
  CHECK_THROWS_WITH(e2p.project_into(at::zeros({1, 8, 16, 3}, at::kByte), out),
                    "EquirectToPinhole: out must have shape [1,2,32,48,3], got [1,2,32,48,4]");
  CHECK_THROWS_WITH(EquirectToPinhole({}), "EquirectToPinhole: views must hold at least one view");
  PinholeView v;
  v.hfov = 180;
  CHECK_THROWS_WITH(EquirectToPinhole({v}),
                    "EquirectToPinhole: views[0].hfov must be in (0,180) degrees, got 180.000000");
  v.hfov = 90, v.yaw = NAN;
  CHECK_THROWS_WITH(EquirectToPinhole({v}), "EquirectToPinhole: views[0].yaw must be finite, got nan");
  PinholeView small;
  small.width = 10;
  CHECK_THROWS_WITH(EquirectToPinhole({PinholeView(), small}),
                    "EquirectToPinhole: views[1] must have the size of views[0] (1920x1080), got 10x1080");
  E2POptions o;
  o.cuda_pixels_per_thread = 3;
  CHECK_THROWS_WITH(EquirectToPinhole({PinholeView()}, o),
                    "EquirectToPinhole: options.cuda_pixels_per_thread must be 1, 2 or 4, got 3");
  // The view factories check their arguments at once (issue 26: width 0, hfov 0 or 400, NaN pitch, size -1).
  CHECK_THROWS_WITH(EquirectToPinhole::horizon(4, 0, 100, 90, 0),
                    "EquirectToPinhole::horizon: width must be > 0, got 0");
  CHECK_THROWS_WITH(EquirectToPinhole::horizon(4, 100, 100, 0, 0),
                    "EquirectToPinhole::horizon: hfov must be in (0,180) degrees, got 0.000000");
  CHECK_THROWS_WITH(EquirectToPinhole::horizon(4, 100, 100, 400, 0),
                    "EquirectToPinhole::horizon: hfov must be in (0,180) degrees, got 400.000000");
  CHECK_THROWS_WITH(EquirectToPinhole::horizon(4, 100, 100, 90, NAN),
                    "EquirectToPinhole::horizon: pitch must be finite, got nan");
  CHECK_THROWS_WITH(EquirectToPinhole::cube_faces(-1), "EquirectToPinhole::cube_faces: size must be > 0, got -1");
  CHECK_THROWS_WITH(trackkit::parse_e2p_interpolation("area"),
                    "parse_e2p_interpolation: interpolation must be nearest, bilinear or bicubic, got 'area'");
  try {
    e2p.project(at::zeros({1, 8, 16, 3}, at::kDouble));
    FAIL("no error");
  } catch (const trackkit::Error& e) {
    CHECK(e.code() == trackkit::ErrorCode::InvalidArgument);
  }
}

TEST_CASE("NCHW equals NHWC, every dtype agrees, and a focal length equals its field of view") {
  const at::Tensor frames = texture(2, 40, 80, 3);
  for (auto mode : {E2PInterpolation::Nearest, E2PInterpolation::Bilinear, E2PInterpolation::Bicubic}) {
    E2POptions nhwc, nchw;
    nhwc.interpolation = nchw.interpolation = mode;
    nchw.layout = E2PLayout::NCHW;
    const at::Tensor a = EquirectToPinhole(some_views(3), nhwc).project(frames);
    const at::Tensor b = EquirectToPinhole(some_views(3), nchw).project(frames.permute({0, 3, 1, 2}).contiguous());
    REQUIRE(a.sizes() == at::IntArrayRef({2, 3, 32, 48, 3}));
    REQUIRE(b.sizes() == at::IntArrayRef({2, 3, 3, 32, 48}));
    CHECK(at::equal(a, b.permute({0, 1, 3, 4, 2})));
    // float32 of the same values: the uint8 result is the float result rounded (to nearest, ties to even), clamped.
    const at::Tensor f = EquirectToPinhole(some_views(3), nhwc).project(frames.to(at::kFloat));
    CHECK(at::equal(a, at::round(f).clamp(0, 255).to(at::kByte)));
    const at::Tensor h = EquirectToPinhole(some_views(3), nhwc).project(frames.to(at::kHalf));
    CHECK((h.to(at::kFloat) - f).abs().max().item<float>() <= 0.25f); // fp16 holds 0..255 to 1/8 level
  }
  PinholeView by_fov, by_focal;
  by_fov.hfov = 90, by_fov.vfov = 60, by_fov.width = 40, by_fov.height = 30;
  by_focal = by_fov;
  by_focal.fx = 20, by_focal.fy = 15 / std::tan(M_PI / 6);
  CHECK(at::allclose(EquirectToPinhole({by_fov}).source_coordinates(50, 100),
                     EquirectToPinhole({by_focal}).source_coordinates(50, 100)));
}

TEST_CASE("batches: every frame x view equals its own projection, with strides, chunks and capacity") {
  const at::Tensor frames = texture(3, 30, 60, 4);
  const EquirectToPinhole many(some_views(70)); // more than a CUDA launch's 64 views
  const at::Tensor all = many.project(frames);
  REQUIRE(all.sizes() == at::IntArrayRef({3, 70, 32, 48, 4}));
  for (int64_t b : {0, 2}) {
    for (int64_t v : {0, 41, 69}) {
      const EquirectToPinhole one({many.views()[static_cast<size_t>(v)]});
      CHECK(at::equal(all[b][v], one.project(frames.narrow(0, b, 1))[0][0]));
    }
  }
  // A strided (non-contiguous) batch gives the same views as its contiguous copy.
  const at::Tensor strided = texture(3, 30, 120, 4).narrow(2, 0, 60);
  CHECK(at::equal(many.project(strided), many.project(strided.contiguous())));
  // project_batches visits every frame once, in order, in chunks of at most `batch`.
  int64_t batch = 2, seen = 0;
  many.project_batches(frames, batch, [&](int64_t first, const at::Tensor& views) {
    CHECK(first == seen);
    CHECK(at::equal(views, all.narrow(0, first, views.size(0))));
    seen += views.size(0);
  });
  CHECK(seen == 3);
  CHECK(many.batch_capacity(3840, 7680, 3, at::kByte, c10::Device(c10::kCPU)) == (int64_t{1} << 20));
}

TEST_CASE("nearest copies input pixels and uint8 bicubic stays in range") {
  const at::Tensor frames = texture(1, 20, 40, 3);
  E2POptions o;
  o.interpolation = E2PInterpolation::Nearest;
  const at::Tensor out = EquirectToPinhole(some_views(4), o).project(frames).reshape({-1, 3});
  // Every output pixel is one of the input's pixels (all three channels together).
  const at::Tensor in = frames.reshape({-1, 3}).to(at::kLong);
  const at::Tensor keys_in = in.select(1, 0) * 65536 + in.select(1, 1) * 256 + in.select(1, 2);
  const at::Tensor o64 = out.to(at::kLong);
  const at::Tensor keys_out = o64.select(1, 0) * 65536 + o64.select(1, 1) * 256 + o64.select(1, 2);
  CHECK(at::isin(keys_out, keys_in).all().item<bool>());
  // A checkerboard of 0 / 255 makes Keys' cubic overshoot; uint8 results are clamped, float ones are not.
  const at::Tensor board = ((at::arange(20).view({20, 1, 1}) + at::arange(40).view({1, 40, 1})) % 2 * 255)
                               .expand({20, 40, 1})
                               .unsqueeze(0)
                               .contiguous();
  o.interpolation = E2PInterpolation::Bicubic;
  const EquirectToPinhole cubic(some_views(2), o);
  const at::Tensor f = cubic.project(board.to(at::kFloat));
  CHECK(f.max().item<float>() > 255.5f);
  CHECK(at::equal(cubic.project(board.to(at::kByte)), at::round(f).clamp(0, 255).to(at::kByte)));
}
