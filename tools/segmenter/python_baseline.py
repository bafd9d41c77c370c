#!/usr/bin/env python3
"""The Python predictor's speed, for bench_segmenter's figures (same GPU, same run; docs/performance.md).

    python3 tools/segmenter/python_baseline.py MODELS_DIR [--model mobile_sam] [--device cuda] [--boxes 1,10,50,200]
                                               [--autocast fp16]

SamPredictor on a random 1080p frame (the model rebuilt by its package from MODELS_DIR/<model>.state.pt):
  set_image          ResizeLongestSide (PIL) + preprocess + image encoder, ms a frame
  predict_torch x N  all N boxes of the frame in one predict_torch call (SAM's own batched boxes), 1080p masks
  per-box loop       N predict_torch calls of one box each (how the pipeline trackkit grew from called SAM2)
Prints one line per figure ("python ...").
"""
import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import torch

warnings.filterwarnings("ignore")
sys.path.insert(0, str(Path(__file__).resolve().parent))
from reference_sam import build  # noqa: E402


def timed(fn, device, repeat):
    fn()
    if device.startswith("cuda"):
        torch.cuda.synchronize()
    t = time.perf_counter()
    for _ in range(repeat):
        fn()
    if device.startswith("cuda"):
        torch.cuda.synchronize()
    return (time.perf_counter() - t) / repeat


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("models", type=Path)
    ap.add_argument("--model", default="mobile_sam")
    ap.add_argument("--device", default="cuda")
    ap.add_argument("--boxes", default="1,10,50,200")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--autocast", default=None, help="fp16 or bf16: run under torch.autocast")
    args = ap.parse_args()
    from segment_anything import SamPredictor

    predictor = SamPredictor(build(args.model, args.models, args.device))
    rng = np.random.default_rng(0)
    frame = rng.integers(0, 256, (1080, 1920, 3), dtype=np.uint8)
    dtype = {"fp16": torch.float16, "bf16": torch.bfloat16}.get(args.autocast)
    ctx = (lambda: torch.autocast("cuda", dtype=dtype)) if dtype else (lambda: torch.no_grad())
    label = f"{args.model} {args.device} {args.autocast or 'fp32'}"
    with ctx(), torch.no_grad():
        t = timed(lambda: predictor.set_image(frame), args.device, args.repeat)
        print(f"python {label} set_image: {1e3 * t:.2f} ms/frame ({1 / t:.1f} frames/s)", flush=True)
        for n in [int(v) for v in args.boxes.split(",")]:
            i = np.arange(n)
            boxes = np.stack([(i * 97) % 1820, (i * 53) % 860, (i * 97) % 1820 + 80, (i * 53) % 860 + 200], 1)
            prompts = predictor.transform.apply_boxes_torch(torch.tensor(boxes, dtype=torch.float, device=args.device),
                                                            (1080, 1920))
            one = timed(lambda: predictor.predict_torch(None, None, boxes=prompts, multimask_output=False), args.device,
                        args.repeat)
            loop = timed(lambda: [predictor.predict_torch(None, None, boxes=prompts[k:k + 1], multimask_output=False)
                                  for k in range(n)], args.device, max(1, args.repeat // 2))
            print(f"python {label} boxes={n}: one predict_torch call {1e3 * one:.2f} ms, per-box loop {1e3 * loop:.2f} ms "
                  f"({loop / one:.1f}x)", flush=True)
    if args.device.startswith("cuda"):
        print(f"python {label} peak_MB {torch.cuda.max_memory_allocated() / 2**20:.0f}")


if __name__ == "__main__":
    sys.exit(main())
