#pragma once
// An AOTInductor package ("*.pt2") loaded for inference on CUDA. TorchInductor fuses the model's elementwise work
// and picks its kernels ahead of time, which TorchScript's interpreter cannot (MobileSAM: 1.6x the frames/s,
// docs/segmenter.md). A package holds machine code for one GPU architecture, one precision and one torch version:
// it is compiled on the machine it runs on (tools/segmenter/compile_aoti.py) and states its precision in its
// metadata ("trackkit.precision"), checked at load.
#include <memory>
#include <string>
#include <unordered_map>

#include "runtime/model_runner.hpp"

namespace trackkit::detail {

class CompiledModel final : public ModelRunner {
 public:
  /// Throws Error naming `component` and `argument`: NotFound for a missing file; Model for a device other than
  /// CUDA, a file that is not a loadable package, a package for another device or another precision.
  CompiledModel(std::string component, std::string argument, const std::string& path, c10::Device device,
                Precision precision);
  ~CompiledModel() override;

  std::vector<at::Tensor> run(const std::vector<at::Tensor>& inputs) override;
  std::string extra_file(const std::string& name) const override;
  std::string describe() const override;
  bool compiled() const override { return true; }

 private:
  struct Loader;
  std::unique_ptr<Loader> loader_;
  std::unordered_map<std::string, std::string> metadata_;
  std::string component_, argument_, path_;
  c10::Device device_;
};

} // namespace trackkit::detail
