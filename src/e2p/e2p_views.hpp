#pragma once
// Host-side camera arithmetic of EquirectToPinhole (e2p_views.cpp).
#include <cstdint>
#include <vector>

#include "e2p_formula.hpp"
#include "trackkit/e2p.hpp"

namespace trackkit::detail::e2p {

struct Focal {
  double fx, fy; // pixels
};

/// Throws Error naming the view and field for an empty set, bad sizes, angles, fields of view or focal lengths,
/// or views of different sizes.
void check_views(const std::vector<PinholeView>& views);
Focal focal_lengths(const PinholeView& view);
/// The view's ray coefficients (e2p_formula.hpp), from its rotation and focal lengths in double precision.
ViewRays view_rays(const PinholeView& view);
Equirect equirect_of(int64_t height, int64_t width);

} // namespace trackkit::detail::e2p
