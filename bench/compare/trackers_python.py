"""ByteTrack and BoT-SORT from Python: trackkit, ultralytics and BoxMOT on the same MOT17 detections, same process.

Every tracker gets the same frames (bench/compare/mot17_inputs.py), each in the form its API takes, built before
the clock starts: trackkit and BoxMOT a float32 [N,6] x1,y1,x2,y2,score,class array, ultralytics its Results-like
object (float32 centre boxes). Settings are ultralytics' bytetrack.yaml / botsort.yaml for all (high 0.25, low 0.1,
new track 0.25, match 0.8 with score fusion, 30 frames of buffer whatever the frame rate, as ultralytics tracks),
trackkit through its ultralytics_* presets, BoxMOT through the equal constructor arguments. BoT-SORT: no ReID, and
the camera motion of every frame is the sequence's BoT-SORT GMC file, the same warp for all three (ultralytics' and
BoxMOT's estimators are replaced by the file's warp, trackkit gets it as `warp`). Per frame: the time of the update
call alone (perf_counter_ns, the best of --repeat runs per sequence), and HOTA / MOTA / IDF1 of all frames' tracks
(unfiltered) against the ground truth with trackkit.mot's TrackEval-equal evaluator (MOT17 preprocessing).

  build/boxmotvenv/bin/python bench/compare/trackers_python.py [--data DIR] [--repeat 3] [--sets frcnn,yolox_valhalf]
(the venv: docs/performance.md says how it is made; trackkit from the installed wheel, or PYTHONPATH=python with
TRACKKIT_LIBRARY=build/capi/libtrackkit_c.so.1)
"""
from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from types import SimpleNamespace
from typing import Callable, Dict, List

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mot17_inputs import DATA_SETS, Sequence, default_data_dir, read_data_set, result_rows  # noqa: E402

import trackkit  # noqa: E402  (first: it imports torch before loading its library)
import boxmot  # noqa: E402
import ultralytics  # noqa: E402
from boxmot import BotSort, ByteTrack  # noqa: E402
from ultralytics.trackers.bot_sort import BOTSORT  # noqa: E402
from ultralytics.trackers.byte_tracker import BYTETracker  # noqa: E402

FRAME_RATE = 30  # ultralytics builds its trackers at 30 whatever the video: track_buffer frames of memory
ULTRALYTICS_YAML = dict(track_high_thresh=0.25, track_low_thresh=0.1, new_track_thresh=0.25, track_buffer=30,
                        match_thresh=0.8, fuse_score=True, gmc_method="sparseOptFlow", proximity_thresh=0.5,
                        appearance_thresh=0.8, with_reid=False, model="auto")
DUMMY_IMAGE = np.zeros((8, 8, 3), np.uint8)  # BoT-SORTs want a frame; their GMC reads the file's warp instead


class UltralyticsDetections:
    """The Results-like object ultralytics' trackers read: conf, cls, xywh (centre), xyxy, boolean indexing."""

    def __init__(self, xywh: np.ndarray, conf: np.ndarray, cls: np.ndarray):
        self.xywh, self.conf, self.cls = xywh, conf, cls
        self.xyxy = np.concatenate([xywh[:, :2] - xywh[:, 2:] / 2, xywh[:, :2] + xywh[:, 2:] / 2], 1)

    def __len__(self) -> int:
        return len(self.conf)

    def __getitem__(self, mask) -> "UltralyticsDetections":
        return UltralyticsDetections(self.xywh[mask], self.conf[mask], self.cls[mask])


def ultralytics_inputs(seq: Sequence) -> List[UltralyticsDetections]:
    out = []
    for d in seq.dets6():
        xywh = np.concatenate([(d[:, :2] + d[:, 2:4]) / 2, d[:, 2:4] - d[:, :2]], 1)
        out.append(UltralyticsDetections(xywh, d[:, 4].copy(), d[:, 5].copy()))
    return out


# A runner: (sequence) -> (per-frame update seconds summed, outputs). Each builds its tracker and inputs first.
Runner = Callable[[Sequence], tuple]


def timed_loop(frames: int, prepare: Callable[[int], None], update: Callable[[int], np.ndarray]) -> tuple:
    outputs, total, clock = [], 0, time.perf_counter_ns
    for k in range(frames):
        prepare(k)  # e.g. hand the frame's warp to a replaced GMC estimator: not part of the tracker's time
        start = clock()
        rows = update(k)
        total += clock() - start
        outputs.append(rows)
    return total * 1e-9, outputs


def trackkit_runner(preset: str, with_warp: bool) -> Runner:
    def run(seq: Sequence):
        tracker, dets = trackkit.Tracker(preset, frame_rate=FRAME_RATE), seq.dets6()
        if with_warp:
            return timed_loop(seq.frames, lambda k: None, lambda k: tracker.update(dets[k], warp=seq.warps[k]))
        return timed_loop(seq.frames, lambda k: None, lambda k: tracker.update(dets[k]))
    return run


def ultralytics_runner(botsort: bool) -> Runner:
    def run(seq: Sequence):
        args = SimpleNamespace(**ULTRALYTICS_YAML)
        tracker, dets = (BOTSORT if botsort else BYTETracker)(args), ultralytics_inputs(seq)
        if botsort:
            def prepare(k):
                tracker.gmc.apply = lambda img, boxes=None, w=seq.warps[k]: w.copy()
            return timed_loop(seq.frames, prepare, lambda k: tracker.update(dets[k], DUMMY_IMAGE))
        return timed_loop(seq.frames, lambda k: None, lambda k: tracker.update(dets[k]))
    return run


def boxmot_runner(botsort: bool) -> Runner:
    common = dict(track_buffer=30, match_thresh=0.8, frame_rate=FRAME_RATE)
    def run(seq: Sequence):
        dets = seq.dets6()
        if not botsort:
            tracker = ByteTrack(min_conf=0.1, track_thresh=0.25, **common)
            return timed_loop(seq.frames, lambda k: None, lambda k: tracker.update(dets[k], None))
        tracker = BotSort(track_high_thresh=0.25, track_low_thresh=0.1, new_track_thresh=0.25, proximity_thresh=0.5,
                          use_cmc=True, cmc_method="sof", fuse_first_associate=True, use_embeddings=False, **common)
        def prepare(k):
            tracker.cmc.apply = lambda img, boxes=None, w=seq.warps[k]: w.copy()
        return timed_loop(seq.frames, prepare, lambda k: tracker.update(dets[k], DUMMY_IMAGE))
    return run


TRACKERS: Dict[str, Dict[str, Runner]] = {
    "ByteTrack": {"trackkit": trackkit_runner("ultralytics_bytetrack", False),
                  f"ultralytics {ultralytics.__version__}": ultralytics_runner(False),
                  f"BoxMOT {boxmot.__version__}": boxmot_runner(False)},
    "BoT-SORT": {"trackkit": trackkit_runner("ultralytics_botsort", True),
                 f"ultralytics {ultralytics.__version__}": ultralytics_runner(True),
                 f"BoxMOT {boxmot.__version__}": boxmot_runner(True)},
}


def ground_truth(seq: Sequence) -> np.ndarray:
    """The sequence's gt rows (trackkit.mot.read: frame 0-based) of the tracked frames, renumbered from 0."""
    gt = trackkit.mot.read(seq.gt_path)
    gt = gt[gt[:, 0] >= seq.first].copy()
    gt[:, 0] -= seq.first
    return gt


def run_set(set_name: str, sequences: List[Sequence], repeat: int) -> None:
    frames = sum(s.frames for s in sequences)
    dets = sum(len(d) for s in sequences for d in s.dets)
    det_file, val_half = DATA_SETS[set_name]
    print(f"\n## {set_name}: {det_file}{', val-half' if val_half else ''}; {len(sequences)} sequences, {frames} "
          f"frames, {dets / frames:.1f} detections a frame; time: best of {repeat} per sequence")
    print(f"| tracker | implementation | ms / frame | frames/s | × trackkit | HOTA | MOTA | IDF1 | IDSW |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    gts = {s.name: ground_truth(s) for s in sequences}
    for kind, runners in TRACKERS.items():
        seconds = {name: {s.name: float("inf") for s in sequences} for name in runners}
        outputs: Dict[str, Dict[str, list]] = {name: {} for name in runners}
        for _ in range(repeat):  # interleaved, so a disturbance of the shared machine hits all alike
            for seq in sequences:
                for name, run in runners.items():
                    t, out = run(seq)
                    seconds[name][seq.name] = min(seconds[name][seq.name], t)
                    outputs[name][seq.name] = out
        reference = sum(seconds["trackkit"].values())
        for name in runners:
            evaluator = trackkit.mot.Evaluator(mot17_preprocessing=True)
            for seq in sequences:
                evaluator.add(gts[seq.name], result_rows(outputs[name][seq.name]), num_frames=seq.frames)
            m, total = evaluator.combined(), sum(seconds[name].values())
            print(f"| {kind} | {name} | {1e3 * total / frames:.3f} | {frames / total:,.0f} | "
                  f"{total / reference:.1f} | {100 * m['hota']:.3f} | {100 * m['mota']:.3f} | {100 * m['idf1']:.3f} | "
                  f"{m['idsw']} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=default_data_dir(), help="the shared data (default: $TRACKKIT_DATA)")
    parser.add_argument("--sets", default=",".join(DATA_SETS), help=f"comma-separated: {', '.join(DATA_SETS)}")
    parser.add_argument("--repeat", type=int, default=3)
    opts = parser.parse_args()
    logging.disable(logging.INFO)  # BoxMOT logs every tracker it builds
    print(f"trackkit {trackkit.__version__} ({trackkit.build_info()}), ultralytics {ultralytics.__version__}, "
          f"BoxMOT {boxmot.__version__}, numpy {np.__version__}, Python {sys.version.split()[0]}")
    for set_name in opts.sets.split(","):
        run_set(set_name, read_data_set(opts.data, set_name), opts.repeat)


if __name__ == "__main__":
    main()
