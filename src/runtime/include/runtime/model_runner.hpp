#pragma once
// A model for inference behind one interface, whichever form it was exported in: a TorchScript archive (any device,
// cast to the precision asked for; ScriptModel) or an AOTInductor package ("*.pt2": compiled by
// torch._inductor.aoti_compile_and_package for one GPU architecture, one precision and one torch version;
// CompiledModel). Components that accept both (the segmenter) load through load_model_runner().
#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include <memory>
#include <string>
#include <vector>

#include "trackkit/device.hpp"

namespace trackkit::detail {

class ModelRunner {
 public:
  virtual ~ModelRunner() = default;
  /// forward() on the inputs under inference mode -> the tensors of its output, in order.
  virtual std::vector<at::Tensor> run(const std::vector<at::Tensor>& inputs) = 0;
  /// The named metadata text ("" when absent): an archive's extra file, a package's metadata entry.
  virtual std::string extra_file(const std::string& name) const = 0;
  /// "<component>: <argument> \"<path>\"" for error messages.
  virtual std::string describe() const = 0;
  /// True for a compiled package: its kernels were generated for the example inputs' layouts, so inputs must come
  /// contiguous (no channels-last) and within the sizes its metadata states.
  virtual bool compiled() const = 0;
};

/// Loads `path` as an AOTInductor package when it ends in ".pt2", else as a TorchScript archive. Errors name
/// `component` and `argument`: NotFound for a missing file, Model for anything not loadable as that kind, a package
/// compiled for another device or precision.
std::unique_ptr<ModelRunner> load_model_runner(const std::string& component, const std::string& argument,
                                               const std::string& path, c10::Device device, Precision precision,
                                               const std::vector<std::string>& extra_files);

} // namespace trackkit::detail
