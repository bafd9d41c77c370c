#pragma once
// Command-line reading shared by the example programs.
#include <cstdlib>
#include <stdexcept>
#include <string>

namespace examples {

/// $TRACKKIT_DATA, else ../shared/data (the layout of this project's checkout).
inline std::string default_data_dir() {
  const char* env = std::getenv("TRACKKIT_DATA");
  return env != nullptr ? env : "../shared/data";
}

/// The value after option argv[i] (advancing i); throws naming the program and the option when missing.
inline std::string option_value(const char* program, int argc, char** argv, int& i) {
  if (i + 1 >= argc) throw std::runtime_error(std::string(program) + ": " + argv[i] + " needs a value");
  return argv[++i];
}

} // namespace examples
