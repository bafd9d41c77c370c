"""What Python adds to a tracker call: trackkit.Tracker.update from Python against C++ Tracker::update, same frames.

C++: examples/track_mot, which times each Tracker::update (one thread; the detections of every frame are built
before the clock starts, as float64 [N,5] tensors viewing x1,y1,x2,y2,score). Python: the same sequences, the
same float64 [N,5] arrays (bench/compare/mot17_inputs.py reads the files as track_mot does) and the same preset,
each `Tracker.update(dets)` call timed with perf_counter_ns: the ctypes call, borrowing the array as a DLTensor,
the C ABI, the C++ update, and the [M,8] numpy result (BoxMOT's columns). The difference of the two means is what
Python and the C ABI add per call.

Both sides run --repeat times, alternating; a sequence's time is its best run (the machine is shared, so the
least disturbed run is the closest to the code's own cost). The outputs must agree: track_mot's results file and
the Python tracks, filtered and rounded as track_mot writes them, are compared frame by frame.

  PYTHONPATH=python TRACKKIT_LIBRARY=build/capi/libtrackkit_c.so.1 .venv/bin/python \\
      bench/compare/python_tracker_overhead.py --track-mot build/examples/track_mot [--data DIR] [--repeat 5]
(or with the installed wheel: python bench/compare/python_tracker_overhead.py --track-mot ...)
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from typing import Dict, List, Tuple

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mot17_inputs import DATA_SETS, Sequence, default_data_dir, read_data_set  # noqa: E402

import trackkit  # noqa: E402

PRESET = "bytetrack_mot17"  # track_mot's default: ByteTrack's MOT17 settings
MIN_AREA, MAX_ASPECT = 100.0, 1.6  # track_mot's output filter (ByteTrack's tools/track.py)


def run_track_mot(track_mot: str, sequences: List[Sequence], set_name: str, out_dir: str) -> Dict[str, float]:
    """Seconds in Tracker::update per sequence, from track_mot's table (us/frame, last column). The first sequence
    runs twice and its second run counts: the first call of a process pays one-time set-up (thread pools)."""
    det_file, val_half = DATA_SETS[set_name]
    folders = [s.path for s in sequences[:1] + sequences]
    cmd = [track_mot, "--det", det_file, "--tracker", PRESET, "--out", out_dir] + folders
    out = subprocess.run(cmd + (["--val-half"] if val_half else []), check=True, capture_output=True, text=True).stdout
    seconds = {}
    for line in out.splitlines():
        cells = line.split()
        if cells and cells[0].startswith("MOT17-"):
            seconds[cells[0]] = float(cells[-1]) * 1e-6 * int(cells[1])
    return seconds


def run_python(seq: Sequence) -> Tuple[float, List[np.ndarray]]:
    """Seconds in Tracker.update over the sequence, and its outputs."""
    tracker = trackkit.Tracker(PRESET, frame_rate=seq.frame_rate)
    outputs, total = [], 0
    clock = time.perf_counter_ns
    for dets in seq.dets:
        start = clock()
        rows = tracker.update(dets)
        total += clock() - start
        outputs.append(rows)
    return total * 1e-9, outputs


def written_lines(outputs: List[np.ndarray]) -> List[List[str]]:
    """Python's tracks as track_mot writes them (area/aspect filter, one decimal), sorted, a list a frame."""
    frames = []
    for rows in outputs:
        lines = []
        for x1, y1, x2, y2, ident, conf in np.asarray(rows, np.float64).reshape(-1, 8)[:, :6]:
            w, h = x2 - x1, y2 - y1
            if w * h > MIN_AREA and not w / h > MAX_ASPECT:
                lines.append(f"{int(ident)},{x1:.1f},{y1:.1f},{w:.1f},{h:.1f},{conf:.1f}")
        frames.append(sorted(lines))
    return frames


def identical_frames(results_file: str, outputs: List[np.ndarray]) -> int:
    """Frames where track_mot's results file and the Python tracks hold the same rows."""
    cpp: Dict[int, List[str]] = {}
    for line in open(results_file):
        cells = line.strip().split(",")
        cpp.setdefault(int(cells[0]) - 1, []).append(",".join(cells[1:7]))
    py = written_lines(outputs)
    return sum(sorted(cpp.get(k, [])) == lines for k, lines in enumerate(py))


def measure(opts, set_name: str, sequences: List[Sequence], tmp: str) -> None:
    best_cpp = {s.name: float("inf") for s in sequences}
    best_py = dict(best_cpp)
    same = {}
    for _ in range(opts.repeat):
        out_dir = os.path.join(tmp, set_name)
        for name, seconds in run_track_mot(opts.track_mot, sequences, set_name, out_dir).items():
            best_cpp[name] = min(best_cpp[name], seconds)
        for seq in sequences:
            seconds, outputs = run_python(seq)
            best_py[seq.name] = min(best_py[seq.name], seconds)
            same[seq.name] = identical_frames(os.path.join(out_dir, seq.name + ".txt"), outputs)
    det_file, val_half = DATA_SETS[set_name]
    print(f"\n## {set_name}: {det_file}{', val-half' if val_half else ''}, preset {PRESET}, best of {opts.repeat}")
    print(f"{'sequence':16} {'frames':>6} {'dets/frame':>10} {'identical':>9} {'C++ us':>8} {'Python us':>9} "
          f"{'added us':>8}")
    totals = np.zeros(4)
    for seq in sequences:
        n, dets = seq.frames, sum(len(d) for d in seq.dets)
        cpp, py = best_cpp[seq.name], best_py[seq.name]
        totals += [n, dets, cpp, py]
        print(f"{seq.name:16} {n:6d} {dets / n:10.1f} {same[seq.name]:9d} {1e6 * cpp / n:8.2f} {1e6 * py / n:9.2f} "
              f"{1e6 * (py - cpp) / n:8.2f}")
    n, dets, cpp, py = totals
    print(f"{'all':16} {int(n):6d} {dets / n:10.1f} {sum(same.values()):9d} {1e6 * cpp / n:8.2f} {1e6 * py / n:9.2f} "
          f"{1e6 * (py - cpp) / n:8.2f}")


def empty_frame_floor(calls: int = 20000, repeat: int = 5) -> float:
    """Seconds a Tracker.update call takes with no detections and no tracks: the fixed cost of a call from
    Python (the wrapper, ctypes, DLPack in and out, the C ABI's checks, an empty C++ update)."""
    tracker, empty, best = trackkit.Tracker(PRESET), np.zeros((0, 5)), float("inf")
    for _ in range(repeat):
        start = time.perf_counter_ns()
        for _ in range(calls):
            tracker.update(empty)
        best = min(best, (time.perf_counter_ns() - start) * 1e-9 / calls)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--track-mot", required=True, help="examples/track_mot of the same build as the library")
    parser.add_argument("--data", default=default_data_dir(), help="the shared data (default: $TRACKKIT_DATA)")
    parser.add_argument("--sets", default=",".join(DATA_SETS), help=f"comma-separated: {', '.join(DATA_SETS)}")
    parser.add_argument("--repeat", type=int, default=5)
    opts = parser.parse_args()
    print(f"trackkit {trackkit.__version__} from {trackkit.library_path()}\n{trackkit.build_info()}")
    tmp = tempfile.mkdtemp(prefix="tk_overhead_")
    for set_name in opts.sets.split(","):
        measure(opts, set_name, read_data_set(opts.data, set_name), tmp)
    floor = empty_frame_floor()
    print(f"\nTracker.update of an empty frame from Python (best of 5 x 20000 calls): {1e6 * floor:.2f} us")


if __name__ == "__main__":
    main()
