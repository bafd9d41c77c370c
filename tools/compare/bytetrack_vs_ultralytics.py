"""trackkit's tracker (through its C ABI) against ultralytics' BYTETracker, on the same MOT17 detections.

Both trackers get every frame of the public FRCNN detections as float32 centre boxes (what a detector hands
ultralytics). For each sequence it reports how many frames give the same tracks (same ids, boxes within
0.01 px) and the time of one update() call in each, measured in the same run; trackkit's includes the
Python -> C ABI crossing (ctypes, DLPack in and out), i.e. what a Python user of trackkit pays.

  build/refvenv/bin/python tools/compare/bytetrack_vs_ultralytics.py build/capi/libtrackkit_c.so [DATA_DIR]
(set up the venv with tools/compare/setup_reference_venv.sh)
"""
import ctypes as C
import os
import sys
import time
from types import SimpleNamespace

import numpy as np
from ultralytics.trackers.byte_tracker import BYTETracker

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tests", "capi"))
from dlpack_ctypes import DLDataType, DLDevice, DLManagedTensorVersioned, DLTensor  # noqa: E402


class TkConfig(C.Structure):
    _fields_ = [("struct_size", C.c_size_t)] + [(n, C.c_double) for n in (
        "track_thresh", "low_thresh", "new_track_thresh", "match_thresh", "second_match_thresh",
        "unconfirmed_match_thresh", "frame_rate", "duplicate_distance")] + [(n, C.c_int32) for n in (
            "track_buffer", "fuse_score", "iou_plus_one", "high_score_inclusive")]


class Detections:
    """The Results-like object BYTETracker reads: conf, cls, xywh (centre) arrays, boolean indexing."""

    def __init__(self, xywh, conf, cls):
        self.xywh, self.conf, self.cls = xywh, conf, cls

    def __len__(self):
        return len(self.conf)

    def __getitem__(self, mask):
        return Detections(self.xywh[mask], self.conf[mask], self.cls[mask])


def read_frames(seq):
    info = dict(line.strip().split("=", 1) for line in open(os.path.join(seq, "seqinfo.ini")) if "=" in line)
    rows = np.loadtxt(os.path.join(seq, "det", "det.txt"), delimiter=",", ndmin=2)
    frames = []
    for f in range(1, int(info["seqLength"]) + 1):
        r = rows[rows[:, 0] == f]
        xywh = np.stack([r[:, 2] + r[:, 4] / 2, r[:, 3] + r[:, 5] / 2, r[:, 4], r[:, 5]], 1).astype(np.float32)
        frames.append((xywh, r[:, 6].astype(np.float32)))
    return info["name"], frames


class TrackkitTracker:
    def __init__(self, lib):
        self.lib = lib
        config = TkConfig()
        assert lib.tk_tracker_config_preset(b"ultralytics_bytetrack", C.c_double(30.0), C.byref(config)) == 0
        self.handle = C.c_void_p()
        assert lib.tk_tracker_create(C.byref(config), C.byref(self.handle)) == 0, lib.tk_last_error()

    @staticmethod
    def detections(xywh, conf):
        """x1,y1,x2,y2,score in float32 the way ultralytics derives corners from centre boxes, as float64."""
        left, top = xywh[:, 0] - xywh[:, 2] / 2, xywh[:, 1] - xywh[:, 3] / 2
        return np.ascontiguousarray(np.stack([left, top, left + xywh[:, 2], top + xywh[:, 3], conf], 1), np.float64)

    def update(self, dets):
        shape = (C.c_int64 * 2)(*dets.shape)
        t = DLTensor(dets.ctypes.data, DLDevice(1, 0), 2, DLDataType(2, 64, 1), shape, None, 0)
        out = C.POINTER(DLManagedTensorVersioned)()
        assert self.lib.tk_tracker_update(self.handle, C.byref(t), C.byref(out)) == 0, self.lib.tk_last_error()
        m = out.contents.dl_tensor
        rows = np.ctypeslib.as_array(C.cast(m.data, C.POINTER(C.c_double)), shape=(m.shape[0], 8)).copy()
        self.lib.tk_tensor_free(out)
        return rows


def same_tracks(a, b):
    if len(a) != len(b):
        return False
    a, b = a[np.argsort(a[:, 4])], b[np.argsort(b[:, 4])]
    return np.array_equal(a[:, 4], b[:, 4]) and np.abs(a[:, :4] - b[:, :4]).max(initial=0) < 0.01


def main():
    lib = C.CDLL(sys.argv[1])
    lib.tk_last_error.restype = C.c_char_p
    lib.tk_tracker_update.argtypes = [C.c_void_p, C.POINTER(DLTensor), C.POINTER(C.POINTER(DLManagedTensorVersioned))]
    data = sys.argv[2] if len(sys.argv) > 2 else os.environ.get("TRACKKIT_DATA", "../shared/data")
    train = os.path.join(data, "mot", "MOT17", "train")
    args = SimpleNamespace(track_high_thresh=0.25, track_low_thresh=0.1, new_track_thresh=0.25, track_buffer=30,
                           match_thresh=0.8, fuse_score=True)  # ultralytics' bytetrack.yaml
    print(f"{'sequence':16} {'frames':>6} {'same':>6} {'rows':>7} {'ref rows':>8} {'ultralytics ms':>14} "
          f"{'trackkit ms':>11} {'ratio':>6}")
    totals = np.zeros(6)
    for seq in sorted(os.listdir(train)):
        if not os.path.exists(os.path.join(train, seq, "det", "det.txt")):
            continue
        name, frames = read_frames(os.path.join(train, seq))
        ref, ours = BYTETracker(args), TrackkitTracker(lib)
        same = rows = ref_rows = 0
        t_ref = t_ours = 0.0
        for xywh, conf in frames:
            ref_input, our_input = Detections(xywh, conf, np.zeros_like(conf)), ours.detections(xywh, conf)
            t0 = time.perf_counter()
            a = ref.update(ref_input)
            t1 = time.perf_counter()
            b = ours.update(our_input)
            t2 = time.perf_counter()
            t_ref, t_ours = t_ref + t1 - t0, t_ours + t2 - t1
            a = np.asarray(a, np.float64).reshape(-1, 8)
            same += same_tracks(a, b)
            rows, ref_rows = rows + len(b), ref_rows + len(a)
        n = len(frames)
        totals += [n, same, rows, ref_rows, t_ref, t_ours]
        print(f"{name:16} {n:6d} {same:6d} {rows:7d} {ref_rows:8d} {1e3 * t_ref / n:14.3f} {1e3 * t_ours / n:11.3f} "
              f"{t_ref / t_ours:6.1f}")
    n, same, rows, ref_rows, t_ref, t_ours = totals
    print(f"{'total':16} {int(n):6d} {int(same):6d} {int(rows):7d} {int(ref_rows):8d} {1e3 * t_ref / n:14.3f} "
          f"{1e3 * t_ours / n:11.3f} {t_ref / t_ours:6.1f}")


if __name__ == "__main__":
    main()
