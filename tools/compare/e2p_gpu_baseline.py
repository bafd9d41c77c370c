#!/usr/bin/env python3
"""Baselines for EquirectToPinhole's performance table, in the same GPU run as bench/bench_e2p (scripts/gpu-e2p.sh).

    python3 e2p_gpu_baseline.py BENCH_JSON OUT_JSON

(a) torch grid_sample as the Python pipeline used it: FP16 [B,3,H,W] frames on the GPU, a cached grid per view
    (built once, like its grid cache), one grid_sample call per view over the batch; bilinear, border padding,
    align_corners=False. Timed alone ("grid_sample") and with the uint8 NHWC -> FP16 NCHW conversion and the way back
    that the pipeline needed around it ("grid_sample + conversions"). Also the known single call: [8,3,1920,3840]
    onto 8 grids of 1920x1080 (one view per frame).
(b) py360convert.e2p (PyPI 1.0.4; OpenCV's remap inside when cv2 is importable) on one frame and one view, CPU.
(c) a device-to-device copy (bytes read + written), the roofline of bench_e2p's GBps.
Prints the table docs/performance.md carries; writes every figure to OUT_JSON.
"""
import json
import math
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

SIZES = {"2K": (1024, 2048), "4K": (1920, 3840), "8K": (3840, 7680)}
VIEWS, OUT_H, OUT_W, HFOV = 8, 1080, 1920, 90.0


def cuda_ms(fn, warmup=3, reps=20):
    for _ in range(warmup):
        fn()
    torch.cuda.synchronize()
    times = []
    for _ in range(reps):
        start, stop = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        fn()
        stop.record()
        stop.synchronize()
        times.append(start.elapsed_time(stop))
    return float(np.median(times))


def view_grid(yaw_deg, in_h, in_w):
    """Normalised grid_sample coordinates [h,w,2] of one view (trackkit's convention, docs/e2p.md), float64 math."""
    f = 0.5 * OUT_W / math.tan(math.radians(HFOV) / 2)
    x = (np.arange(OUT_W) + 0.5 - OUT_W / 2) / f
    y = (np.arange(OUT_H) + 0.5 - OUT_H / 2) / f
    xx, yy = np.meshgrid(x, y)
    c, s = math.cos(math.radians(yaw_deg)), math.sin(math.radians(yaw_deg))
    dx, dy, dz = c * xx + s, yy, -s * xx + c
    lon, lat = np.arctan2(dx, dz), np.arctan2(-dy, np.hypot(dx, dz))
    gx = (lon / (2 * math.pi) + 0.5) * 2 - 1
    gy = (0.5 - lat / math.pi) * 2 - 1
    return np.stack([gx, gy], -1)


def grid_sample_figures(results):
    dev = torch.device("cuda")
    for size, (h, w) in SIZES.items():
        grids = torch.tensor(np.stack([view_grid(360.0 * v / VIEWS, h, w) for v in range(VIEWS)]),
                             dtype=torch.float16, device=dev)
        for batch in (1, 8):
            frames_u8 = (torch.rand(batch, h, w, 3, device=dev) * 255).to(torch.uint8)
            x = frames_u8.permute(0, 3, 1, 2).half().contiguous()
            expanded = [g.unsqueeze(0).expand(batch, -1, -1, -1).contiguous() for g in grids]  # cached per view

            def sample(inp=x):
                return [F.grid_sample(inp, g, mode="bilinear", padding_mode="border", align_corners=False)
                        for g in expanded]

            def end_to_end():
                inp = frames_u8.permute(0, 3, 1, 2).half().contiguous()
                return [o.round().clamp(0, 255).to(torch.uint8).permute(0, 2, 3, 1).contiguous() for o in sample(inp)]

            ms = cuda_ms(sample)
            ms_e2e = cuda_ms(end_to_end)
            results[f"grid_sample/{size}/B{batch}"] = {"ms": ms, "views_per_s": batch * VIEWS / ms * 1e3}
            results[f"grid_sample_conversions/{size}/B{batch}"] = {"ms": ms_e2e,
                                                                   "views_per_s": batch * VIEWS / ms_e2e * 1e3}
            del x, frames_u8, expanded
            torch.cuda.empty_cache()
    # The known figure: [8,3,1920,3840] FP16 onto 8 grids of 1920x1080 (one per frame), one call.
    x = torch.rand(8, 3, 1920, 3840, device=dev, dtype=torch.float16)
    g = torch.tensor(np.stack([view_grid(45.0 * v, 1920, 3840) for v in range(8)]), dtype=torch.float16, device=dev)
    ms = cuda_ms(lambda: F.grid_sample(x, g, mode="bilinear", padding_mode="border", align_corners=False))
    results["grid_sample_known/4K/8frames_8grids"] = {"ms": ms, "views_per_s": 8 / ms * 1e3}


def copy_figure(results):
    src = torch.empty(1 << 30, dtype=torch.uint8, device="cuda").fill_(3)
    dst = torch.empty_like(src)
    ms = cuda_ms(lambda: dst.copy_(src))
    results["copy_1GiB"] = {"ms": ms, "GBps": 2 * src.numel() / ms / 1e6}


def py360_figures(results):
    try:
        import py360convert
    except ImportError:
        print("py360convert not importable: its row is left out")
        return
    for size, (h, w) in SIZES.items():
        frame = np.random.default_rng(0).integers(0, 255, (h, w, 3), dtype=np.uint8)
        start = time.perf_counter()
        py360convert.e2p(frame, (HFOV, 2 * math.degrees(math.atan(OUT_H / OUT_W))), 30, 0, (OUT_H, OUT_W))
        first = time.perf_counter() - start
        times = []
        for _ in range(3):
            start = time.perf_counter()
            py360convert.e2p(frame, (HFOV, 2 * math.degrees(math.atan(OUT_H / OUT_W))), 30, 0, (OUT_H, OUT_W))
            times.append(time.perf_counter() - start)
        results[f"py360convert/{size}"] = {"first_call_s": first, "s_per_view": float(np.median(times)),
                                           "views_per_s": 1 / float(np.median(times))}


def main():
    bench = {b["name"]: b for b in json.load(open(sys.argv[1]))["benchmarks"]} if len(sys.argv) > 2 else {}
    results = {}
    copy_figure(results)
    grid_sample_figures(results)
    py360_figures(results)
    json.dump(results, open(sys.argv[-1], "w"), indent=1)
    copy = results["copy_1GiB"]["GBps"]
    print(f"\nD2D copy (torch, 1 GiB, read + written): {copy:.0f} GB/s; {torch.cuda.get_device_name()}")
    print("| input | B | trackkit ms | GPU ms | views/s | GB/s | of copy | grid_sample ms | views/s | + conversions ms | "
          "speed-up vs grid_sample (+conv.) | by GPU ms | py360convert s/view |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for size in SIZES:
        for batch in (1, 8):
            ours = bench.get(f"cuda/u8_nhwc_bilinear/{size}/B{batch}/real_time", {})
            gs, ge = results[f"grid_sample/{size}/B{batch}"], results[f"grid_sample_conversions/{size}/B{batch}"]
            p = results.get(f"py360convert/{size}", {})
            # ms: wall time of bench_e2p's loop (5 calls, then a synchronisation); gpu: CUDA events around the calls,
            # the way grid_sample is timed here.
            ms, gpu = ours.get("ms_per_call", float("nan")), ours.get("gpu_ms_per_call", float("nan"))
            print(f"| {size} | {batch} | {ms:.3f} | {gpu:.3f} | {ours.get('views_per_s', float('nan')):.0f} | "
                  f"{ours.get('GBps', float('nan')):.0f} | {ours.get('GBps', float('nan')) / copy:.0%} | {gs['ms']:.3f} | "
                  f"{gs['views_per_s']:.0f} | {ge['ms']:.3f} | {gs['ms'] / ms:.1f}x ({ge['ms'] / ms:.1f}x) | "
                  f"{gs['ms'] / gpu:.1f}x | {p.get('s_per_view', float('nan')):.3f} |")
    k = results["grid_sample_known/4K/8frames_8grids"]
    print(f"known figure, grid_sample FP16 [8,3,1920,3840] onto 8 grids of 1920x1080: {k['ms']:.3f} ms "
          f"(1.04 ms on the H200 before)")


if __name__ == "__main__":
    main()
