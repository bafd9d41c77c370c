#!/usr/bin/env python3
"""Where the segmenter's GPU time goes: the exported TorchScript encoder and decoder run as trackkit runs them (the
plain interpreter: graph optimisation off, as ScriptModel does), timed and profiled per op, next to variants that
could be chosen instead (the profiling executor, cuDNN autotuning, channels_last). CUDA graphs of these traces
failed to capture and freezing them failed (torch 2.11, H200), so they are not among the variants.

    python3 tools/segmenter/profile_segmenter.py MODELS_DIR [MODELS_DIR...] [--model mobile_sam] [--boxes 50]
                                                 [--batch 32]

Prints ms per call for each variant and the top ops by CUDA time. A measuring tool, not a test.
"""
import argparse
import sys
import time
import warnings
from pathlib import Path

import torch

warnings.filterwarnings("ignore")


def timed(fn, iters):
    for _ in range(3):
        fn()
    torch.cuda.synchronize()
    t = time.perf_counter()
    for _ in range(iters):
        fn()
    torch.cuda.synchronize()
    return (time.perf_counter() - t) / iters * 1e3


def top_ops(fn, rows):
    from torch.profiler import ProfilerActivity, profile
    fn()
    torch.cuda.synchronize()
    with profile(activities=[ProfilerActivity.CPU, ProfilerActivity.CUDA]) as prof:
        fn()
        torch.cuda.synchronize()
    print(prof.key_averages().table(sort_by="cuda_time_total", row_limit=rows, max_name_column_width=60))


def report(name, measure, iters, unit_count, unit, build=False):
    """Times measure() (build: measure() returns the callable to time) and prints it; a variant that fails says why."""
    try:
        ms = timed(measure() if build else measure, iters)
        print(f"profile {name:<58} {ms:8.3f} ms   {unit_count / ms * 1e3:9.1f} {unit}/s", flush=True)
    except Exception as e:  # noqa: BLE001 - a measuring tool: say why and go on
        print(f"profile {name:<58} failed: {str(e).splitlines()[0][:200]}", flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("models", type=Path, nargs="+")
    ap.add_argument("--model", default="mobile_sam")
    ap.add_argument("--boxes", type=int, default=50)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--rows", type=int, default=22)
    args = ap.parse_args()
    for models in args.models:
        print(f"\n======== {models}", flush=True)
        profile_models(models, args)


def profile_models(models, args):
    dev, half = torch.device("cuda"), torch.float16
    torch._C._set_graph_executor_optimize(False)  # ScriptModel's GraphOptimizerEnabledGuard(false)
    torch.set_grad_enabled(False)
    enc = torch.jit.load(str(models / f"{args.model}.encoder.pt"), map_location=dev).eval().to(half)
    dec = torch.jit.load(str(models / f"{args.model}.decoder.pt"), map_location=dev).eval().to(half)
    tag = models.name
    n, b = args.boxes, args.batch
    torch.manual_seed(0)
    emb = torch.randn(1, 256, 64, 64, device=dev, dtype=half)
    xy = torch.rand(n, 2, device=dev) * 900
    boxes = torch.cat([xy, xy + torch.tensor([80.0, 200.0], device=dev)], 1).clamp(max=1023)
    index = torch.zeros(n, dtype=torch.long, device=dev)
    x = torch.randn(b, 3, 1024, 1024, device=dev, dtype=half)

    def executor(optimize, fn):
        def run():
            torch._C._set_graph_executor_optimize(optimize)
            try:
                return fn()
            finally:
                torch._C._set_graph_executor_optimize(False)
        return run

    def cudnn_benchmark(fn):
        def run():
            torch.backends.cudnn.benchmark = True
            try:
                return fn()
            finally:
                torch.backends.cudnn.benchmark = False
        return run

    one = lambda: dec(emb, index, boxes)  # noqa: E731
    with torch.inference_mode():
        report(f"{tag} decoder fp16 N=1 (interpreter)", lambda: dec(emb, index[:1], boxes[:1]), 20, 1, "boxes")
        report(f"{tag} decoder fp16 N={n} (interpreter)", one, 20, n, "boxes")
        report(f"{tag} decoder fp16 per-box loop x{n}",
               lambda: [dec(emb, index[i:i + 1], boxes[i:i + 1]) for i in range(n)], 3, n, "boxes")
        report(f"{tag} decoder fp16 N={n} profiling executor", executor(True, one), 20, n, "boxes")
        report(f"{tag} decoder fp16 N={n} cudnn.benchmark", cudnn_benchmark(one), 20, n, "boxes")
        print(f"\n---- {tag} decoder fp16 N={n}, top ops by CUDA time (interpreter)")
        top_ops(one, args.rows)

        enc_one = lambda: enc(x)  # noqa: E731
        xc = x.contiguous(memory_format=torch.channels_last)
        report(f"{tag} encoder fp16 B={b} (interpreter)", enc_one, 5, b, "frames")
        report(f"{tag} encoder fp16 B={b} channels_last", lambda: enc(xc), 5, b, "frames")
        report(f"{tag} encoder fp16 B={b} cudnn.benchmark", cudnn_benchmark(enc_one), 5, b, "frames")
        report(f"{tag} encoder fp16 B={b} channels_last + cudnn.benchmark", cudnn_benchmark(lambda: enc(xc)), 5, b,
               "frames")
        print(f"\n---- {tag} encoder fp16 B={b}, top ops by CUDA time (interpreter)")
        top_ops(enc_one, args.rows)


if __name__ == "__main__":
    sys.exit(main())
