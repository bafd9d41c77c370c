#!/usr/bin/env python3
"""TorchScript embedding models for trackkit::Embedder, with their metadata in the archive's config.txt.

    convert_models.py OUT_DIR [--data DIR] [--facenet | --facenet-only]

* osnet_x0_25_msmt17.onnx (person ReID, 256x128 RGB, ImageNet mean/std -> 512) and mobilefacenet.onnx
  (ArcFace-aligned faces, 112x112 RGB, (x-127.5)/127.5 -> 128) from ../shared/data/models: ONNX -> torch modules
  with onnx2torch, then torch.jit.script (torch.jit.trace where scripting fails). MobileFaceNet's export has a
  fixed batch of 1 (input [1,3,112,112], final Reshape to [1,-1]); the batch is made free before converting.
* --facenet: FaceNet's InceptionResnetV1 (facenet-pytorch, 160x160, (x-127.5)/128 -> 512) with random weights
  (no pretrained weights can be downloaded here): for speed figures only, its embeddings mean nothing (95 MB, so
  scripts/gpu-embedder.sh builds it on the GPU machine from the carried package: --facenet-only).

Each conversion is checked against ONNX Runtime on random inputs at batch sizes 1 and 7 (max |diff| printed).
config.txt is JSON: {"kind", "input_height", "input_width", "normalization", "channels", "embedding_dim",
"source"}; trackkit reads it (docs/embedder.md).
"""
import argparse
import json
import pathlib
import warnings

import numpy as np
import onnx
import torch
from onnx import numpy_helper

warnings.filterwarnings("ignore")


def free_batch(model: onnx.ModelProto) -> onnx.ModelProto:
    """Batch dimension of inputs and outputs made symbolic; Reshape constants [1,-1] become [-1,D]."""
    for value in list(model.graph.input) + list(model.graph.output):
        value.type.tensor_type.shape.dim[0].dim_param = "batch"
    out_dim = model.graph.output[0].type.tensor_type.shape.dim[1].dim_value
    constants = {n.output[0]: n for n in model.graph.node if n.op_type == "Constant"}
    for node in model.graph.node:
        if node.op_type != "Reshape" or node.input[1] not in constants:
            continue
        attr = constants[node.input[1]].attribute[0]
        shape = numpy_helper.to_array(attr.t)
        if shape.tolist() == [1, -1]:
            attr.t.CopyFrom(numpy_helper.from_array(np.array([-1, out_dim], dtype=np.int64), attr.t.name))
    return model


def computed_reshapes_to_flatten(model: onnx.ModelProto) -> onnx.ModelProto:
    """A Reshape whose target is computed from Shape (OSNet's x.view(x.size(0), -1)) becomes Flatten(axis=1): traced,
    the computed target would be frozen at the tracing batch size. The ONNX Runtime check below confirms it."""
    constant = {n.output[0] for n in model.graph.node if n.op_type == "Constant"}
    constant |= {i.name for i in model.graph.initializer}
    for i, node in enumerate(model.graph.node):
        if node.op_type == "Reshape" and node.input[1] not in constant:
            flatten = onnx.helper.make_node("Flatten", [node.input[0]], list(node.output), name=node.name, axis=1)
            model.graph.node.remove(node)
            model.graph.node.insert(i, flatten)
    return model


def gemm_output_ranks(model: onnx.ModelProto) -> onnx.ModelProto:
    """Gemm outputs are [batch, N]: shape inference cannot tell when the Gemm input comes from a Reshape whose
    target is computed (OSNet's flatten), and onnx2torch needs the rank of the BatchNormalization that follows."""
    known = {v.name: v for v in model.graph.value_info}
    weights = {i.name: i for i in model.graph.initializer}
    for node in model.graph.node:
        if node.op_type != "Gemm" or node.input[1] not in weights:
            continue
        trans_b = any(a.name == "transB" and a.i == 1 for a in node.attribute)
        w = weights[node.input[1]].dims
        info = known.get(node.output[0])
        if info is not None and not info.type.tensor_type.HasField("shape"):
            info.type.tensor_type.shape.dim.add().dim_param = "batch"
            info.type.tensor_type.shape.dim.add().dim_value = w[0] if trans_b else w[1]
    return model


def to_torchscript(module: torch.nn.Module, example: torch.Tensor) -> torch.jit.ScriptModule:
    module.eval()
    try:
        return torch.jit.script(module)
    except Exception as e:  # fx graphs with Python-only pieces: trace at a batch > 1 so sizes stay symbolic
        print(f"  script failed ({str(e).splitlines()[0][:80]}); tracing")
        with torch.no_grad():
            return torch.jit.trace(module, example, check_trace=False)


def check_against_onnxruntime(script: torch.jit.ScriptModule, onnx_model: onnx.ModelProto, shape) -> float:
    import onnxruntime as ort

    session = ort.InferenceSession(onnx_model.SerializeToString(), providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name
    worst = 0.0
    for batch in (1, 7):
        x = np.random.default_rng(batch).standard_normal((batch, 3, *shape)).astype(np.float32)
        expected = session.run(None, {name: x})[0]
        with torch.no_grad():
            got = script(torch.from_numpy(x)).numpy()
        assert got.shape == expected.shape, (got.shape, expected.shape)
        worst = max(worst, float(np.abs(got - expected).max() / max(np.abs(expected).max(), 1e-6)))
    return worst


def save(script, path: pathlib.Path, config: dict):
    torch.jit.save(script, str(path), _extra_files={"config.txt": json.dumps(config)})
    print(f"  wrote {path} ({path.stat().st_size / 1e6:.1f} MB): {json.dumps(config)}")


def convert_onnx(src: pathlib.Path, dst: pathlib.Path, config: dict):
    from onnx2torch import convert

    print(f"{src.name}:")
    # Shapes of intermediate values: onnx2torch picks BatchNorm1d/2d from them (OSNet's last BN follows a Gemm).
    model = gemm_output_ranks(onnx.shape_inference.infer_shapes(computed_reshapes_to_flatten(free_batch(onnx.load(str(src))))))
    shape = (config["input_height"], config["input_width"])
    module = convert(model)
    script = to_torchscript(module, torch.zeros(2, 3, *shape))
    err = check_against_onnxruntime(script, model, shape)
    print(f"  TorchScript vs ONNX Runtime, random inputs, batch 1 and 7: max |diff| / max |ref| = {err:.2e}")
    if err > 1e-4:
        raise SystemExit(f"{src.name}: converted model differs from ONNX Runtime by {err}")
    save(script, dst, dict(config, source=src.name))


def build_facenet(dst: pathlib.Path):
    import importlib.util
    import sys
    import types

    if importlib.util.find_spec("requests") is None:  # imported by the module for weight downloads, unused here
        requests = types.ModuleType("requests")
        requests.adapters = types.ModuleType("requests.adapters")
        requests.adapters.HTTPAdapter = object
        sys.modules.update({"requests": requests, "requests.adapters": requests.adapters})
    from facenet_pytorch import InceptionResnetV1

    print("InceptionResnetV1 (facenet-pytorch, random weights):")
    torch.manual_seed(0)
    module = InceptionResnetV1(pretrained=None, classify=False).eval()
    with torch.no_grad():
        script = torch.jit.trace(module, torch.zeros(2, 3, 160, 160), check_trace=False)
    config = dict(kind="face", input_height=160, input_width=160, normalization="facenet", channels="rgb",
                  embedding_dim=512, source="facenet-pytorch InceptionResnetV1, random weights")
    save(script, dst, config)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("out", type=pathlib.Path)
    p.add_argument("--data", type=pathlib.Path, default=pathlib.Path(__file__).resolve().parents[3] / "shared/data")
    p.add_argument("--facenet", action="store_true")
    p.add_argument("--facenet-only", action="store_true")
    a = p.parse_args()
    a.out.mkdir(parents=True, exist_ok=True)
    if a.facenet_only:
        return build_facenet(a.out / "inception_resnet_v1.torchscript")
    models = a.data / "models"
    convert_onnx(models / "osnet_x0_25_msmt17.onnx", a.out / "osnet_x0_25_msmt17.torchscript",
                 dict(kind="reid", input_height=256, input_width=128, normalization="imagenet", channels="rgb",
                      embedding_dim=512))
    convert_onnx(models / "mobilefacenet.onnx", a.out / "mobilefacenet.torchscript",
                 dict(kind="face", input_height=112, input_width=112, normalization="arcface", channels="rgb",
                      embedding_dim=128))
    if a.facenet:
        build_facenet(a.out / "inception_resnet_v1.torchscript")


if __name__ == "__main__":
    main()
