#include "runtime/script_model.hpp"

#include <ATen/ATen.h>
#include <torch/csrc/jit/runtime/graph_executor.h>
#include <torch/script.h>

#include <filesystem>
#include <unordered_map>

#include "trackkit/error.hpp"

namespace trackkit::detail {

struct ScriptModel::Module {
  torch::jit::script::Module module;
};

namespace {

void collect_tensors(const c10::IValue& value, std::vector<at::Tensor>& out, bool& only_tensors) {
  if (value.isTensor()) {
    out.push_back(value.toTensor());
  } else if (value.isTuple()) {
    for (const auto& element : value.toTupleRef().elements()) collect_tensors(element, out, only_tensors);
  } else if (value.isList()) {
    for (const auto& element : value.toListRef()) collect_tensors(element, out, only_tensors);
  } else if (value.isGenericDict()) {
    for (const auto& entry : value.toGenericDict()) collect_tensors(entry.value(), out, only_tensors);
  } else if (!value.isNone()) { // None entries (unused optional outputs) are skipped
    only_tensors = false;
  }
}

} // namespace

ScriptModel::ScriptModel(std::string component, std::string argument, const std::string& path, c10::Device device,
                         Precision precision, const std::vector<std::string>& extra_files)
    : module_(std::make_unique<Module>()),
      component_(std::move(component)),
      argument_(std::move(argument)),
      path_(path),
      device_(device),
      precision_(precision) {
  if (!std::filesystem::is_regular_file(path)) {
    throw Error(ErrorCode::NotFound, describe() + " does not exist or is not a file");
  }
  std::unordered_map<std::string, std::string> extra;
  for (const auto& name : extra_files) extra[name] = "";
  try {
    module_->module = torch::jit::load(path, device, extra);
  } catch (const std::exception& e) {
    std::string why = e.what();
    why = why.substr(0, why.find('\n'));
    throw Error(ErrorCode::Model, describe() + " is not a loadable TorchScript archive (" + why + ")");
  }
  module_->module.eval();
  if (precision != Precision::FP32) module_->module.to(scalar_type(precision));
  extra_.insert(extra.begin(), extra.end());
}

ScriptModel::~ScriptModel() = default;
ScriptModel::ScriptModel(ScriptModel&&) noexcept = default;
ScriptModel& ScriptModel::operator=(ScriptModel&&) noexcept = default;

std::string ScriptModel::describe() const { return component_ + ": " + argument_ + " \"" + path_ + "\""; }

bool ScriptModel::has_method(const std::string& method) const {
  return module_->module.find_method(method).has_value();
}

std::string ScriptModel::extra_file(const std::string& name) const {
  const auto it = extra_.find(name);
  return it == extra_.end() ? std::string() : it->second;
}

std::vector<at::Tensor> ScriptModel::run(const std::vector<at::Tensor>& inputs, const std::string& method) {
  const auto found = module_->module.find_method(method);
  if (!found) throw Error(ErrorCode::Model, describe() + " has no method \"" + method + "\"");
  const c10::InferenceMode no_autograd;
  // The profiling executor would re-specialise and fuse the graph for every new input shape, stalling the
  // first calls at each batch size for up to seconds; the plain interpreter runs the same ops at once.
  const torch::jit::GraphOptimizerEnabledGuard no_reoptimisation(false);
  std::vector<c10::IValue> stack(inputs.begin(), inputs.end());
  const c10::IValue out = (*found)(std::move(stack));
  std::vector<at::Tensor> tensors;
  bool only_tensors = true;
  collect_tensors(out, tensors, only_tensors);
  if (!only_tensors || tensors.empty()) {
    throw Error(ErrorCode::Model, describe() + ": " + method + "() returns " + out.tagKind() +
                                      ", not a tensor or a tuple/list/dict of tensors");
  }
  return tensors;
}

} // namespace trackkit::detail
