// Compiled with trackkit_gmc's include path: gmc does not depend on runtime, so runtime's headers are not found.
#include "runtime/device_memory.hpp"

int layering_runtime_undeclared() { return 0; }
