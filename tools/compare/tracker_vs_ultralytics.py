"""trackkit's tracker (through its C ABI) against ultralytics' BYTETracker and BOTSORT on the same detections.

Runs, on every sequence of each data set, the reference and trackkit side by side on exactly the same inputs:
  * detections as float32 centre boxes (what a detector hands ultralytics); trackkit gets the same corners;
  * BoT-SORT: the shared BoT-SORT GMC warps (MOT17 gmc/ files; identity where a data set has none), fed to
    ultralytics by replacing its GMC estimator and to trackkit as `warp`;
  * BoT-SORT + ReID: synthetic appearance features, the same float32 array for both trackers (an identity's
    features are a fixed random direction plus noise; the identity is the gt box the detection overlaps most,
    IoU >= 0.5; others get random features), so the appearance cue is exercised without a ReID network.
Per sequence it reports frames with identical output (same ids, boxes within 0.01 px), HOTA / MOTA / IDF1 of
both outputs (trackkit's TrackEval-equal evaluator, examples/mot_eval) and the time of one update() call in
each, measured in the same run; trackkit's is the Python package's Tracker.update_ex (ctypes, DLPack in and out).

  build/refvenv/bin/python tools/compare/tracker_vs_ultralytics.py build/capi/libtrackkit_c.so \
      build/examples/mot_eval [--data DIR] [--trackers bytetrack,botsort,botsort_reid] [--sets ...]
(set up the venv with tools/compare/setup_reference_venv.sh)
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time
from types import SimpleNamespace

import numpy as np
from ultralytics.trackers.bot_sort import BOTSORT
from ultralytics.trackers.byte_tracker import BYTETracker


# (name, MOT folder, detection file, val-half, evaluate as MOT15)
DATA_SETS = {
    "mot17_frcnn": ("MOT17", "det.txt", False, False),
    "mot17_yolox_valhalf": ("MOT17", "yolox_x_ablation.txt", True, False),
    "mot15_frcnn": ("MOT15", "det_frcnn_sort.txt", False, True),
}
YAML = dict(track_high_thresh=0.25, track_low_thresh=0.1, new_track_thresh=0.25, track_buffer=30, match_thresh=0.8,
            fuse_score=True, gmc_method="sparseOptFlow", proximity_thresh=0.5, appearance_thresh=0.8,
            with_reid=False, model="auto")  # ultralytics' bytetrack.yaml / botsort.yaml
FEATURE_DIM = 32


class Detections:
    """The Results-like object the trackers read: conf, cls, xywh (centre) arrays, boolean indexing."""

    def __init__(self, xywh, conf, cls):
        self.xywh, self.conf, self.cls = xywh, conf, cls
        self.xyxy = np.concatenate([xywh[:, :2] - xywh[:, 2:] / 2, xywh[:, :2] + xywh[:, 2:] / 2], 1)

    def __len__(self):
        return len(self.conf)

    def __getitem__(self, mask):
        return Detections(self.xywh[mask], self.conf[mask], self.cls[mask])


def load_library(path):
    """The trackkit Python package (python/trackkit) over the libtrackkit_c at `path`."""
    os.environ["TRACKKIT_LIBRARY"] = os.path.abspath(path)
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "python"))
    import trackkit  # noqa: E402 (after TRACKKIT_LIBRARY is set)

    return trackkit


class TrackkitTracker:
    """trackkit's Tracker from Python (trackkit.Tracker over the C ABI) with a named preset at 30 fps."""

    def __init__(self, trackkit, preset):
        self.tracker = trackkit.Tracker(trackkit.TrackerConfig.preset(preset, 30.0))

    def update(self, dets, warp=None, features=None):
        """[M,9] rows: x1, y1, x2, y2, id, score, class, det_index, status."""
        return self.tracker.update_ex(dets, embs=features, warp=warp)


def read_sequence(seq, det_file, val_half):
    info = dict(line.strip().split("=", 1) for line in open(os.path.join(seq, "seqinfo.ini")) if "=" in line)
    length = int(info["seqLength"])
    first = length // 2 + 1 if val_half else 0  # ByteTrack's val-half: frames N/2+2..N (1-based)
    rows = np.loadtxt(os.path.join(seq, "det", det_file), delimiter=",", ndmin=2)
    gt_path = os.path.join(seq, "gt", "gt.txt")
    gt = np.loadtxt(gt_path, delimiter=",", ndmin=2) if os.path.exists(gt_path) else None
    # BoT-SORT names its files after the sequence without the detector part (GMC-MOT17-02.txt for MOT17-02-FRCNN);
    # other data sets may use the full name. A gmc/ folder without the sequence's file is an error, not identity warps.
    gmc_dir = os.path.join(seq, "gmc")
    candidates = [os.path.join(gmc_dir, f"GMC-{n}.txt") for n in (info["name"], info["name"].rsplit("-", 1)[0])]
    gmc_path = next((c for c in candidates if os.path.exists(c)), None)
    if gmc_path is None and os.path.isdir(gmc_dir):
        raise SystemExit(f"{gmc_dir} has none of {', '.join(os.path.basename(c) for c in candidates)}")
    if gmc_path is None:
        print(f"{info['name']}: no gmc/ folder, BoT-SORT runs with identity warps", file=sys.stderr)
    warps = {}
    if gmc_path is not None:
        for line in open(gmc_path):
            v = line.split()
            warps[int(v[0])] = np.array(v[1:7], np.float64).reshape(2, 3)
    frames = []
    for f in range(first, length):  # 0-based
        r = rows[rows[:, 0] == f + 1]
        xywh = np.stack([r[:, 2] + r[:, 4] / 2, r[:, 3] + r[:, 5] / 2, r[:, 4], r[:, 5]], 1).astype(np.float32)
        g = None if gt is None else gt[(gt[:, 0] == f + 1) & (gt[:, 6] != 0)]
        frames.append((xywh, r[:, 6].astype(np.float32), warps.get(f, np.eye(2, 3)), g))
    return info["name"], first, frames, gt_path if gt is not None else None


def synthetic_features(xywh, gt, rng, bases):
    """One float32 feature per detection: its identity's base direction + noise, random if it has none."""
    n = len(xywh)
    feats = rng.standard_normal((n, FEATURE_DIM)).astype(np.float32)
    if gt is None or n == 0 or len(gt) == 0:
        return feats
    a = np.concatenate([xywh[:, :2] - xywh[:, 2:] / 2, xywh[:, :2] + xywh[:, 2:] / 2], 1).astype(np.float64)
    b = np.stack([gt[:, 2], gt[:, 3], gt[:, 2] + gt[:, 4], gt[:, 3] + gt[:, 5]], 1)
    iw = np.clip(np.minimum(a[:, None, 2], b[None, :, 2]) - np.maximum(a[:, None, 0], b[None, :, 0]), 0, None)
    ih = np.clip(np.minimum(a[:, None, 3], b[None, :, 3]) - np.maximum(a[:, None, 1], b[None, :, 1]), 0, None)
    inter = iw * ih
    area = lambda x: (x[:, 2] - x[:, 0]) * (x[:, 3] - x[:, 1])  # noqa: E731
    iou = inter / (area(a)[:, None] + area(b)[None, :] - inter)
    best = iou.argmax(1)
    for i in range(n):
        if iou[i, best[i]] >= 0.5:
            ident = int(gt[best[i], 1])
            if ident not in bases:
                bases[ident] = rng.standard_normal(FEATURE_DIM).astype(np.float32)
            feats[i] = bases[ident] + 0.25 * feats[i]
    return feats


def same_tracks(a, b):
    if len(a) != len(b):
        return False
    a, b = a[np.argsort(a[:, 4])], b[np.argsort(b[:, 4])]
    return np.array_equal(a[:, 4], b[:, 4]) and np.abs(a[:, :4] - b[:, :4]).max(initial=0) < 0.01


def write_results(path, per_frame):
    with open(path, "w") as f:
        for frame, rows in enumerate(per_frame):
            for r in rows:
                f.write(f"{frame + 1},{int(r[4])},{r[0]:.3f},{r[1]:.3f},{r[2] - r[0]:.3f},{r[3] - r[1]:.3f},"
                        f"{r[5]:.4f},-1,-1,-1\n")


def evaluate(mot_eval, gt_path, first, frames, mot15, files):
    cmd = [mot_eval, "--gt", gt_path, "--first-frame", str(first), "--num-frames", str(frames)] + (
        ["--mot15"] if mot15 else []) + files
    lines = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.splitlines()[1:]
    return [[float(v) for v in line.split()[1:6]] for line in lines]  # HOTA DetA AssA MOTA IDF1


def run_sequence(lib, tracker, name, frames, seed):
    botsort = tracker.startswith("botsort")
    reid = tracker == "botsort_reid"
    args = SimpleNamespace(**dict(YAML, with_reid=reid))
    ref = BOTSORT(args) if botsort else BYTETracker(args)
    ours = TrackkitTracker(lib, "ultralytics_botsort" if botsort else "ultralytics_bytetrack")
    rng, bases = np.random.default_rng(seed), {}
    stats = dict(same=0, t_ref=0.0, t_ours=0.0)
    ref_rows, our_rows = [], []
    dummy_image = np.zeros((8, 8, 3), np.uint8)  # BOTSORT runs GMC only when given an image
    for xywh, conf, warp, gt in frames:
        det = Detections(xywh, conf, np.zeros_like(conf))
        corners = np.ascontiguousarray(np.stack([*det.xyxy.T, conf], 1))  # float32, as a detector gives them
        feats = synthetic_features(xywh, gt, rng, bases) if reid else None
        if botsort:
            ref.gmc.apply = lambda img, dets, w=warp: w.copy()
        t0 = time.perf_counter()
        a = ref.update(det, dummy_image, feats) if botsort else ref.update(det)
        t1 = time.perf_counter()
        b = ours.update(corners, warp if botsort else None, feats)
        t2 = time.perf_counter()
        stats["t_ref"] += t1 - t0
        stats["t_ours"] += t2 - t1
        a = np.asarray(a, np.float64).reshape(-1, 8)
        stats["same"] += same_tracks(a, b)
        ref_rows.append(a)
        our_rows.append(b)
    return stats, ref_rows, our_rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("lib")
    parser.add_argument("mot_eval")
    parser.add_argument("--data", default=os.environ.get("TRACKKIT_DATA", "../shared/data"))
    parser.add_argument("--trackers", default="bytetrack,botsort,botsort_reid")
    parser.add_argument("--sets", default=",".join(DATA_SETS))
    opts = parser.parse_args()
    lib = load_library(opts.lib)
    tmp = tempfile.mkdtemp(prefix="tk_compare_")
    for tracker in opts.trackers.split(","):
        for set_name in opts.sets.split(","):
            folder, det_file, val_half, mot15 = DATA_SETS[set_name]
            train = os.path.join(opts.data, "mot", folder, "train")
            print(f"\n## {tracker} on {set_name} ({det_file}{', val-half' if val_half else ''})")
            print(f"{'sequence':16} {'frames':>6} {'same':>6} {'HOTA ref':>8} {'ours':>7} {'MOTA ref':>8} {'ours':>7} "
                  f"{'IDF1 ref':>8} {'ours':>7} {'ref ms':>7} {'ours ms':>7} {'ratio':>6}")
            total = np.zeros(4)
            for k, seq in enumerate(sorted(os.listdir(train))):
                if not os.path.exists(os.path.join(train, seq, "det", det_file)):
                    continue
                name, first, frames, gt_path = read_sequence(os.path.join(train, seq), det_file, val_half)
                stats, ref_rows, our_rows = run_sequence(lib, tracker, name, frames, seed=k)
                n = len(frames)
                total += [n, stats["same"], stats["t_ref"], stats["t_ours"]]
                metrics = "  (no gt)" + " " * 46
                if gt_path:
                    files = [os.path.join(tmp, f"{name}_{w}.txt") for w in ("ref", "ours")]
                    write_results(files[0], ref_rows)
                    write_results(files[1], our_rows)
                    r, o = evaluate(opts.mot_eval, gt_path, first, n, mot15, files)
                    metrics = f"{r[0]:8.3f} {o[0]:7.3f} {r[3]:8.3f} {o[3]:7.3f} {r[4]:8.3f} {o[4]:7.3f}"
                print(f"{name:16} {n:6d} {stats['same']:6d} {metrics} {1e3 * stats['t_ref'] / n:7.3f} "
                      f"{1e3 * stats['t_ours'] / n:7.3f} {stats['t_ref'] / stats['t_ours']:6.1f}")
            n, same, t_ref, t_ours = total
            print(f"{'total':16} {int(n):6d} {int(same):6d} {'':54} {1e3 * t_ref / n:7.3f} {1e3 * t_ours / n:7.3f} "
                  f"{t_ref / t_ours:6.1f}")


if __name__ == "__main__":
    main()
