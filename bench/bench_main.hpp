#pragma once
// main() of the benchmark programs that register their cases at run time (sizes, variants, models found).
#include <benchmark/benchmark.h>

inline int run_registered_benchmarks(int argc, char** argv, void (*register_all)()) {
  register_all();
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
