// Compiled with trackkit_gmc's include path: its own private header and core's offered header must be found.
#include "core/log.hpp"
#include "gmc_internal.hpp"

int layering_gmc_allowed() { return 0; }
