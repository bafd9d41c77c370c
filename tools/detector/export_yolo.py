#!/usr/bin/env python3
"""Export the detector test models to TorchScript, on the CPU, in FP32 (docs/detector-export.md).

    build/exportvenv/bin/python tools/detector/export_yolo.py OUT_DIR [--quick] [--seed 0]

Writes to OUT_DIR:
  yolov5n.torchscript          official COCO YOLOv5n (../shared/data/models/yolov5n.pt), classic layout [B,A,85],
                               yolov5's export with --dynamic (grid rebuilt from the input: any stride-32 shape)
  yolov5n-static.torchscript   the same, exactly yolov5's default `export.py --include torchscript` (grid baked
                               for 640x640: runs at any batch size but only at 640x640)
  yolov8n.torchscript          ultralytics YOLO("yolov8n.yaml"), seeded random weights + the tweak below,
  yolo11n.torchscript          v8 layout [B,4+80,A], ultralytics' exporter (dynamic=True)
  yolo26n.torchscript          ultralytics YOLO("yolo26n.yaml") NMS-free (end2end) head, [B,300,6]
  yolov10n.torchscript         ultralytics YOLO("yolov10n.yaml") NMS-free (end2end) head, [B,300,6]
  export_report.json           shapes, checks and timings

The tweak (random weights give constant outputs: activations vanish through ~20 randomly initialised conv+BN
layers whose BN running statistics are the initial mean 0 / var 1, so every anchor gets the same box and the
class score sigmoid(log(5/80/(640/stride)^2)) ~ 1e-5):
  1. BatchNorm re-estimation: every BatchNorm2d's running mean/var is reset and recomputed (momentum=None, i.e. a
     plain average) from one train-mode forward pass, without gradients, over the calibration batch: the shared
     images bus.jpg and zidane.jpg, each letterboxed to 640x640 by ultralytics' LetterBox, RGB, /255. Features
     are then O(1) and depend on the image, so boxes and scores vary from anchor to anchor.
  2. Class-score calibration: for each classification head (cv3, and one2one_cv3 for end2end models) the final
     1x1 conv's logits without bias, z, are collected over the calibration batch (all levels, anchors and
     classes); with q = 99.99th percentile of z and m = max of z, the conv's weight is multiplied by
     k = (logit(0.95) - logit(0.25)) / (m - q) and its bias set to b = logit(0.25) - k*q. So 0.01% of the
     (anchor, class) scores of the calibration images exceed 0.25 and the best one is 0.95: tens to hundreds
     of candidates per image for NMS with scores spread over 0.25..0.95.
Everything is seeded (torch.manual_seed(SEED) before each YOLO(yaml)); on the CPU the result is reproducible
to float rounding (summation order of the BN statistics).
"""
import argparse
import copy
import json
import math
import sys
import time
import types
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import refenv  # noqa: E402  (environment first)

import cv2  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402

CALIB_IMAGES = ("images/bus.jpg", "images/zidane.jpg", "mot/MOT17/train/MOT17-02-FRCNN/img1/000001.jpg",
                "mot/MOT17/train/MOT17-05-FRCNN/img1/000001.jpg")
CALIB_Q = 0.9999  # this quantile of the class logits maps to score 0.25, the maximum to 0.95
CHECK_SHAPES = [(640, 640), (384, 640), (640, 384), (480, 640), (320, 320)]  # (H, W), stride-32 multiples


def logit(p):
    return math.log(p / (1 - p))


def read_extra(path):
    files = {"config.txt": ""}
    torch.jit.load(str(path), map_location="cpu", _extra_files=files)
    return json.loads(files["config.txt"])


# ---------------------------------------------------------------------------------------------------------------
# yolov5
def device_free_detect_forward(self, x):
    """Replacement of yolov5's Detect.forward for the export: raw head outputs -> boxes (cx, cy, w, h in input
    pixels), objectness and class scores, [B, anchors x cells, 5 + classes]. The decoding is yolov5's published
    formula (README / v6 release notes): centre = (2 sigmoid(t_xy) - 0.5 + cell) * stride, size =
    (2 sigmoid(t_wh))^2 * anchor, scores = sigmoid, evaluated in the same order so the numbers agree. Written here
    so that a trace records no device: the cell grid comes from cumulative sums of ones shaped like the feature
    map and the strides are Python floats, where yolov5's grid helper and stride tensor become CPU constants."""
    levels = []
    for level, head in enumerate(self.m):
        feature = head(x[level])
        batch, _, rows, cols = feature.shape
        t = feature.view(batch, self.na, self.no, rows, cols).permute(0, 1, 3, 4, 2).contiguous().sigmoid()
        row_index = torch.ones_like(t[0, 0, :, 0, 0]).cumsum(0) - 1
        col_index = torch.ones_like(t[0, 0, 0, :, 0]).cumsum(0) - 1
        cell_y, cell_x = torch.meshgrid(row_index, col_index, indexing="ij")
        cell_offset = torch.stack((cell_x, cell_y), 2).view(1, 1, rows, cols, 2) - 0.5
        stride = float(self.stride[level])
        anchor_size = (self.anchors[level] * stride).view(1, self.na, 1, 1, 2)
        centre = (t[..., 0:2] * 2 + cell_offset) * stride
        size = (t[..., 2:4] * 2) ** 2 * anchor_size
        levels.append(torch.cat((centre, size, t[..., 4:]), 4).view(batch, self.na * cols * rows, self.no))
    return (torch.cat(levels, 1),)


def export_yolov5(weights, out_dir, report):
    refenv.import_yolov5()
    from yolov5.models.experimental import attempt_load
    from yolov5.models.yolo import Detect

    for name, dynamic in (("yolov5n.torchscript", True), ("yolov5n-static.torchscript", False)):
        t0 = time.time()
        # As yolov5 export.py run(): attempt_load(fuse=True), eval, Detect.inplace=False/dynamic/export=True,
        # two dry runs, torch.jit.trace(strict=False), config.txt = {shape, stride, names}.
        model = attempt_load(str(weights), device="cpu", inplace=True, fuse=True)
        model.eval()
        for m in model.modules():
            if isinstance(m, Detect):
                m.inplace, m.dynamic, m.export = False, dynamic, True
                if dynamic:  # trace a forward whose grid comes from the feature map: runs on any device
                    m.forward = types.MethodType(device_free_detect_forward, m)
        im = torch.zeros(1, 3, 640, 640)
        with torch.no_grad():
            for _ in range(2):
                y = model(im)
            ts = torch.jit.trace(model, im, strict=False)
        meta = {"shape": list(im.shape), "stride": int(max(model.stride)), "names": model.names,
                "layout": "yolov5", "dynamic": dynamic}
        path = out_dir / name
        ts.save(str(path), _extra_files={"config.txt": json.dumps(meta)})
        report[name] = {"source": str(weights), "layout": "yolov5", "dynamic": dynamic,
                        "output_640": list(y[0].shape), "export_s": round(time.time() - t0, 2),
                        "checks": check_model(path, model, report_key=name)}


# ---------------------------------------------------------------------------------------------------------------
# ultralytics
def calibration_batch():
    ims = []
    for rel in CALIB_IMAGES:
        im = cv2.imread(str(refenv.DATA / rel))
        if im is None:
            sys.exit(f"cannot read {refenv.DATA / rel} (set TRACKKIT_DATA)")
        ims.append(refenv.ultralytics_letterbox_input(im))
    return torch.cat(ims)


def tweak(model, calib):
    """The documented deterministic tweak (module docstring): BN re-estimation, then class-score calibration."""
    bns = [m for m in model.modules() if isinstance(m, nn.BatchNorm2d)]
    for bn in bns:
        bn.reset_running_stats()
        bn.momentum = None  # cumulative average: one batch -> its statistics exactly
    model.train()
    with torch.no_grad():
        model(calib)
    model.eval()
    for bn in bns:
        bn.momentum = 0.03  # ultralytics' initialize_weights value (used only when training)

    det = model.model[-1]
    heads = [det.cv3] + ([det.one2one_cv3] if getattr(det, "one2one_cv3", None) is not None else [])
    out = {}
    for head in heads:
        convs = [seq[-1] for seq in head]
        zs = []
        hooks = [c.register_forward_hook(lambda mod, inp, o: zs.append((o - mod.bias.view(1, -1, 1, 1)).flatten()))
                 for c in convs]
        with torch.no_grad():
            model(calib)
        for h in hooks:
            h.remove()
        z = torch.cat(zs)
        q = torch.quantile(z[::max(1, z.numel() // 8_000_000)], CALIB_Q).item()  # quantile() takes <= 16M values
        m = z.max().item()
        k = (logit(0.95) - logit(0.25)) / (m - q)
        b = logit(0.25) - k * q
        with torch.no_grad():
            for c in convs:
                c.weight.mul_(k)
                c.bias.fill_(b)
        out["one2one_cv3" if head is not det.cv3 else "cv3"] = {"quantile": CALIB_Q, "q": q, "max": m, "k": k, "b": b}
    return out


def export_ultralytics(yaml_name, out_dir, seed, calib, report):
    from ultralytics import YOLO

    t0 = time.time()
    stem = Path(yaml_name).stem
    torch.manual_seed(seed)
    yolo = YOLO(yaml_name, verbose=False)
    end2end = getattr(yolo.model.model[-1], "one2one_cv2", None) is not None
    layout = "end2end" if end2end else "v8"
    info = tweak(yolo.model, calib)
    eager = copy.deepcopy(yolo.model).eval()  # the tweaked FP32 model, for the checks below

    def add_layout(exporter):
        exporter.metadata["layout"] = layout
        exporter.metadata["trackkit_tweak"] = f"seed {seed}; BN re-estimated on {', '.join(CALIB_IMAGES)}; " \
                                              f"class conv scaled so quantile {CALIB_Q} -> 0.25, max -> 0.95"

    yolo.add_callback("on_export_start", add_layout)
    # nms=False selects the one-to-one (NMS-free) head of end2end models; None (default) keeps the raw head.
    f = yolo.export(format="torchscript", imgsz=640, dynamic=True, batch=1, device="cpu",
                    nms=False if end2end else None, verbose=False)
    path = out_dir / f"{stem}.torchscript"
    Path(f).replace(path)
    if hasattr(eager, "end2end"):
        eager.end2end = end2end  # as the exporter selects the head
    eager = eager.fuse()
    report[path.name] = {"source": f"YOLO('{yaml_name}') seed {seed} + tweak", "layout": layout, "tweak": info,
                         "export_s": round(time.time() - t0, 2),
                         "checks": check_model(path, eager, report_key=path.name)}


# ---------------------------------------------------------------------------------------------------------------
def check_model(path, eager, report_key):
    """Run the saved TorchScript at several batch sizes and input shapes; compare with eager and per-image runs."""
    ts = torch.jit.load(str(path), map_location="cpu")
    checks = []
    g = torch.Generator().manual_seed(1)

    def out_of(y):
        return y[0] if isinstance(y, (tuple, list)) else y

    for (h, w) in CHECK_SHAPES:
        for bs in BATCHES if (h, w) == (640, 640) else (1, 3):
            x = torch.rand(bs, 3, h, w, generator=g)
            row = {"batch": bs, "hw": [h, w]}
            try:
                with torch.no_grad():
                    y = out_of(ts(x))
                    row["ok"] = True
                    row["out"] = list(y.shape)
                    if bs <= 3:
                        ye = out_of(eager(x))
                        row["max_abs_diff_eager"] = float((y - ye).abs().max())
                    if bs > 1:  # batched == one image at a time (dynamic batch really works)
                        y0 = out_of(ts(x[-1:]))
                        row["max_abs_diff_last_image_alone"] = float((y[-1:] - y0).abs().max())
            except Exception as e:  # a baked shape fails in the interpreter
                row["error"] = ("" if row.pop("ok", False) else "TorchScript: ") + str(e).strip().splitlines()[-1][:200]
                row["ok"] = False
            checks.append(row)
            print(f"  {report_key}: batch {bs:2d} {h}x{w} -> "
                  + (f"{row['out']}" + (f" |eager diff| {row['max_abs_diff_eager']:.1e}" if "max_abs_diff_eager" in row
                                        else "") if row["ok"] else f"FAILS ({row['error'][:80]})"), flush=True)
    return checks


BATCHES = (1, 2, 5, 16, 64)


def main():
    global BATCHES
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out_dir")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--yolov5-weights", default=str(refenv.DATA / "models" / "yolov5n.pt"))
    ap.add_argument("--models", default="yolov5n,yolov8n,yolo11n,yolo26n,yolov10n")
    ap.add_argument("--quick", action="store_true", help="check batch sizes 1,2 only (not 5,16,64) at 640x640")
    args = ap.parse_args()
    if args.quick:
        BATCHES = (1, 2)
    torch.set_num_threads(max(1, torch.get_num_threads()))
    out_dir = Path(args.out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    import ultralytics

    import importlib.metadata as md
    report = {"versions": {"torch": torch.__version__, "ultralytics": ultralytics.__version__,
                           "yolov5": md.version("yolov5")}, "seed": args.seed, "models": {}}
    t0 = time.time()
    models = args.models.split(",")
    if "yolov5n" in models:
        export_yolov5(Path(args.yolov5_weights), out_dir, report["models"])
    calib = calibration_batch()
    for name in models:
        if name != "yolov5n":
            export_ultralytics(f"{name}.yaml", out_dir, args.seed, calib, report["models"])
    report["wall_s"] = round(time.time() - t0, 1)
    for name, r in report["models"].items():
        meta = read_extra(out_dir / name)
        r["config.txt"] = {k: (f"{len(v)} names" if k == "names" else v) for k, v in meta.items()}
        bad = [c for c in r["checks"] if not c["ok"]]
        print(f"{name}: layout {r['layout']}, output at 640x640 batch 1 {r['checks'][0]['out']}, "
              f"{len(r['checks']) - len(bad)}/{len(r['checks'])} shape checks run"
              + (f"; fails at {sorted({tuple(c['hw']) for c in bad})}" if bad else ""))
    (out_dir / "export_report.json").write_text(json.dumps(report, indent=1))
    print(f"export wall time {report['wall_s']} s (report: {out_dir / 'export_report.json'})")


if __name__ == "__main__":
    main()
