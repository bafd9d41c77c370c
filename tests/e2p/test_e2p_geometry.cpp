// EquirectToPinhole's geometry against analytic results: sampled positions against directions built from the
// documented convention, the synthetic test room's gridlines, a smooth sphere function through the seam and the
// poles, and a measured seam check on a real panorama.
#include <cstdio>

#include "catch.hpp"
#include "e2p/e2p_test_util.hpp"

namespace {

PinholeView make_view(double yaw, double pitch, double roll, double hfov, int64_t w, int64_t h) {
  PinholeView v;
  v.yaw = yaw, v.pitch = pitch, v.roll = roll, v.hfov = hfov, v.width = w, v.height = h;
  return v;
}

/// Centres (continuous coordinates) of the runs of `profile` above `threshold`, weighted by the excess (so grey
/// floor patches below the threshold beside a white line do not pull its centre).
std::vector<double> line_centres(const std::vector<double>& profile, double threshold) {
  std::vector<double> centres;
  for (size_t k = 0; k < profile.size();) {
    if (profile[k] <= threshold) {
      ++k;
      continue;
    }
    double mass = 0, moment = 0;
    for (; k < profile.size() && profile[k] > threshold; ++k) {
      mass += profile[k] - threshold, moment += (profile[k] - threshold) * (k + 0.5);
    }
    centres.push_back(moment / mass);
  }
  return centres;
}

std::vector<double> grey_line(const at::Tensor& image, int64_t index, bool row) {
  const at::Tensor line = (row ? image[index] : image.select(1, index)).to(at::kDouble).mean(-1).contiguous();
  return std::vector<double>(line.data_ptr<double>(), line.data_ptr<double>() + line.numel());
}

struct LineMatch {
  int checked = 0;
  double worst = 0; ///< largest distance from a predicted position to the nearest line found in the view
};

/// Each source line that `predict` maps to a view position (NaN: not visible) against the nearest view line.
template <typename Predict>
LineMatch match_lines(const std::vector<double>& source, const std::vector<double>& found, Predict predict) {
  LineMatch m;
  for (double s : source) {
    const double expected = predict(s);
    if (std::isnan(expected)) continue;
    double nearest = 1e9;
    for (double x : found) nearest = std::min(nearest, std::fabs(x - expected));
    m.worst = std::max(m.worst, nearest);
    ++m.checked;
  }
  return m;
}

} // namespace

TEST_CASE("sampled positions follow the documented yaw, pitch, roll and focal conventions") {
  const int64_t H = 500, W = 1000;
  for (const PinholeView& v : {make_view(90, 0, 0, 90, 101, 101), make_view(-135, 30, 0, 60, 64, 48),
                               make_view(20, -50, 35, 120, 80, 60), make_view(179, 88, -70, 100, 90, 70)}) {
    const at::Tensor xy = EquirectToPinhole({v}).source_coordinates(H, W)[0];
    const double fx = 0.5 * v.width / std::tan(v.hfov * M_PI / 360);
    double worst = 0;
    for (int64_t j = 0; j < v.height; j += 7) {
      for (int64_t i = 0; i < v.width; i += 5) {
        double d[3];
        e2p_test::pixel_direction(v, fx, fx, i, j, d);
        const double lon = std::atan2(d[0], d[2]), lat = std::atan2(-d[1], std::hypot(d[0], d[2]));
        const double x = (lon / (2 * M_PI) + 0.5) * W, y = (0.5 - lat / M_PI) * H;
        double dx = std::fabs(xy[j][i][0].item<float>() - x);
        dx = std::min(dx, W - dx); // the seam: x = 0 and x = W are one meridian
        worst = std::max({worst, dx, std::fabs(xy[j][i][1].item<float>() - y)});
      }
    }
    CHECK(worst < 2e-3); // pixels
  }
  // Yaw 90 looks at longitude +90 (x = 3W/4); the centre pixel of an odd-sized view is the optical axis.
  const at::Tensor c = EquirectToPinhole({make_view(90, 30, 0, 90, 101, 101)}).source_coordinates(H, W)[0][50][50];
  CHECK(c[0].item<float>() == Approx(0.75 * W).margin(1e-3));
  CHECK(c[1].item<float>() == Approx(H * (0.5 - 30.0 / 180)).margin(1e-3));
  // Positive roll: the picture's right edge looks down (larger y).
  const at::Tensor r = EquirectToPinhole({make_view(0, 0, 20, 90, 101, 101)}).source_coordinates(H, W)[0][50][100];
  CHECK(r[1].item<float>() > H / 2.0 + 10);
}

TEST_CASE("the synthetic test room's gridlines land where geometry says") {
  const e2p_test::References refs = e2p_test::load_references();
  if (refs.empty()) TK_SKIP("no e2p references (run scripts/e2p-references.sh)");
  const at::Tensor room = refs.images.at("test_room"); // 2048 x 1024, white lines every 5/15/90 degrees
  const int64_t H = room.size(0), W = room.size(1);
  const double yaw = 2.5; // 1024 x 1024, 90 degrees: f = 512
  const at::Tensor view = EquirectToPinhole({make_view(yaw, 0, 0, 90, 1024, 1024)}).project(room.unsqueeze(0))[0][0];
  const double f = 512, c = 512;
  // Meridians are vertical lines x = c + f tan(lon - yaw). Their longitudes are measured in the equirect itself
  // (a row in the black floor, latitude -33 degrees). The view's row 534 runs between the horizon and the -5 degree
  // parallel (latitude -1.8 to -2.5 degrees), so no parallel crosses it; the blue ball hides |lon| < 14 there.
  const LineMatch meridians = match_lines(line_centres(grey_line(room, 700, true), 60),
                                          line_centres(grey_line(view, 534, true), 60), [&](double x_src) {
                                            const double lon = (x_src / W - 0.5) * 360 - yaw;
                                            const bool seen = std::fabs(lon) <= 40 && std::fabs(lon) >= 16;
                                            return seen ? c + f * std::tan(lon * M_PI / 180) : NAN;
                                          });
  std::printf("test room: %d meridians within %.3f px of c + f tan(lon)\n", meridians.checked, meridians.worst);
  CHECK(meridians.checked >= 10);
  CHECK(meridians.worst < 0.4);
  // Parallels cross the centre column (longitude = yaw) at y = c - f tan(lat); measured along the equirect's
  // column at that longitude, below the horizon (the ball hides -14 < lat < 14).
  const int64_t src_col = static_cast<int64_t>((yaw / 360 + 0.5) * W);
  const LineMatch parallels = match_lines(line_centres(grey_line(room, src_col, false), 60),
                                          line_centres(grey_line(view, 511, false), 60), [&](double y_src) {
                                            const double lat = (0.5 - y_src / H) * 180;
                                            return lat <= -3 && lat >= -40 ? c - f * std::tan(lat * M_PI / 180) : NAN;
                                          });
  std::printf("test room: %d parallels within %.3f px of c - f tan(lat)\n", parallels.checked, parallels.worst);
  CHECK(parallels.checked >= 5);
  CHECK(parallels.worst < 0.4);
}

TEST_CASE("sampling continues through the seam and over the poles (smooth sphere function)") {
  // A coarse equirect (256 x 128) of a smooth function: interpolation error is small everywhere, while a sampler
  // that clamps at the seam or the poles errs by about |gradient| x half a pixel (~0.03) there.
  const at::Tensor sphere = e2p_test::sphere_equirect(128, 256);
  const std::vector<PinholeView> views = {make_view(180, 0, 0, 60, 64, 64), make_view(0, 90, 0, 60, 64, 64),
                                          make_view(-60, -90, 30, 60, 64, 64), make_view(180, 84, 10, 90, 64, 64),
                                          make_view(90, -80, -45, 120, 64, 64)};
  for (auto mode : {trackkit::E2PInterpolation::Bilinear, trackkit::E2PInterpolation::Bicubic}) {
    trackkit::E2POptions options;
    options.interpolation = mode;
    const at::Tensor out = EquirectToPinhole(views, options).project(sphere)[0];
    double worst = 0;
    for (size_t k = 0; k < views.size(); ++k) {
      const PinholeView& v = views[k];
      const double f = 0.5 * v.width / std::tan(v.hfov * M_PI / 360);
      const at::Tensor o = out[static_cast<int64_t>(k)].contiguous();
      const float* p = o.data_ptr<float>();
      for (int64_t j = 0; j < v.height; ++j) {
        for (int64_t i = 0; i < v.width; ++i) {
          double d[3];
          e2p_test::pixel_direction(v, f, f, i, j, d);
          const double n = std::sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]);
          worst = std::max(worst, std::fabs(p[j * v.width + i] - e2p_test::sphere_value(d[0] / n, d[1] / n, d[2] / n)));
        }
      }
    }
    std::printf("sphere function, %s: max error %.5f\n", trackkit::e2p_interpolation_name(mode), worst);
    // Keys' cubic with a = -0.75 reproduces constants but not slopes, so it errs more than bilinear on a coarse
    // smooth image; both stay far below a clamped seam or pole.
    CHECK(worst < (mode == trackkit::E2PInterpolation::Bilinear ? 2e-3 : 8e-3));
  }
}

TEST_CASE("no seam column: a view across the seam equals the same view of the panorama turned by 180 degrees") {
  const e2p_test::References refs = e2p_test::load_references();
  if (refs.empty()) TK_SKIP("no e2p references (run scripts/e2p-references.sh)");
  const at::Tensor andes = refs.images.at("andes").unsqueeze(0); // 2048 x 1024
  const at::Tensor turned = at::roll(andes, {andes.size(2) / 2}, {2});
  // (Nearest is left out: the turned panorama's positions differ by float rounding, which flips ties.)
  for (auto mode : {trackkit::E2PInterpolation::Bilinear, trackkit::E2PInterpolation::Bicubic}) {
    trackkit::E2POptions options;
    options.interpolation = mode;
    const at::Tensor across = EquirectToPinhole({make_view(180, 10, 0, 90, 512, 384)}, options).project(andes)[0][0];
    const at::Tensor front = EquirectToPinhole({make_view(0, 10, 0, 90, 512, 384)}, options).project(turned)[0][0];
    const at::Tensor diff = (across.to(at::kInt) - front.to(at::kInt)).abs();
    const double worst_column = diff.to(at::kDouble).mean(at::IntArrayRef{0, 2}).max().item<double>();
    // The seam runs down the middle (columns 255 | 256): its step against the median step between columns.
    const at::Tensor steps = (across.narrow(1, 1, 511).to(at::kDouble) - across.narrow(1, 0, 511).to(at::kDouble))
                                 .abs()
                                 .mean(at::IntArrayRef{0, 2});
    const double ratio = steps[255].item<double>() / steps.median().item<double>();
    std::printf("seam, %s: max |diff| %d, worst column mean %.4f, seam step / median step %.2f\n",
                trackkit::e2p_interpolation_name(mode), diff.max().item<int>(), worst_column, ratio);
    CHECK(diff.max().item<int>() <= 1);
    CHECK(worst_column < 0.05);
    CHECK(ratio < 3);
  }
}

TEST_CASE("presets: views around the horizon and cube faces") {
  const auto ring = EquirectToPinhole::horizon(8, 640, 480, 90, -10, 5);
  REQUIRE(ring.size() == 8);
  CHECK(ring[3].yaw == Approx(5 + 135));
  CHECK(ring[7].pitch == Approx(-10));
  const auto cube = EquirectToPinhole::cube_faces(65);
  REQUIRE(cube.size() == 6);
  const at::Tensor xy = EquirectToPinhole(cube).source_coordinates(200, 400);
  // Face centres: front (lon 0), right (+90), back (seam), left (-90), up (north pole), down (south pole).
  const double centres[6][2] = {{200, 100}, {300, 100}, {0, 100}, {100, 100}, {-1, 0}, {-1, 200}};
  for (int k = 0; k < 6; ++k) {
    const at::Tensor c = xy[k][32][32];
    if (centres[k][0] >= 0) {
      const double dx = std::fabs(c[0].item<float>() - centres[k][0]);
      CHECK(std::min(dx, 400 - dx) < 1e-2);
    }
    CHECK(c[1].item<float>() == Approx(centres[k][1]).margin(1e-2));
  }
  // The up face's bottom edge looks at the front (longitude 0), the down face's top edge too.
  CHECK(xy[4][64][32][0].item<float>() == Approx(200).margin(0.5));
  CHECK(xy[5][0][32][0].item<float>() == Approx(200).margin(0.5));
}
