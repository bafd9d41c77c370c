#pragma once
// The checks of FaceQualityOptions, shared by the quality functions and FaceClusterer (which names the field
// options.quality.<name>).
#include <string_view>

#include "trackkit/face_cluster.hpp"

namespace trackkit::detail {

/// Throws Error(InvalidArgument) "<function>: <prefix><field> ..." for an option out of its range.
void check_quality_options(std::string_view function, std::string_view prefix, const FaceQualityOptions& options);

} // namespace trackkit::detail
