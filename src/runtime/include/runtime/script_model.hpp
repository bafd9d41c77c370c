#pragma once
// A TorchScript module loaded for inference: the one piece every model component (detector, segmenter,
// embedder) shares for loading with clear errors, precision, extra files (metadata) and forward. The only
// translation unit that includes the TorchScript headers is script_model.cpp, so components compile against ATen.
#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "trackkit/device.hpp"

namespace trackkit::detail {

class ScriptModel {
 public:
  /// Loads `path` onto `device` in eval mode, cast to `precision`, reading the named extra files of the archive
  /// (e.g. "config.txt", where exporters put their metadata). Errors name `component` and `argument`:
  /// NotFound for a missing file, Model for anything that is not a loadable TorchScript archive.
  ScriptModel(std::string component, std::string argument, const std::string& path, c10::Device device,
              Precision precision, const std::vector<std::string>& extra_files = {});
  ~ScriptModel();
  ScriptModel(ScriptModel&&) noexcept;
  ScriptModel& operator=(ScriptModel&&) noexcept;

  /// Runs `method` ("forward" by default) on the inputs under inference mode and returns the tensors of its
  /// output: a tensor, or the tensors of a (nested) tuple / list / dict, in order (None entries skipped). Throws Model
  /// when the method is missing or the output holds anything else.
  std::vector<at::Tensor> run(const std::vector<at::Tensor>& inputs, const std::string& method = "forward");
  bool has_method(const std::string& method) const;

  /// The extra file's text, or "" when the archive has none of that name (or it was not asked for).
  std::string extra_file(const std::string& name) const;
  const std::string& path() const { return path_; }
  c10::Device device() const { return device_; }
  Precision precision() const { return precision_; }
  /// "<component>: <argument> \"<path>\"" for error messages.
  std::string describe() const;

 private:
  struct Module;
  std::unique_ptr<Module> module_;
  std::map<std::string, std::string> extra_;
  std::string component_, argument_, path_;
  c10::Device device_;
  Precision precision_;
};

} // namespace trackkit::detail
