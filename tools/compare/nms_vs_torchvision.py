"""trackkit's batched NMS (through its C ABI, from the Python package) against ultralytics' non_max_suppression (torchvision.ops.nms inside).

Both get the same YOLOv8-layout output: ultralytics the model's [B,84,A] tensor (xywh + 80 class scores), trackkit
the corners ultralytics' own xywh2xyxy makes of it and the transposed scores view (no copy). Inputs: synthetic
model outputs (A = 8400 anchors at 640: dense clusters of scored anchors around objects, low background scores)
and random clustered boxes; settings: prediction (conf 0.25, IoU 0.7), validation (conf 0.001, IoU 0.7),
ultralytics' defaults (0.25, 0.45), agnostic, a class filter, small max_det; float32, float16 and float64.
Reports, per case, images whose kept rows are identical (same boxes, scores, classes, same order) and the rows
that differ; also images where torchvision.ops.batched_nms (class-aware by its own offsets, per-class loops on
large CPU inputs) keeps the same set of rows; it orders equal scores differently (an unstable sort), so sets.

  build/refvenv/bin/python tools/compare/nms_vs_torchvision.py build/capi/libtrackkit_c.so [--device cuda]
(set up the venv with tools/compare/setup_reference_venv.sh)
"""
import argparse
import os
import sys

import torch
import torchvision
from ultralytics.utils.nms import non_max_suppression
from ultralytics.utils.ops import xywh2xyxy



def load_library(path):
    """The trackkit Python package (python/trackkit) over the libtrackkit_c at `path`."""
    os.environ["TRACKKIT_LIBRARY"] = os.path.abspath(path)
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "python"))
    import trackkit  # noqa: E402 (after TRACKKIT_LIBRARY is set)

    return trackkit


def trackkit_nms(trackkit, boxes, scores, conf, iou, agnostic, classes, max_det):
    """Per image, the kept [n,6] rows; boxes/scores are torch tensors (any strides) passed without a copy, on torch's
    current stream (CUDA), where they are ready."""
    det, counts = trackkit.batched_nms(boxes, scores, conf=conf, iou=iou, max_det=max_det, classes=classes,
                                       agnostic=bool(agnostic))
    det, counts = det.cpu(), counts.cpu()
    return [det[b, : counts[b]] for b in range(det.shape[0])]


def synthetic_output(batch, gen, objects=12):
    """[B,84,8400] like YOLOv8 at 640 (see bench/bench_nms.cpp): anchor grids of strides 8/16/32, sigmoid scores."""
    centres = []
    for stride in (8, 16, 32):
        g = (torch.arange(640 // stride) + 0.5) * stride
        y, x = torch.meshgrid(g, g, indexing="ij")
        centres.append(torch.stack([x.flatten(), y.flatten()], 1))
    anchor = torch.cat(centres)[None]
    a = anchor.shape[1]
    obj_c = torch.rand(batch, objects, 2, generator=gen) * 560 + 40
    obj_wh = torch.rand(batch, objects, 2, generator=gen) * 200 + 16
    obj_cls = torch.randint(80, (batch, objects), generator=gen)
    d, nearest = (torch.cdist(anchor.expand(batch, a, 2), obj_c) / obj_wh.norm(dim=-1)[:, None]).min(-1)
    pick = lambda t: torch.gather(t, 1, nearest[..., None].expand(-1, -1, t.shape[2]))  # noqa: E731
    logits = torch.randn(batch, a, 80, generator=gen) * 1.2 - 7
    logits.scatter_(2, pick(obj_cls[..., None]), 6 - 18 * d[..., None] + torch.randn(batch, a, 1, generator=gen))
    wh = pick(obj_wh) * (1 + 0.1 * torch.randn(batch, a, 2, generator=gen))
    xy = pick(obj_c) + 0.05 * wh * torch.randn(batch, a, 2, generator=gen)
    return torch.cat([xy, wh, logits.sigmoid()], -1).transpose(1, 2).contiguous()


def clustered_output(batch, anchors, gen):
    """[B,4+5,A]: random boxes around a few centres, scores on a 1/256 grid (many exact ties)."""
    c = torch.rand(batch, 6, 2, generator=gen) * 600
    owner = torch.randint(6, (batch, anchors), generator=gen)
    xy = torch.gather(c, 1, owner[..., None].expand(-1, -1, 2)) + torch.randn(batch, anchors, 2, generator=gen) * 8
    wh = torch.rand(batch, anchors, 2, generator=gen) * 100 + 20
    scores = (torch.rand(batch, anchors, 5, generator=gen) ** 3 * 256).round() / 256
    return torch.cat([xy, wh, scores], -1).transpose(1, 2).contiguous()


def compare(lib, prediction, device, conf, iou, agnostic=False, classes=None, max_det=300):
    """(images, identical images, differing rows, images whose row set equals torchvision.ops.batched_nms')."""
    ref = non_max_suppression(prediction, conf, iou, classes=classes, agnostic=agnostic, max_det=max_det)
    view = prediction.to(device).transpose(1, 2)  # [B,A,84], what trackkit reads
    boxes = xywh2xyxy(view[..., :4])
    ours = trackkit_nms(lib, boxes, view[..., 4:], conf, iou, int(agnostic), classes, max_det)
    same = sum(bool(torch.equal(r.cpu().float(), o)) for r, o in zip(ref, ours))
    rows = sum(int((r.shape != o.shape) or (r.cpu().float() != o).any(1).sum()) for r, o in zip(ref, ours))
    tv_same = 0
    for b, o in enumerate(ours):  # torchvision's own class-aware NMS over ultralytics' candidates
        x = view[b].cpu()
        conf_b, cls_b = x[:, 4:].max(1)
        m = conf_b > conf
        xyxy, conf_b = xywh2xyxy(x[m, :4]).float(), conf_b.float()
        keep = torchvision.ops.batched_nms(xyxy, conf_b[m], cls_b[m] * (0 if agnostic else 1), iou)[:max_det]
        tv = torch.cat([xyxy[keep], conf_b[m][keep, None], cls_b[m][keep, None].float()], 1)
        tv_same += classes is None and sorted(map(tuple, tv.tolist())) == sorted(map(tuple, o.tolist()))
    return len(ref), same, rows, tv_same


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("library")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--batches", type=int, default=8, help="batches of 8 images per input kind")
    args = parser.parse_args()
    lib = load_library(args.library)
    device = torch.device(args.device)
    gen = torch.Generator().manual_seed(0)
    settings = [("predict 0.25/0.7", dict(conf=0.25, iou=0.7)), ("val 0.001/0.7", dict(conf=0.001, iou=0.7)),
                ("defaults 0.25/0.45", dict(conf=0.25, iou=0.45)), ("agnostic", dict(conf=0.25, iou=0.7, agnostic=True)),
                ("classes", dict(conf=0.1, iou=0.5, classes=[0, 2, 3])), ("max_det 10", dict(conf=0.05, iou=0.5, max_det=10))]
    print(f"{'input':<22}{'dtype':<9}{'setting':<20}{'images':>7}{'identical':>10}{'rows differ':>12}{'= tv.batched_nms':>17}")
    totals = [0, 0, 0]
    for kind in ("yolov8-like 8400x80", "clustered 3000x5"):
        for dtype in (torch.float32, torch.float16, torch.float64):
            for name, s in settings:
                acc = [0, 0, 0, 0]
                for _ in range(args.batches):
                    p = synthetic_output(8, gen) if kind.startswith("yolo") else clustered_output(8, 3000, gen)
                    acc = [x + y for x, y in zip(acc, compare(lib, p.to(dtype), device, **s))]
                totals = [totals[0] + acc[0], totals[1] + acc[1], totals[2] + acc[2]]
                tv = "-" if "classes" in s else f"{acc[3]}/{acc[0]}"
                print(f"{kind:<22}{str(dtype)[6:]:<9}{name:<20}{acc[0]:>7}{acc[1]:>10}{acc[2]:>12}{tv:>17}")
    print(f"total: {totals[1]}/{totals[0]} images identical to ultralytics, {totals[2]} rows differ")
    return 0 if totals[1] == totals[0] else 1


if __name__ == "__main__":
    sys.exit(main())
