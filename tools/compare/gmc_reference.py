#!/usr/bin/env python3
"""The reference GMC (ultralytics' trackers/utils/gmc.py, BoT-SORT's GMC on OpenCV-Python) on the frame pairs
bench/bench_gmc.cpp uses: 4 MOT17 1080p frames x 4 rigid motions, both frames zoomed 1.1x about the centre
(no border shows), the second moved by the motion. Prints ms per frame (one thread, GMC.apply per frame as
in a stream) and the mean corner error against the known motion, per method and downscale; also the
agreement with BoT-SORT's GMC files on consecutive MOT17-05/-10 frames.

    build/refvenv/bin/python tools/compare/gmc_reference.py ../shared/data [--bench-json bench_gmc.json]
    build/refvenv/bin/python tools/compare/gmc_reference.py ../shared/data --export-npy .gpu/data

--bench-json prints trackkit's figures (Google Benchmark JSON of bench_gmc from the same run) beside the
reference's. --export-npy writes the frames the GPU machine's tests and benchmark read (its OpenCV has no
imgcodecs or videoio) as .npy files under DIR/gmc_frames/ and exits.
"""
import argparse
import json
import math
import os
import time

import cv2
import numpy as np

SOURCES = [f"mot/MOT17/train/MOT17-{s}-FRCNN/img1/000001.jpg" for s in ("02", "04", "09", "10")]
# (angle deg, scale, tx, ty) about the frame centre: tests/gmc/gmc_test_util.hpp benchmark_motions().
MOTIONS = [(0.0, 1.0, 6.3, -3.1), (0.5, 1.0, -12.4, 4.7), (-1.0, 1.0, 3.2, 9.8), (0.3, 1.0, 17.6, -8.2)]
ZOOM = 1.1
HALF = np.array([[1, 0, 0.5], [0, 1, 0.5], [0, 0, 1.0]])  # index -> continuous (pixel centres at +0.5)


def about_centre(angle, scale, tx, ty, cx, cy):
    a = math.radians(angle)
    c, s = scale * math.cos(a), scale * math.sin(a)
    return np.array([[c, -s, cx - c * cx + s * cy + tx], [s, c, cy - s * cx - c * cy + ty], [0, 0, 1.0]])


def to_index(w):
    return np.linalg.inv(HALF) @ w @ HALF


def make_pairs(data):
    frames, truth = [], []
    for rel in SOURCES:
        src = cv2.imread(os.path.join(data, rel), cv2.IMREAD_COLOR)
        h, w = src.shape[:2]
        view = about_centre(0, ZOOM, 0, 0, w / 2, h / 2)
        for m in MOTIONS:
            motion = about_centre(*m, w / 2, h / 2)
            for warp in (view, motion @ view):
                frames.append(cv2.warpPerspective(src, to_index(warp), (w, h), flags=cv2.INTER_LINEAR,
                                                  borderMode=cv2.BORDER_REFLECT_101))
            truth.append(motion)
    return frames, truth


def corner_error(est, truth, w, h):
    e = []
    for x, y in ((0, 0), (w, 0), (0, h), (w, h)):
        a, b = est @ (x, y, 1.0), truth @ (x, y, 1.0)
        e.append(math.hypot(a[0] / a[2] - b[0] / b[2], a[1] / a[2] - b[1] / b[2]))
    return sum(e) / 4


def reference_gmc(method, downscale, variant):
    from ultralytics.trackers.utils.gmc import GMC

    gmc = GMC(method=method, downscale=downscale)
    if variant == "botsort":  # BoT-SORT's own feature settings (ultralytics now uses 400 corners, minDistance 0)
        gmc.feature_params = dict(maxCorners=1000, qualityLevel=0.01, minDistance=1, blockSize=3,
                                  useHarrisDetector=False, k=0.04)
    return gmc


def run(frames, truth, method, downscale, variant, max_frames, max_seconds):
    """GMC.apply per frame over previous, current, previous, ... ; the warp of each current frame is scored."""
    gmc = reference_gmc(method, downscale, variant)
    h, w = frames[0].shape[:2]
    times, errors = [], []
    start = time.perf_counter()
    for i in range(max_frames):
        t0 = time.perf_counter()
        warp = gmc.apply(frames[i % len(frames)])
        times.append(time.perf_counter() - t0)
        if i % 2 == 1:
            m = np.vstack([warp, [0, 0, 1.0]])
            errors.append(corner_error(HALF @ m @ np.linalg.inv(HALF), truth[(i % len(frames)) // 2], w, h))
        if time.perf_counter() - start > max_seconds and len(errors) >= 2:
            break
    return 1e3 * float(np.median(times[1:])), float(np.mean(errors)), len(times)


def file_agreement(data, method, downscale):
    out = {}
    for seq, n in (("05", 6), ("10", 5)):
        d = os.path.join(data, f"mot/MOT17/train/MOT17-{seq}-FRCNN")
        rows = np.loadtxt(os.path.join(d, f"gmc/GMC-MOT17-{seq}.txt"))
        gmc = reference_gmc(method, downscale, "")
        dist, motion = [], []
        for k in range(1, n + 1):
            img = cv2.imread(os.path.join(d, f"img1/{k:06d}.jpg"))
            warp = np.vstack([gmc.apply(img), [0, 0, 1.0]])
            if k == 1:
                continue
            ref = np.vstack([rows[k - 1, 1:7].reshape(2, 3), [0, 0, 1.0]])
            h, w = img.shape[:2]
            dist.append(corner_error(warp, ref, w, h))
            motion.append(corner_error(np.eye(3), ref, w, h))
        out[seq] = (float(np.mean(dist)), float(np.mean(motion)))
    return out


def export_npy(data, out):
    """Frames for the GPU machine's tests and benchmark (tests/gmc/gmc_test_util.hpp npy_name()): every MOT17 img1
    frame there is, frame 0 of the PETS video and frame 30 of the 360 video."""
    os.makedirs(os.path.join(out, "gmc_frames"), exist_ok=True)
    root = os.path.join(data, "mot/MOT17/train")
    for seq in sorted(os.listdir(root)):
        folder = os.path.join(root, seq, "img1")
        for name in sorted(os.listdir(folder)) if os.path.isdir(folder) else []:
            rel = f"mot/MOT17/train/{seq}/img1/{name}"
            np.save(os.path.join(out, "gmc_frames", rel.replace("/", "_").replace(".", "_") + ".npy"),
                    cv2.imread(os.path.join(data, rel), cv2.IMREAD_COLOR))
    for rel, index in (("video/PETS09-S2L1_480x360.avi", 0), ("equirect/gvr_congo_stereo_tb.mp4", 30)):
        cap = cv2.VideoCapture(os.path.join(data, rel))
        for _ in range(index + 1):
            ok, frame = cap.read()
        if ok:
            name = f"{rel}_{index}".replace("/", "_").replace(".", "_") + ".npy"
            np.save(os.path.join(out, "gmc_frames", name), frame)
    print("frames written to", os.path.join(out, "gmc_frames"))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("data")
    ap.add_argument("--bench-json", help="bench_gmc's --benchmark_out JSON of the same run")
    ap.add_argument("--export-npy", metavar="DIR")
    ap.add_argument("--frames", type=int, default=32, help="GMC.apply calls per configuration (as bench_gmc)")
    ap.add_argument("--max-seconds", type=float, default=60, help="per configuration")
    args = ap.parse_args()
    if args.export_npy:
        return export_npy(args.data, args.export_npy)
    cv2.setNumThreads(1)
    frames, truth = make_pairs(args.data)
    configs = [(m, ds, "") for m in ("sparseOptFlow", "orb", "sift", "ecc") for ds in (1, 2, 4)]
    configs.append(("sparseOptFlow", 2, "botsort"))
    ours = {}
    if args.bench_json:
        for b in json.load(open(args.bench_json))["benchmarks"]:
            if b.get("run_type", "iteration") == "iteration" and b["name"].startswith("stream/"):
                ours[b["name"].split("/iterations")[0]] = (b["real_time"], b.get("err_px", float("nan")))
    names = {"sparseOptFlow": "sparse_optical_flow", "orb": "orb", "sift": "sift", "ecc": "ecc_euclidean"}
    print(f"OpenCV-Python {cv2.__version__}, one thread; {len(truth)} pairs of {frames[0].shape[1]}x{frames[0].shape[0]}")
    print("| method | downscale | reference ms/frame | reference err px | trackkit ms/frame | trackkit err px | speed-up |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for method, ds, variant in configs:
        ms, err, n = run(frames, truth, method, ds, variant, args.frames, args.max_seconds)
        key = f"stream/{names[method]}/{ds}"
        t_ms, t_err = ours.get(key, (float("nan"), float("nan")))
        label = method + (" (BoT-SORT: 1000 corners, minDistance 1)" if variant else "")
        print(f"| {label} | {ds} | {ms:.2f} | {err:.3f} | {t_ms:.2f} | {t_err:.3f} | {ms / t_ms:.1f}x |", flush=True)
    for method in ("sparseOptFlow", "ecc"):
        for seq, (dist, motion) in file_agreement(args.data, method, 2).items():
            print(f"reference {method} downscale 2, MOT17-{seq}: {dist:.3f} px from BoT-SORT's GMC file "
                  f"(camera moves {motion:.2f} px)")


if __name__ == "__main__":
    main()
