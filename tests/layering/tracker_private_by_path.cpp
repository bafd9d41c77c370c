// Compiled with trackkit_gmc's include path: the tracker's private header must not be found.
#include "tracker/association.hpp"

int layering_tracker_private_by_path() { return 0; }
