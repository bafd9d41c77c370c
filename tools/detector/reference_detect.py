#!/usr/bin/env python3
"""Reference detections from the Python references' own detect paths (format: tools/detector/README.md).

    build/exportvenv/bin/python tools/detector/reference_detect.py MODEL_DIR OUT_DIR [--device cpu] [--half]

MODEL_DIR is export_yolo.py's output. For each model and letterbox variant it writes
OUT_DIR/<model>.<variant>.<fp32|fp16>.txt (line-based, for the C++ tests) and the same as .json.

yolov5n: yolov5's detect.py path with the PyPI yolov5 package's own code: DetectMultiBackend(weights,
  fp16=--half), LoadImages(img_size=640, stride=32, auto=...) (cv2.imread BGR -> letterbox(color 114, INTER_LINEAR)
  -> HWC->CHW, BGR->RGB), float /255 (half with --half), model(im), non_max_suppression(conf_thres=0.25,
  iou_thres=0.45, classes=None, agnostic=False, max_det=1000), scale_boxes(im.shape[2:], det[:, :4], im0.shape).
  detect.py then rounds the boxes (.round()) for its labels and drawings; the files keep the unrounded values.
  Variants: pt-rect (yolov5n.pt, auto=True: what detect.py does for .pt weights), pt-fixed640 (auto=False),
  ts-fixed640 (yolov5n.torchscript, auto=False: what detect.py does for TorchScript weights), ts-rect.
ultralytics models (v8 layout, end2end): YOLO(<model>.torchscript).predict(path, imgsz=640, conf=0.25, iou=0.7,
  max_det=300, device=..., quantize=16 with --half; rect=True (its default: stride-multiple letterbox, since the
  export is dynamic) or rect=False (640x640)), one image per call, boxes = results[0].boxes.data.
"""
import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import refenv  # noqa: E402  (environment first)

import cv2  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402


def default_images():
    d = refenv.DATA
    ims = [d / "images" / "bus.jpg", d / "images" / "zidane.jpg"]
    ims += sorted((d / "mot" / "MOT17" / "train").glob("*/img1/000001.jpg"))
    # a couple more frames: the next frame of the 640x480 sequence and a later frame of a moving-camera one
    ims += [d / "mot/MOT17/train/MOT17-05-FRCNN/img1/000002.jpg", d / "mot/MOT17/train/MOT17-10-FRCNN/img1/000005.jpg"]
    return [p for p in ims if p.exists()]


def image_name(p):
    p = Path(p)
    return f"{p.parts[-3]}/{p.name}" if p.parent.name == "img1" else p.name


def write(out_dir, stem, settings, images):
    """One .json (everything) and one .txt (line-based) per model/variant/precision."""
    (out_dir / f"{stem}.json").write_text(json.dumps({"settings": settings, "images": images}, indent=1))
    lines = ["# trackkit detector reference v1: per image an 'image' line, then 'count' lines x1 y1 x2 y2 score class",
             "# (original-image pixels, float32 printed with %.9g); settings:"]
    lines += [f"# {k} = {json.dumps(v)}" for k, v in settings.items()]
    for im in images:
        lb = im["letterbox"]
        lines.append(f"image {im['image']} orig_hw {im['orig_hw'][0]} {im['orig_hw'][1]} "
                     f"input_hw {im['input_hw'][0]} {im['input_hw'][1]} "
                     f"ratio {lb['ratio'][0]:.9g} {lb['ratio'][1]:.9g} unpad_wh {lb['new_unpad'][0]} {lb['new_unpad'][1]} "
                     f"pad_tblr {lb['top']} {lb['bottom']} {lb['left']} {lb['right']} count {len(im['detections'])}")
        lines += [" ".join(f"{v:.9g}" for v in d[:5]) + f" {int(d[5])}" for d in im["detections"]]
    (out_dir / f"{stem}.txt").write_text("\n".join(lines) + "\n")


# ---------------------------------------------------------------------------------------------------------------
def run_yolov5(weights, variant, auto, images, device, half):
    refenv.import_yolov5()
    from yolov5.models.common import DetectMultiBackend
    from yolov5.utils.augmentations import letterbox
    from yolov5.utils.dataloaders import LoadImages
    from yolov5.utils.general import non_max_suppression, scale_boxes

    model = DetectMultiBackend(str(weights), device=torch.device(device), dnn=False, data=None, fp16=half)
    stride = model.stride
    conf_thres, iou_thres, max_det = 0.25, 0.45, 1000
    out = []
    for path in images:
        for _, im, im0, _, _ in LoadImages(str(path), img_size=640, stride=stride, auto=auto):
            lb_img, ratio, (dw, dh) = letterbox(im0, 640, stride=stride, auto=auto)  # the same call, for its numbers
            assert np.array_equal(np.ascontiguousarray(lb_img.transpose((2, 0, 1))[::-1]), im)
            h0, w0 = im0.shape[:2]
            r = ratio[0]
            new_unpad = (int(round(w0 * r)), int(round(h0 * r)))
            t = torch.from_numpy(im).to(model.device)
            t = t.half() if model.fp16 else t.float()
            t /= 255
            t = t[None]
            with torch.no_grad():
                pred = model(t, augment=False, visualize=False)
                det = non_max_suppression(pred, conf_thres, iou_thres, None, False, max_det=max_det)[0]
            det[:, :4] = scale_boxes(t.shape[2:], det[:, :4], im0.shape)  # detect.py adds .round() here
            out.append({
                "image": image_name(path), "orig_hw": [h0, w0], "input_hw": list(t.shape[2:]),
                "letterbox": {"ratio": [r, r], "new_unpad": list(new_unpad), "dw": dw, "dh": dh,
                              "top": int(round(dh - 0.1)), "bottom": int(round(dh + 0.1)),
                              "left": int(round(dw - 0.1)), "right": int(round(dw + 0.1))},
                "detections": det.float().cpu().tolist()})
    settings = {
        "reference": "yolov5 7.0.14 detect.py path (DetectMultiBackend, LoadImages, non_max_suppression, scale_boxes)",
        "weights": Path(weights).name, "variant": variant, "device": device, "half": bool(model.fp16),
        "imgsz": 640, "stride": int(stride), "letterbox_auto": auto, "letterbox": "yolov5 utils.augmentations.letterbox:"
        " r=min(640/h,640/w); unpad=(round(w*r),round(h*r)); pad to 640 (auto: to the next multiple of stride), "
        "split /2, top=round(dh-0.1), bottom=round(dh+0.1), value 114, cv2.INTER_LINEAR",
        "colour": "BGR->RGB", "normalise": "/255",
        "nms": {"conf_thres": conf_thres, "iou_thres": iou_thres, "classes": None, "agnostic": False,
                "multi_label": False, "max_det": max_det, "max_nms": 30000, "max_wh": 7680,
                "score": "obj*cls, best class"},
        "scale_boxes": "yolov5 general.scale_boxes: gain=min(H1/H0,W1/W0), pad=((W1-W0*gain)/2,(H1-H0*gain)/2), "
                       "(box-pad)/gain, clip to the image; not rounded (detect.py rounds)",
    }
    return settings, out


def run_ultralytics(weights, variant, rect, images, device, half):
    from ultralytics import YOLO
    from ultralytics.data.augment import LetterBox

    yolo = YOLO(str(weights), task="detect", verbose=False)
    kw = dict(imgsz=640, conf=0.25, iou=0.7, max_det=300, rect=rect, device=device, verbose=False)
    if half:
        kw["quantize"] = 16
    out, used = [], {}
    for path in images:
        res = yolo.predict(str(path), **kw)[0]
        p = yolo.predictor
        im0 = cv2.imread(str(path))
        lb_img = p.pre_transform([im0])[0]  # the predictor's own letterbox, same state as the call above
        auto = bool(rect and (p.model.format == "pt" or getattr(p.model, "dynamic", False)))
        lb = LetterBox(p.imgsz, auto=auto, stride=p.model.stride)
        params = lb.get_params({"img": im0})
        assert np.array_equal(lb(image=im0), lb_img), "letterbox parameters not reproduced"
        used = {"auto": auto, "imgsz": list(p.imgsz), "stride": int(p.model.stride), "fp16": bool(p.model.fp16),
                "end2end": bool(getattr(p.model, "end2end", False)), "dynamic": bool(getattr(p.model, "dynamic", False)),
                "args": {k: getattr(p.args, k) for k in ("conf", "iou", "max_det", "agnostic_nms", "classes", "rect",
                                                         "imgsz", "quantize") if hasattr(p.args, k)}}
        out.append({
            "image": image_name(path), "orig_hw": list(im0.shape[:2]), "input_hw": list(lb_img.shape[:2]),
            "letterbox": {"ratio": list(params["ratio"]), "new_unpad": list(params["new_unpad"]),
                          "top": params["top"], "bottom": params["bottom"], "left": params["left"],
                          "right": params["right"]},
            "detections": res.boxes.data.float().cpu().tolist()})
    settings = {
        "reference": "ultralytics 8.4.190 YOLO(model).predict (AutoBackend TorchScript, LetterBox, nms.non_max_suppression"
                     ", ops.scale_boxes)", "weights": Path(weights).name, "variant": variant, "device": device,
        "half": used.get("fp16", False), "predictor": used,
        "letterbox": "ultralytics LetterBox: r=min(H/h,W/w); unpad=(max(round(w*r),1),max(round(h*r),1)); "
                     "pad to imgsz (auto: to the next multiple of stride), split /2, top=round(dh-0.1), "
                     "bottom=round(dh+0.1), left/right likewise, value 114, cv2.INTER_LINEAR",
        "colour": "BGR->RGB", "normalise": "/255",
        "nms": ("end2end: no NMS, keep score > conf, at most max_det" if used.get("end2end") else
                "ultralytics nms.non_max_suppression: conf > 0.25 on the best class, class offsets max_wh=7680, "
                "torchvision nms iou 0.7, max_nms 30000, max_det 300"),
        "scale_boxes": "ultralytics ops.scale_boxes: gain=min(H1/H0,W1/W0); new=(round(H0*gain),round(W0*gain)); "
                       "gain_y=new_h/H0, gain_x=new_w/W0; pad=round((W1-new_w)/2-0.1), round((H1-new_h)/2-0.1); "
                       "(box-pad)/gain per axis, clip",
    }
    return settings, out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model_dir")
    ap.add_argument("out_dir")
    ap.add_argument("--device", default="cpu", help="cpu, cuda:0, ...")
    ap.add_argument("--half", action="store_true", help="FP16 model and input, where the reference allows it")
    ap.add_argument("--models", default="yolov5n,yolov8n,yolo11n,yolo26n,yolov10n")
    ap.add_argument("--images", nargs="*", help="default: bus, zidane, MOT17 */img1/000001.jpg + 2 frames")
    args = ap.parse_args()
    md, out_dir = Path(args.model_dir), Path(args.out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    images = args.images or default_images()
    prec = "fp16" if args.half else "fp32"
    t_all = time.time()
    summary = []
    for name in args.models.split(","):
        if name == "yolov5n":
            runs = [("pt-rect", refenv.DATA / "models" / "yolov5n.pt", True),
                    ("pt-fixed640", refenv.DATA / "models" / "yolov5n.pt", False),
                    ("ts-fixed640", md / "yolov5n.torchscript", False),
                    ("ts-rect", md / "yolov5n.torchscript", True)]
        else:
            runs = [("rect", md / f"{name}.torchscript", True), ("fixed640", md / f"{name}.torchscript", False)]
        for variant, weights, flag in runs:
            t0 = time.time()
            try:
                fn = run_yolov5 if name == "yolov5n" else run_ultralytics
                settings, res = fn(weights, variant, flag, images, args.device, args.half)
            except Exception as e:  # e.g. an op without a CPU half kernel
                msg = f"{type(e).__name__}: {str(e).strip().splitlines()[-1][:300]}"
                print(f"{name} {variant} {prec}: FAILED {msg}", flush=True)
                summary.append({"model": name, "variant": variant, "precision": prec, "error": msg})
                continue
            if args.half and not settings["half"]:
                print(f"{name} {variant}: the reference ran FP32 (no FP16 on {args.device}); nothing written for fp16")
                summary.append({"model": name, "variant": variant, "precision": prec,
                                "error": f"reference does not run FP16 on {args.device}"})
                continue
            stem = f"{name}.{variant}.{prec}"
            write(out_dir, stem, settings, res)
            dt = time.time() - t0
            counts = [len(r["detections"]) for r in res]
            shapes = sorted({tuple(r["input_hw"]) for r in res})
            print(f"{stem}: {len(res)} images, detections {counts}, inputs {shapes}, {dt:.1f} s", flush=True)
            summary.append({"model": name, "variant": variant, "precision": prec, "file": stem + ".txt",
                            "counts": counts, "seconds": round(dt, 2)})
    (out_dir / f"summary.{prec}.json").write_text(json.dumps(
        {"device": args.device, "wall_s": round(time.time() - t_all, 1), "runs": summary,
         "images": [image_name(p) for p in images]}, indent=1))
    print(f"reference wall time {time.time() - t_all:.1f} s")


if __name__ == "__main__":
    main()
