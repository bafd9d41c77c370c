"""The MOT17 sequences of the shared data (TRACKKIT_DATA) as per-frame numpy inputs, for bench/compare's scripts.

Detections are read as examples/track_mot reads them (float64 x1,y1,x2,y2,score in file order, one array a frame),
so a Python tracker and the C++ example get the same numbers. Camera warps come from each sequence's BoT-SORT GMC
file (gmc/GMC-<name>.txt: 0-based frame, a11 a12 tx a21 a22 ty); frames it lacks get the identity.
"""
from __future__ import annotations

import configparser
import os
from dataclasses import dataclass, field
from typing import Dict, List, Optional

import numpy as np

# name: (detection file, val-half). val-half = ByteTrack's validation protocol, frames N/2+2..N (1-based).
DATA_SETS = {
    "frcnn": ("det.txt", False),  # MOT17's public Faster R-CNN detections, every frame
    "yolox_valhalf": ("yolox_x_ablation.txt", True),  # ByteTrack's YOLOX-X ablation detector, val-half
}
REPO = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))


def default_data_dir() -> str:
    """$TRACKKIT_DATA, else ../shared/data next to the repository (where CI puts it)."""
    return os.environ.get("TRACKKIT_DATA") or os.path.join(REPO, "..", "shared", "data")


@dataclass
class Sequence:
    """One MOT17 sequence's tracked frames: first (0-based) .. length-1."""

    name: str
    path: str
    frame_rate: float
    length: int
    first: int
    dets: List[np.ndarray] = field(default_factory=list)  # float64 [N,5] x1,y1,x2,y2,score a frame
    warps: List[np.ndarray] = field(default_factory=list)  # float64 [2,3] a frame
    gt_path: Optional[str] = None

    @property
    def frames(self) -> int:
        return len(self.dets)

    def dets6(self, dtype=np.float32) -> List[np.ndarray]:
        """[N,6] x1,y1,x2,y2,score,class 0 a frame, as a detector hands them to BoxMOT-style trackers."""
        return [np.ascontiguousarray(np.concatenate([d, np.zeros((len(d), 1))], 1), dtype=dtype) for d in self.dets]


def read_seqinfo(path: str) -> Dict[str, str]:
    parser = configparser.ConfigParser()
    parser.optionxform = str  # keep seqLength's case
    parser.read(path)
    return dict(parser["Sequence"])


def read_gmc_file(path: str) -> Dict[int, np.ndarray]:
    warps = {}
    if os.path.exists(path):
        for line in open(path):
            v = line.split()
            if len(v) >= 7:
                warps[int(v[0])] = np.array(v[1:7], np.float64).reshape(2, 3)
    return warps


def read_sequence(path: str, det_file: str, val_half: bool) -> Sequence:
    info = read_seqinfo(os.path.join(path, "seqinfo.ini"))
    length = int(info["seqLength"])
    seq = Sequence(info["name"], path, float(info["frameRate"]), length, length // 2 + 1 if val_half else 0)
    rows = np.loadtxt(os.path.join(path, "det", det_file), delimiter=",", ndmin=2)
    frame_of_row = rows[:, 0].astype(np.int64) - 1  # 0-based
    warps = read_gmc_file(os.path.join(path, "gmc", f"GMC-{seq.name.rsplit('-', 1)[0]}.txt"))
    for f in range(seq.first, length):
        r = rows[frame_of_row == f]
        corners = [r[:, 2], r[:, 3], r[:, 2] + r[:, 4], r[:, 3] + r[:, 5], r[:, 6]]
        seq.dets.append(np.ascontiguousarray(np.stack(corners, 1)))
        seq.warps.append(warps.get(f, np.eye(2, 3)))
    gt = os.path.join(path, "gt", "gt.txt")
    seq.gt_path = gt if os.path.exists(gt) else None
    return seq


def read_data_set(data_dir: str, set_name: str) -> List[Sequence]:
    """Every MOT17 train sequence that has the set's detection file, in name order."""
    det_file, val_half = DATA_SETS[set_name]
    train = os.path.join(data_dir, "mot", "MOT17", "train")
    if not os.path.isdir(train):
        raise SystemExit(f"no MOT17 sequences under {train}: pass --data or set TRACKKIT_DATA")
    names = sorted(s for s in os.listdir(train) if os.path.exists(os.path.join(train, s, "det", det_file)))
    return [read_sequence(os.path.join(train, s), det_file, val_half) for s in names]


def result_rows(per_frame: List[np.ndarray]) -> np.ndarray:
    """Tracker outputs ([M,>=6] x1,y1,x2,y2,id,conf,... a frame, the sequence's first tracked frame first) as the
    rows trackkit.mot takes: float64 [N,7] frame (0-based), id, x, y, w, h, score."""
    out = []
    for k, rows in enumerate(per_frame):
        rows = np.asarray(rows, np.float64)
        if rows.size == 0:
            continue
        rows = rows.reshape(len(rows), -1)
        x1, y1, x2, y2, ids, conf = (rows[:, i] for i in range(6))
        out.append(np.stack([np.full(len(rows), float(k)), ids, x1, y1, x2 - x1, y2 - y1, conf], 1))
    return np.concatenate(out) if out else np.zeros((0, 7))
