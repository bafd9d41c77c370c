#include "runtime/model_runner.hpp"

#include "compiled_model.hpp"
#include "runtime/script_model.hpp"

namespace trackkit::detail {

namespace {

class ScriptRunner final : public ModelRunner {
 public:
  ScriptRunner(const std::string& component, const std::string& argument, const std::string& path, c10::Device device,
               Precision precision, const std::vector<std::string>& extra_files)
      : model_(component, argument, path, device, precision, extra_files) {}
  std::vector<at::Tensor> run(const std::vector<at::Tensor>& inputs) override { return model_.run(inputs); }
  std::string extra_file(const std::string& name) const override { return model_.extra_file(name); }
  std::string describe() const override { return model_.describe(); }
  bool compiled() const override { return false; }

 private:
  ScriptModel model_;
};

bool ends_with(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

} // namespace

std::unique_ptr<ModelRunner> load_model_runner(const std::string& component, const std::string& argument,
                                               const std::string& path, c10::Device device, Precision precision,
                                               const std::vector<std::string>& extra_files) {
  if (ends_with(path, ".pt2")) return std::make_unique<CompiledModel>(component, argument, path, device, precision);
  return std::make_unique<ScriptRunner>(component, argument, path, device, precision, extra_files);
}

} // namespace trackkit::detail
