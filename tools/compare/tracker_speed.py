"""Tracker time per frame against the number of detections: ultralytics' BYTETracker / BOTSORT (Python), trackkit
through its C ABI from Python, and trackkit's C++ call (examples/track_mot's Tracker::update timing), all on the
same synthetic crowds in the same run.

A crowd: n people-sized boxes (24x60) walking at up to 2 px/frame in 1920x1080, 1 px detection jitter, scores
0.2-1.0, 100 frames (the model of bench/bench_tracker.cpp's crowd). The frames are written as a MOT sequence
folder so that track_mot tracks exactly the frames the Python trackers get (float32 scores and corners).

  build/refvenv/bin/python tools/compare/tracker_speed.py build/capi/libtrackkit_c.so build/examples/track_mot
"""
import argparse
import os
import subprocess
import tempfile
import time
from types import SimpleNamespace

import numpy as np
from tracker_vs_ultralytics import YAML, Detections, TrackkitTracker, load_library
from ultralytics.trackers.bot_sort import BOTSORT
from ultralytics.trackers.byte_tracker import BYTETracker

SIZES = (10, 50, 100, 200, 500, 1000, 2000)
FRAMES = 100


def crowd(n, rng):
    """Frames of [n,5] float32 x1,y1,x2,y2,score."""
    x, y = rng.uniform(0, 1880, n), rng.uniform(0, 1010, n)
    vx, vy, score = rng.uniform(-2, 2, n), rng.uniform(-2, 2, n), rng.uniform(0.2, 1.0, n)
    frames = []
    for f in range(FRAMES):
        bx, by = x + vx * f + rng.uniform(-1, 1, n), y + vy * f + rng.uniform(-1, 1, n)
        frames.append(np.stack([bx, by, bx + 24, by + 60, score], 1).astype(np.float32))
    return frames


def write_sequence(folder, frames):
    os.makedirs(os.path.join(folder, "det"), exist_ok=True)
    with open(os.path.join(folder, "seqinfo.ini"), "w") as f:
        f.write(f"[Sequence]\nname=crowd-{len(frames[0])}\nframeRate=30\nseqLength={len(frames)}\n")
    with open(os.path.join(folder, "det", "det.txt"), "w") as f:
        for i, d in enumerate(frames):
            for r in d.astype(np.float64):  # float32 values, written exactly
                x1, y1, x2, y2, s = (float(v) for v in r)
                f.write(f"{i + 1},-1,{x1!r},{y1!r},{x2 - x1!r},{y2 - y1!r},{s!r}\n")


def time_python(tracker, frames, botsort):
    image = np.zeros((8, 8, 3), np.uint8)
    if botsort:
        tracker.gmc.apply = lambda img, dets: np.eye(2, 3)
    start = time.perf_counter()
    for d in frames:
        xywh = np.concatenate([(d[:, :2] + d[:, 2:4]) / 2, d[:, 2:4] - d[:, :2]], 1)
        det = Detections(xywh, d[:, 4], np.zeros(len(d), np.float32))
        tracker.update(det, image) if botsort else tracker.update(det)
    return (time.perf_counter() - start) / len(frames)


def time_capi(lib, preset, frames):
    ours = TrackkitTracker(lib, preset)
    start = time.perf_counter()
    for d in frames:
        ours.update(np.ascontiguousarray(d))
    return (time.perf_counter() - start) / len(frames)


def time_cpp(track_mot, folder, preset):
    out = subprocess.run([track_mot, "--tracker", preset, "--min-area", "0", "--out", os.path.join(folder, "out"),
                          folder], check=True, capture_output=True, text=True).stdout
    line = [line for line in out.splitlines() if line.startswith("crowd-")][0]
    return float(line.split()[-1]) * 1e-6  # us/frame, the last column


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("lib")
    parser.add_argument("track_mot")
    opts = parser.parse_args()
    lib = load_library(opts.lib)
    tmp = tempfile.mkdtemp(prefix="tk_speed_")
    print(f"{'tracker':10} {'dets':>5} {'python ms':>10} {'C ABI ms':>9} {'C++ ms':>8} {'py/C++':>7}")
    for name, ref_class, preset in (("bytetrack", BYTETracker, "ultralytics_bytetrack"),
                                    ("botsort", BOTSORT, "ultralytics_botsort")):
        for n in SIZES:
            frames = crowd(n, np.random.default_rng(n))
            folder = os.path.join(tmp, f"crowd-{n}")
            write_sequence(folder, frames)
            t_py = time_python(ref_class(SimpleNamespace(**YAML)), frames, ref_class is BOTSORT)
            t_capi = time_capi(lib, preset, frames)
            t_cpp = min(time_cpp(opts.track_mot, folder, preset) for _ in range(3))
            print(f"{name:10} {n:5d} {1e3 * t_py:10.3f} {1e3 * t_capi:9.3f} {1e3 * t_cpp:8.4f} {t_py / t_cpp:7.0f}")


if __name__ == "__main__":
    main()
