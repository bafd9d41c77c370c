"""The detector pipeline written the Python way, for the same TorchScript model, frames and batch sizes as
bench/bench_detector.cpp, timed in the same run on the GPU machine (python3 with torch and cv2 is all it needs).

  python3 tools/compare/detector_python_baseline.py MODEL.torchscript [--fp16] [--batches 1,16,64] [--frames 256]

Styles (1080p BGR uint8 frames, 640x640 letterbox, conf 0.25, iou 0.45, class-aware NMS, boxes scaled back):
  per-frame  the pipeline trackkit grew from: per frame cv2 letterbox on the CPU, upload, forward, NMS
  batched    cv2 letterbox per frame on the CPU, one upload and forward per batch, NMS per image
  gpu        frames already on the GPU as uint8 (as trackkit gets them): torch interpolate + pad per batch,
             forward, NMS per image -- the best a Python pipeline does without custom kernels
NMS is torchvision's batched_nms when torchvision is importable, else a greedy loop in torch (stated in the output).
"""
import argparse
import time

import cv2
import numpy as np
import torch
import torch.nn.functional as F

try:
    from torchvision.ops import batched_nms
    NMS = "torchvision.ops.batched_nms"
except ImportError:  # the GPU machine may lack torchvision
    NMS = "torch greedy loop"

    def batched_nms(boxes, scores, classes, iou):
        offset = boxes + classes[:, None].to(boxes) * 7680
        order = scores.argsort(descending=True)
        keep = []
        while order.numel():
            i = order[0]
            keep.append(i)
            if order.numel() == 1:
                break
            b, rest = offset[i], offset[order[1:]]
            lt, rb = torch.maximum(b[:2], rest[:, :2]), torch.minimum(b[2:], rest[:, 2:])
            inter = (rb - lt).clamp(min=0).prod(1)
            area = lambda x: (x[..., 2] - x[..., 0]) * (x[..., 3] - x[..., 1])  # noqa: E731
            order = order[1:][inter / (area(b) + area(rest) - inter) <= iou]
        return torch.stack(keep) if keep else torch.zeros(0, dtype=torch.long, device=boxes.device)


def letterbox_cv2(frame, size=640):
    h, w = frame.shape[:2]
    r = min(size / h, size / w)
    nw, nh = round(w * r), round(h * r)
    dw, dh = (size - nw) / 2, (size - nh) / 2
    im = cv2.resize(frame, (nw, nh), interpolation=cv2.INTER_LINEAR)
    top, bottom, left, right = round(dh - 0.1), round(dh + 0.1), round(dw - 0.1), round(dw + 0.1)
    return cv2.copyMakeBorder(im, top, bottom, left, right, cv2.BORDER_CONSTANT, value=(114, 114, 114)), r, left, top


def postprocess(pred, r, left, top, layout, conf_threshold=0.25, classes=None):
    """pred: one image's raw output -> [N,6] in frame pixels."""
    if layout == "v8":
        pred = pred.T  # [A, 4+nc]
        boxes, scores = pred[:, :4], pred[:, 4:]
    else:
        boxes, scores = pred[:, :4], pred[:, 5:] * pred[:, 4:5]
    conf, cls = scores.max(1)
    keep = conf > conf_threshold
    if classes is not None:
        keep &= torch.isin(cls, torch.tensor(classes, device=cls.device))
    boxes, conf, cls = boxes[keep], conf[keep], cls[keep]
    xyxy = torch.cat([boxes[:, :2] - boxes[:, 2:] / 2, boxes[:, :2] + boxes[:, 2:] / 2], 1).float()
    i = batched_nms(xyxy, conf.float(), cls, 0.45)[:300]
    out = torch.cat([xyxy[i], conf[i, None].float(), cls[i, None].float()], 1)
    out[:, [0, 2]] = (out[:, [0, 2]] - left) / r
    out[:, [1, 3]] = (out[:, [1, 3]] - top) / r
    return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("model")
    p.add_argument("--fp16", action="store_true")
    p.add_argument("--batches", default="1,16,64")
    p.add_argument("--frames", type=int, default=256)
    a = p.parse_args()
    dev = torch.device("cuda")
    dtype = torch.float16 if a.fp16 else torch.float32
    model = torch.jit.load(a.model, map_location=dev).eval().to(dtype)
    rng = np.random.default_rng(0)
    frames = [rng.integers(0, 256, (1080, 1920, 3), dtype=np.uint8) for _ in range(16)]
    gpu_frames = torch.from_numpy(np.stack(frames)).to(dev)
    with torch.inference_mode():
        probe = model(torch.zeros(1, 3, 640, 640, device=dev, dtype=dtype))
        probe = probe[0] if isinstance(probe, (tuple, list)) else probe
        layout = "v8" if probe.shape[1] < probe.shape[2] else "v5"

        def per_frame(n):
            for k in range(n):
                im, r, left, top = letterbox_cv2(frames[k % 16])
                x = torch.from_numpy(im[..., ::-1].transpose(2, 0, 1).copy()).to(dev).to(dtype)[None] / 255
                pred = model(x)
                pred = pred[0] if isinstance(pred, (tuple, list)) else pred
                postprocess(pred[0], r, left, top, layout).cpu()

        def batched(n, b):
            for s in range(0, n, b):
                ims = [letterbox_cv2(frames[k % 16]) for k in range(s, s + b)]
                x = torch.from_numpy(np.stack([i[0][..., ::-1].transpose(2, 0, 1) for i in ims])).to(dev).to(dtype) / 255
                pred = model(x)
                pred = pred[0] if isinstance(pred, (tuple, list)) else pred
                [postprocess(pred[j], *ims[j][1:], layout).cpu() for j in range(b)]

        def gpu(n, b):
            r = 640 / 1920
            for s in range(0, n, b):
                idx = torch.arange(s, s + b, device=dev) % 16
                x = gpu_frames[idx].permute(0, 3, 1, 2).flip(1).to(dtype)
                x = F.interpolate(x, size=(360, 640), mode="bilinear", align_corners=False)
                x = F.pad(x, (0, 0, 140, 140), value=114.0) / 255
                pred = model(x)
                pred = pred[0] if isinstance(pred, (tuple, list)) else pred
                [postprocess(pred[j], r, 0, 140, layout).cpu() for j in range(b)]

        def timed(fn, *args):
            fn(min(a.frames, 32), *args[1:]) if args else fn(16)  # warm-up
            torch.cuda.synchronize()
            t = time.perf_counter()
            fn(*args) if args else fn(a.frames)
            torch.cuda.synchronize()
            return a.frames / (time.perf_counter() - t)

        print(f"python baseline: {a.model} {'fp16' if a.fp16 else 'fp32'} on {torch.cuda.get_device_name()}, NMS: {NMS}")
        print(f"  per-frame            {timed(per_frame):8.1f} frames/s")
        for b in (int(v) for v in a.batches.split(",")):
            print(f"  batched b={b:<3d}       {timed(batched, a.frames, b):8.1f} frames/s")
            print(f"  gpu-resident b={b:<3d}  {timed(gpu, a.frames, b):8.1f} frames/s")


if __name__ == "__main__":
    main()
