"""The main job written the Python way, for the same TorchScript model and frames as examples/track_video, timed
in the same run: a per-frame loop of cv2 letterbox, upload, forward, NMS (detector_python_baseline.py), then
ultralytics' BOTSORT with its own OpenCV GMC (sparseOptFlow, as botsort.yaml ships it) or its BYTETracker.

  python3 tools/compare/track_video_python.py MODEL.torchscript FRAMES.npy [--fp16] [--gmc sparseOptFlow|none]
          [--frames N] [--conf 0.1] [--classes 0] [--out results.txt]

FRAMES.npy is uint8 [N,H,W,3] BGR (what track_video reads without codecs). Prints frames/s per stage and in total.
Needs torch, cv2, numpy and ultralytics (+ lap), e.g. build/refvenv or wheels carried to the GPU machine.
"""
import argparse
import os
import sys
import time
from types import SimpleNamespace

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(__file__))
from detector_python_baseline import letterbox_cv2, postprocess  # noqa: E402
from tracker_vs_ultralytics import YAML, Detections  # noqa: E402
from ultralytics.trackers.bot_sort import BOTSORT  # noqa: E402
from ultralytics.trackers.byte_tracker import BYTETracker  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model")
    ap.add_argument("frames")
    ap.add_argument("--fp16", action="store_true")
    ap.add_argument("--gmc", default="sparseOptFlow")
    ap.add_argument("--frames-limit", type=int, default=0)
    ap.add_argument("--conf", type=float, default=0.1)
    ap.add_argument("--classes", default="")
    ap.add_argument("--out", default="")
    a = ap.parse_args()
    device = "cuda" if torch.cuda.is_available() else "cpu"
    dtype = torch.float16 if a.fp16 and device == "cuda" else torch.float32
    model = torch.jit.load(a.model, map_location=device).to(dtype).eval()
    frames = np.load(a.frames, mmap_mode="r")
    n = min(len(frames), a.frames_limit) if a.frames_limit else len(frames)
    classes = [int(c) for c in a.classes.split(",")] if a.classes else None
    with torch.inference_mode():
        probe = model(torch.zeros(1, 3, 640, 640, device=device, dtype=dtype))
    out = probe[0] if isinstance(probe, (tuple, list)) else probe
    layout = "v8" if out.shape[1] < out.shape[2] else "v5"
    args = SimpleNamespace(**dict(YAML, gmc_method=a.gmc if a.gmc != "none" else None))
    tracker = BOTSORT(args) if a.gmc != "none" else BYTETracker(args)  # 8.4: buffer fixed at 30 frames
    gmc_seconds = 0.0
    if a.gmc != "none":  # time ultralytics' GMC inside the tracker
        apply = tracker.gmc.apply

        def timed(img, dets=None):
            nonlocal gmc_seconds
            t = time.perf_counter()
            warp = apply(img, dets)
            gmc_seconds += time.perf_counter() - t
            return warp

        tracker.gmc.apply = timed
    t_det = t_track = 0.0
    rows = []
    for k in range(3):  # warm-up, not timed
        with torch.inference_mode():
            model(torch.zeros(1, 3, 640, 640, device=device, dtype=dtype))
    start = time.perf_counter()
    for i in range(n):
        frame = np.ascontiguousarray(frames[i])
        t0 = time.perf_counter()
        img, r, left, top = letterbox_cv2(frame)
        x = torch.from_numpy(img[:, :, ::-1].transpose(2, 0, 1).copy()).to(device).to(dtype).unsqueeze(0) / 255
        with torch.inference_mode():
            pred = model(x)
        pred = pred[0] if isinstance(pred, (tuple, list)) else pred
        det = postprocess(pred[0], r, left, top, layout, a.conf, classes).cpu().numpy()
        t1 = time.perf_counter()
        xyxy = det[:, :4]
        xywh = np.concatenate([(xyxy[:, :2] + xyxy[:, 2:]) / 2, xyxy[:, 2:] - xyxy[:, :2]], 1).astype(np.float32)
        tracks = tracker.update(Detections(xywh, det[:, 4].astype(np.float32), det[:, 5].astype(np.float32)), frame)
        t2 = time.perf_counter()
        t_det, t_track = t_det + t1 - t0, t_track + t2 - t1
        for t in tracks:  # x1, y1, x2, y2, id, score, cls, idx
            rows.append(f"{i + 1},{int(t[4])},{t[0]:.2f},{t[1]:.2f},{t[2] - t[0]:.2f},{t[3] - t[1]:.2f},{t[5]:.4f},-1,-1,-1")
    total = time.perf_counter() - start
    if a.out:
        with open(a.out, "w") as f:
            f.write("\n".join(rows) + "\n")
    h, w = frames.shape[1:3]
    print(f"python way ({os.path.basename(a.model)}, {w}x{h}, {'fp16' if dtype == torch.float16 else 'fp32'} on "
          f"{device}, GMC {a.gmc}): {n} frames in {total:.2f} s = {n / total:.1f} frames/s | detect {n / t_det:.1f}, "
          f"tracker incl. GMC {n / t_track:.1f}" + (f", GMC alone {n / gmc_seconds:.1f}" if gmc_seconds else "") +
          " frames/s")


if __name__ == "__main__":
    main()
