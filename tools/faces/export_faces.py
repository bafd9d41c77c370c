#!/usr/bin/env python3
"""TorchScript exports of the face detectors for trackkit::FaceDetector, with their metadata in config.txt.

    export_faces.py OUT_DIR [--data DIR]

* yolov5n-0.5_face.torchscript from ../shared/data/models/yolov5n-0.5_face.pt (a pickled yolov5-face Model,
  loaded into tools/faces/faithful/yolov5_face.py, Conv+BN fused as upstream's attempt_load does). forward(x): x
  float [B,3,H,W] RGB in 0..1 -> float32 [B,A,16]: cx, cy, w, h, objectness, x0,y0..x4,y4, face score, in input
  pixels (Detect's inference-mode decoding).
* retinaface_mobilenet0.25.torchscript from retinaface_mobilenet0.25_Final.pth (tools/faces/faithful/
  retinaface.py). forward(x): x float [B,3,H,W] BGR in 0..1; x*255 - (104,117,123) inside -> (loc [B,P,4],
  conf [B,P] softmax face probability, landms [B,P,10]), float32, raw: priors and decoding are the caller's.

Both are traced; the traced graphs hold no device or dtype constants (the yolov5-face grid comes from
ones_like(...).cumsum, not arange, which a trace would pin to the tracing device), so they run on CUDA and in
FP16 too; decoding is done in float32 whatever the model's dtype. H and W: any multiples of 32. Each export is
checked against its eager module on a real image (bus.jpg letterboxed) at batch 1 and 2 and at a second input
size; max |diff| printed. config.txt is JSON (docs/face.md).
"""
import argparse
import json
import pathlib
import sys
import warnings

import numpy as np
import torch
import torch.nn as nn

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from face_common import letterbox, read_bgr  # noqa: E402
from faithful import retinaface, yolov5_face  # noqa: E402

warnings.filterwarnings("ignore")
RETINA_MEAN_BGR = (104.0, 117.0, 123.0)


class YoloV5FaceExport(nn.Module):
    """The fused Model's layers, then Detect's inference decoding (faithful.yolov5_face.Detect.forward) written
    without factory functions so that a trace keeps the input's device and dtype."""

    def __init__(self, model):
        super().__init__()
        self.layers = model.model[:-1]
        self.save = list(model.save)
        detect = model.model[-1]
        self.heads = detect.m
        self.inputs = list(detect.f)
        self.na, self.no = int(detect.na), int(detect.no)
        self.strides = [float(s) for s in detect.stride]
        self.register_buffer("anchor_grid", detect.anchor_grid.clone().float())  # [nl,1,na,1,1,2], pixels

    def features(self, x):
        y = []  # Model.forward_once without the Detect layer
        for m in self.layers:
            if m.f != -1:
                x = y[m.f] if isinstance(m.f, int) else [x if j == -1 else y[j] for j in m.f]
            x = m(x)
            y.append(x if m.i in self.save else None)
        return [y[j] for j in self.inputs]

    def forward(self, x):
        z = []
        for i, feature in enumerate(self.features(x)):
            p = self.heads[i](feature).float()
            bs, _, ny, nx = p.shape
            p = p.view(bs, self.na, self.no, ny, nx).permute(0, 1, 3, 4, 2).contiguous()
            ones = torch.ones_like(p[:1, :1, :, :, :1])  # [1,1,ny,nx,1]
            grid = torch.cat((ones.cumsum(3) - 1, ones.cumsum(2) - 1), 4)  # Detect._make_grid: (x, y) per cell
            anchors = self.anchor_grid[i].float()
            s = p.sigmoid()
            xy = (s[..., 0:2] * 2.0 - 0.5 + grid) * self.strides[i]
            wh = (s[..., 2:4] * 2) ** 2 * anchors
            marks = p[..., 5:15].reshape(bs, self.na, ny, nx, 5, 2) * anchors.unsqueeze(-2) + (
                grid * self.strides[i]).unsqueeze(-2)
            y = torch.cat((xy, wh, s[..., 4:5], marks.reshape(bs, self.na, ny, nx, 10), s[..., 15:]), 4)
            z.append(y.view(bs, -1, self.no))
        return torch.cat(z, 1)


class RetinaFaceExport(nn.Module):
    """RetinaFace on 0..1 BGR input: upstream's mean subtraction inside, the face column of the softmax out."""

    def __init__(self, model):
        super().__init__()
        self.model = model
        self.register_buffer("mean", torch.tensor(RETINA_MEAN_BGR).view(1, 3, 1, 1))

    def forward(self, x):
        loc, conf, landms = self.model(x * 255 - self.mean.to(x.dtype))
        return loc.float(), conf[..., 1].float(), landms.float()


def yolo_eager(model, x):
    with torch.no_grad():
        return model(x)[0]


def retina_eager(model, x):
    mean = torch.tensor(RETINA_MEAN_BGR).view(1, 3, 1, 1)
    with torch.no_grad():
        loc, conf, landms = model(x * 255 - mean)
    return loc, conf[..., 1], landms


def as_tuple(out):
    return out if isinstance(out, tuple) else (out,)


def check(name, scripted, eager_fn, frames):
    """Max |TorchScript - eager| on each input; fails above 1e-4 (the same float32 arithmetic: expected 0)."""
    worst = 0.0
    for x in frames:
        with torch.no_grad():
            got = as_tuple(scripted(x))
        want = as_tuple(eager_fn(x))
        for g, w in zip(got, want):
            if g.shape != w.shape:
                raise SystemExit(f"{name}: TorchScript shape {tuple(g.shape)} != eager {tuple(w.shape)}")
            worst = max(worst, (g - w).abs().max().item())
    print(f"  {name}: TorchScript vs eager on bus.jpg, inputs {[tuple(x.shape) for x in frames]}: max |diff| "
          f"{worst:.3g}")
    if worst > 1e-4:
        raise SystemExit(f"{name}: TorchScript differs from the eager module by {worst}")


def device_constants(graph):
    """Device constants in a TorchScript graph (a trace that pinned the tracing device)."""
    return [str(n) for n in graph.nodes() if n.kind() == "prim::Constant" and "Device" in str(n.output().type())]


def save(module, example, path, config):
    module.eval()
    with torch.no_grad():
        traced = torch.jit.trace(module, example, check_trace=False)
    pinned = device_constants(traced.inlined_graph)
    if pinned:
        raise SystemExit(f"{path.name}: the trace pinned a device: {pinned[:3]}")
    traced.save(str(path), _extra_files={"config.txt": json.dumps(config)})
    return torch.jit.load(str(path))


def bus_inputs(data, bgr_input, pad):
    """bus.jpg letterboxed to 640x640 in the model's channel order, 0..1: batch 1, batch 2 (it and its mirror),
    and a 480x640 crop of it (another input size)."""
    image, _ = letterbox(read_bgr(data / "images" / "bus.jpg"), pad)
    if not bgr_input:
        image = image[:, :, ::-1]
    x = torch.from_numpy(np.ascontiguousarray(image)).permute(2, 0, 1).float().div(255).unsqueeze(0)
    return [x, torch.cat((x, x.flip(3))), x[:, :, 80:560, :].contiguous()]


def main():
    default_data = pathlib.Path(__file__).resolve().parents[3] / "shared" / "data"
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=pathlib.Path, help="output folder")
    parser.add_argument("--data", type=pathlib.Path, default=default_data, help="the shared data folder")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    models = args.data / "models"
    common = {"task": "face", "imgsz": [640, 640], "stride": 32, "names": ["face"]}

    yolo = yolov5_face.load_model(models / "yolov5n-0.5_face.pt")
    frames = bus_inputs(args.data, bgr_input=False, pad=(114, 114, 114))
    path = args.out / "yolov5n-0.5_face.torchscript"
    config = {**common, "layout": "yolov5_face", "input_bgr": False, "pad_value": 114}
    scripted = save(YoloV5FaceExport(yolo), frames[0], path, config)
    check("yolov5_face", scripted, lambda x: yolo_eager(yolo, x), frames)
    print(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB)")

    retina = retinaface.load_model(models / "retinaface_mobilenet0.25_Final.pth")
    frames = bus_inputs(args.data, bgr_input=True, pad=RETINA_MEAN_BGR)
    path = args.out / "retinaface_mobilenet0.25.torchscript"
    cfg = retinaface.CFG_MNET
    config = {**common, "layout": "retinaface", "input_bgr": True, "pad_value": [104, 117, 123],
              "min_sizes": cfg["min_sizes"], "steps": cfg["steps"], "variance": cfg["variance"], "clip": cfg["clip"]}
    scripted = save(RetinaFaceExport(retina), frames[0], path, config)
    check("retinaface", scripted, lambda x: retina_eager(retina, x), frames)
    print(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
