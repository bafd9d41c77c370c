#!/usr/bin/env python3
"""Reference masks from SAM's and SAM 2's own predictors for the Segmenter parity test (docs/segmenter.md).

    build/segvenv/bin/python tools/segmenter/reference_sam.py MODELS_DIR OUT_DIR [--device cpu] [--frames SPEC]

For every <name>.state.pt in MODELS_DIR (written by export_sam.py) the model is rebuilt by its package with that
state and run through `SamPredictor`: set_image(frame RGB) then predict_torch(boxes=apply_boxes_torch(boxes),
multimask_output=False and True) — EfficientViT-SAM (efficientvit_sam_*.state.pt) through its package's
`EfficientViTSamPredictor` the same way; SAM 2 models (sam2*.state.pt, export_sam2.py) through `SAM2ImagePredictor`:
set_image(frame RGB) then predict(box=boxes, multimask_output=False and True) (its low-res logits come clamped to
[-32, 32]; its high-resolution features are saved as <stem>.high_res_<i>.npy). The boxes are the frame's MOT17
ground-truth pedestrians (gt.txt rows with
conf 1 and class 1), clamped to the frame. Writes to OUT_DIR (numpy .npy files; masks bit-packed with packbits):
  frames/<seq>_<frame>.rgb.npy               uint8 [H,W,3] the frame, RGB (as the predictor got it)
  <name>/<seq>_<frame>.boxes.npy             float32 [N,4] x1,y1,x2,y2 frame pixels
  <name>/<seq>_<frame>.resized.npy           uint8 [h,w,3] ResizeLongestSide.apply_image (PIL) of the frame
  <name>/<seq>_<frame>.embedding.npy         float32 [1,256,64,64] predictor.features
  <name>/<seq>_<frame>.single.masks.npy      uint8 packbits of bool [N,1,H,W] (multimask_output=False)
  <name>/<seq>_<frame>.single.iou.npy        float32 [N,1]
  <name>/<seq>_<frame>.single.lowres.npy     float32 [N,1,256,256]
  <name>/<seq>_<frame>.multi.masks.npy       uint8 packbits of bool [N,3,H,W] (multimask_output=True)
  <name>/<seq>_<frame>.multi.iou.npy         float32 [N,3]
  index.txt                                   one line per model and frame: name seq frame H W N
"""
import argparse
import os
import sys
import time
import warnings
from pathlib import Path

import cv2
import numpy as np
import torch

warnings.filterwarnings("ignore")
ROOT = Path(__file__).resolve().parents[2]
DATA = Path(os.environ.get("TRACKKIT_DATA", ROOT.parent / "shared" / "data"))
# Model -> frames: TinyViT is cheap on the CPU; ViT-B takes tens of seconds a frame there, so one frame.
DEFAULT_FRAMES = {"mobile_sam": "MOT17-05-FRCNN:1,MOT17-05-FRCNN:2,MOT17-02-FRCNN:1", "sam_vit_b": "MOT17-05-FRCNN:1",
                  "sam2.1_hiera_t": "MOT17-05-FRCNN:1,MOT17-02-FRCNN:1", "sam2_hiera_t": "MOT17-05-FRCNN:1",
                  "efficientvit_sam_l0": "MOT17-05-FRCNN:1,MOT17-02-FRCNN:1"}


def gt_boxes(seq, frame, h, w):
    rows = np.loadtxt(DATA / "mot/MOT17/train" / seq / "gt/gt.txt", delimiter=",")
    rows = rows[(rows[:, 0] == frame) & (rows[:, 6] == 1) & (rows[:, 7] == 1)]
    boxes = np.stack([rows[:, 2] - 1, rows[:, 3] - 1, rows[:, 2] - 1 + rows[:, 4], rows[:, 3] - 1 + rows[:, 5]], 1)
    boxes[:, 0::2] = boxes[:, 0::2].clip(0, w)
    boxes[:, 1::2] = boxes[:, 1::2].clip(0, h)
    keep = (boxes[:, 2] > boxes[:, 0]) & (boxes[:, 3] > boxes[:, 1])
    return boxes[keep].astype(np.float32)


def build(name, models, device):
    if name.startswith("efficientvit"):
        from export_sam import build as build_sam
        model = build_sam(name, str(models / f"{name}.state.pt"), 0)
        return model.to(device).eval()
    if name.startswith("sam2"):
        from export_sam2 import build as build_sam2
        model = build_sam2(name, None, 0)
        model.load_state_dict(torch.load(models / f"{name}.state.pt", map_location="cpu"))
        return model.to(device).eval()
    variant = "vit_t" if name == "mobile_sam" else name.removeprefix("sam_")
    if variant == "vit_t":
        from mobile_sam import sam_model_registry
    else:
        from segment_anything import sam_model_registry
    sam = sam_model_registry[variant]()
    sam.load_state_dict(torch.load(models / f"{name}.state.pt", map_location="cpu"))
    return sam.to(device).eval()


def sam2_reference(predictor, rgb, boxes, prefix):
    """SAM2ImagePredictor.set_image + predict(box=...) (numpy out; its squeeze(0) drops N when N = 1)."""
    predictor.set_image(rgb)
    np.save(f"{prefix}.boxes.npy", boxes)
    np.save(f"{prefix}.embedding.npy", predictor._features["image_embed"].float().cpu().numpy())
    for i, feat in enumerate(predictor._features["high_res_feats"]):
        np.save(f"{prefix}.high_res_{i}.npy", feat.float().cpu().numpy())
    n = len(boxes)
    for kind, multi in (("single", False), ("multi", True)):
        masks, iou, low = predictor.predict(box=boxes, multimask_output=multi)
        m = 3 if multi else 1
        masks = masks.reshape(n, m, *masks.shape[-2:]) > 0
        np.save(f"{prefix}.{kind}.masks.npy", np.packbits(masks.astype(np.uint8).ravel()))
        np.save(f"{prefix}.{kind}.iou.npy", iou.reshape(n, m).astype(np.float32))
        if not multi:
            np.save(f"{prefix}.{kind}.lowres.npy", low.reshape(n, m, *low.shape[-2:]).astype(np.float32))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("models", type=Path)
    ap.add_argument("out", type=Path)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--frames", default=None, help="SEQ:FRAME,... for every model (default: per model)")
    args = ap.parse_args()
    from segment_anything import SamPredictor

    (args.out / "frames").mkdir(parents=True, exist_ok=True)
    index = []
    for state in sorted(args.models.glob("*.state.pt")):
        name = state.name.removesuffix(".state.pt")
        spec = args.frames or DEFAULT_FRAMES.get(name, DEFAULT_FRAMES["sam_vit_b"])
        sam = build(name, args.models, args.device)
        if name.startswith("sam2"):
            from sam2.sam2_image_predictor import SAM2ImagePredictor
            predictor = SAM2ImagePredictor(sam)
        elif name.startswith("efficientvit"):
            from efficientsam.models.efficientvit.sam import EfficientViTSamPredictor
            predictor = EfficientViTSamPredictor(sam)
        else:
            predictor = SamPredictor(sam)
        (args.out / name).mkdir(exist_ok=True)
        for item in spec.split(","):
            seq, frame = item.split(":")
            frame = int(frame)
            bgr = cv2.imread(str(DATA / "mot/MOT17/train" / seq / "img1" / f"{frame:06d}.jpg"), cv2.IMREAD_COLOR)
            rgb = np.ascontiguousarray(bgr[..., ::-1])
            h, w = rgb.shape[:2]
            boxes = gt_boxes(seq, frame, h, w)
            stem = f"{seq}_{frame}"
            np.save(args.out / "frames" / f"{stem}.rgb.npy", rgb)
            t = time.time()
            prefix = args.out / name / stem
            if name.startswith("sam2"):
                sam2_reference(predictor, rgb, boxes, prefix)
                index.append(f"{name} {seq} {frame} {h} {w} {len(boxes)}")
                print(f"{name} {stem}: {len(boxes)} boxes, {time.time() - t:.1f} s", flush=True)
                continue
            predictor.set_image(rgb, "RGB")
            np.save(f"{prefix}.boxes.npy", boxes)
            np.save(f"{prefix}.embedding.npy", predictor.features.float().cpu().numpy())
            boxes_t = torch.from_numpy(boxes).to(args.device)
            if name.startswith("efficientvit"):  # its predictor keeps the frame size from set_image
                prompts = predictor.apply_boxes_torch(boxes_t)
            else:
                np.save(f"{prefix}.resized.npy", predictor.transform.apply_image(rgb))
                prompts = predictor.transform.apply_boxes_torch(boxes_t, (h, w))
            for kind, multi in (("single", False), ("multi", True)):
                masks, iou, low = predictor.predict_torch(None, None, boxes=prompts, multimask_output=multi)
                np.save(f"{prefix}.{kind}.masks.npy", np.packbits(masks.cpu().numpy().astype(np.uint8).ravel()))
                np.save(f"{prefix}.{kind}.iou.npy", iou.float().cpu().numpy())
                if not multi:
                    np.save(f"{prefix}.{kind}.lowres.npy", low.float().cpu().numpy())
            index.append(f"{name} {seq} {frame} {h} {w} {len(boxes)}")
            print(f"{name} {stem}: {len(boxes)} boxes, {time.time() - t:.1f} s", flush=True)
    (args.out / "index.txt").write_text("\n".join(index) + "\n")


if __name__ == "__main__":
    sys.exit(main())
