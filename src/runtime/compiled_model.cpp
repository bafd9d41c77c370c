#include "compiled_model.hpp"

#include <c10/core/DeviceGuard.h>
#include <c10/core/InferenceMode.h>
#include <torch/csrc/inductor/aoti_package/model_package_loader.h>

#include <filesystem>

#include "trackkit/error.hpp"

namespace trackkit::detail {

namespace {
constexpr const char* kPrecisionKey = "trackkit.precision";
constexpr const char* kDeviceKey = "AOTI_DEVICE_KEY"; // written by AOTInductor itself
} // namespace

struct CompiledModel::Loader {
  std::unique_ptr<torch::inductor::AOTIModelPackageLoader> package;
};

CompiledModel::CompiledModel(std::string component, std::string argument, const std::string& path, c10::Device device,
                             Precision precision)
    : loader_(std::make_unique<Loader>()),
      component_(std::move(component)),
      argument_(std::move(argument)),
      path_(path),
      device_(device) {
  if (!std::filesystem::is_regular_file(path)) {
    throw Error(ErrorCode::NotFound, describe() + " does not exist or is not a file");
  }
  if (!device.is_cuda()) {
    throw Error(ErrorCode::Device, describe() + " is an AOTInductor package, which runs on CUDA only (device is " +
                                       device.str() + "); use the TorchScript export on the CPU");
  }
  try {
    const c10::DeviceGuard on_device(device);
    loader_->package = std::make_unique<torch::inductor::AOTIModelPackageLoader>(
        path, "model", /*run_single_threaded=*/false, /*num_runners=*/1, device.index());
    metadata_ = loader_->package->get_metadata();
  } catch (const std::exception& e) {
    std::string why = e.what();
    why = why.substr(0, why.find('\n'));
    throw Error(ErrorCode::Model, describe() + " is not a loadable AOTInductor package (" + why + ")");
  }
  const std::string compiled_for = extra_file(kDeviceKey), compiled_precision = extra_file(kPrecisionKey);
  if (compiled_for != "cuda") {
    throw Error(ErrorCode::Model, describe() + " was compiled for device \"" + compiled_for + "\", not cuda");
  }
  if (compiled_precision != precision_name(precision)) {
    throw Error(ErrorCode::Model, describe() + " was compiled for precision \"" + compiled_precision +
                                      "\", the options ask for " + precision_name(precision) +
                                      " (a package holds one precision: compile one per precision)");
  }
}

CompiledModel::~CompiledModel() = default;

std::string CompiledModel::describe() const { return component_ + ": " + argument_ + " \"" + path_ + "\""; }

std::string CompiledModel::extra_file(const std::string& name) const {
  const auto it = metadata_.find(name);
  return it == metadata_.end() ? std::string() : it->second;
}

std::vector<at::Tensor> CompiledModel::run(const std::vector<at::Tensor>& inputs) {
  const c10::InferenceMode no_autograd;
  const c10::DeviceGuard on_device(device_);
  std::vector<at::Tensor> contiguous;
  contiguous.reserve(inputs.size());
  for (const at::Tensor& t : inputs) contiguous.push_back(t.contiguous());
  try {
    return loader_->package->run(contiguous); // on the current CUDA stream
  } catch (const std::exception& e) {
    // AOTInductor reports a failed allocation as a failed call; its message names the cause when it has one.
    const std::string why = e.what();
    const bool memory = why.find("out of memory") != std::string::npos;
    throw Error(memory ? ErrorCode::OutOfMemory : ErrorCode::Model,
                describe() + " failed: " + why.substr(0, why.find('\n')));
  }
}

} // namespace trackkit::detail
