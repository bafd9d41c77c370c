// Compiled with trackkit_pipeline's include path: the pipeline uses the tracker through its public header only.
#include "kalman_filter.hpp"

int layering_tracker_private() { return 0; }
