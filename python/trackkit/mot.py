"""MOTChallenge files and the CLEAR / Identity / HOTA evaluator that reproduces TrackEval (docs/mot.md).

Rows are float64 [N,9] = frame (0-based), id, x, y, w, h, score (gt: the consider flag), class, visibility (-1
where the file has no such column), as tk_mot_read gives them.
"""
from __future__ import annotations

import ctypes as C
import os
from typing import Any, Dict, Iterable, Optional, Union

import numpy as np

from . import _dlpack
from ._config import int64_array
from ._handle import Handle, create
from ._lib import check, init_struct, lib
from ._structs import new_struct, tk_mot_eval_config, tk_mot_metrics, tk_mot_seqinfo

__all__ = ["read", "write_results", "read_seqinfo", "Evaluator", "evaluate", "METRICS"]

PathLike = Union[str, os.PathLike]
# The figures of tk_mot_metrics, in its order: the keys of every metrics dict.
METRICS = tuple(name for name, _ in tk_mot_metrics._fields_ if name != "struct_size")


def read(path: PathLike) -> np.ndarray:
    """A MOT text file (det, gt or results: 6 to 10 columns) as float64 [N,9], in file order."""
    slot, address = _dlpack.out_slot()
    check(lib.tk_mot_read(os.fspath(path).encode(), address))
    return _dlpack.output(_dlpack.take(slot), False)


def write_results(path: PathLike, rows: Any, decimals: int = -1) -> None:
    """Writes MOTChallenge results `frame+1,id,x,y,w,h,score,-1,-1,-1`: rows float32/float64 [N,7+] (frame 0-based,
    id, x, y, w, h, score; further columns ignored). decimals < 0: the shortest text that reads back the same."""
    keep, address = _dlpack.borrow(rows, "rows")
    check(lib.tk_mot_write_results(os.fspath(path).encode(), address, int(decimals)))


def read_seqinfo(path: PathLike) -> Dict[str, Any]:
    """A sequence's seqinfo.ini: {frame_rate, length, width, height, name, im_dir, im_ext}."""
    info = new_struct(tk_mot_seqinfo)
    check(lib.tk_mot_read_seqinfo(os.fspath(path).encode(), C.byref(info)))
    return {"frame_rate": info.frame_rate, "length": info.length, "width": info.width, "height": info.height,
            "name": info.name.decode(), "im_dir": info.im_dir.decode(), "im_ext": info.im_ext.decode()}


def _metrics_dict(metrics: tk_mot_metrics) -> Dict[str, Union[float, int]]:
    return {name: getattr(metrics, name) for name in METRICS}


def _rows(value: Any) -> Any:
    """Rows given as an array or as a MOT file path."""
    return read(value) if isinstance(value, (str, os.PathLike)) else value


class Evaluator(Handle):
    """Sequences evaluated one by one and combined as TrackEval's COMBINED_SEQ (not thread-safe).

    num_frames: frames of every sequence unless add() says (0: the largest frame + 1); mot17_preprocessing:
    TrackEval's MOT17 distractor removal, pedestrians only (False: MOT15 behaviour); distractor_classes: None for
    MOT17's 2, 7, 8, 12. Metrics are ratios in [0,1] (TrackEval prints x100) and counts, keyed as METRICS."""

    _destroy = lib.tk_mot_evaluator_destroy

    def __init__(self, num_frames: int = 0, mot17_preprocessing: bool = True, pedestrian_class: int = 1,
                 distractor_classes: Optional[Iterable[int]] = None):
        config = init_struct(tk_mot_eval_config, lib.tk_mot_eval_config_init)
        config.num_frames = int(num_frames)
        config.mot17_preprocessing = int(bool(mot17_preprocessing))
        config.pedestrian_class = int(pedestrian_class)
        classes, count = int64_array(distractor_classes, "distractor_classes")
        config.distractor_classes = C.cast(classes, C.c_void_p) if classes is not None else None
        config.num_distractor_classes = count
        self._distractor_classes = classes  # alive as long as the evaluator, whether or not the library copies it
        self._handle = create(lib.tk_mot_evaluator_create, C.byref(config))

    def add(self, gt: Any, results: Any, num_frames: int = 0) -> Dict[str, Union[float, int]]:
        """One sequence: gt and results as arrays ([N,9] / [N,7+] as read() gives) or MOT file paths; num_frames > 0
        (seqLength) overrides the evaluator's. Returns the sequence's metrics; it joins the combined ones."""
        gt, results = _rows(gt), _rows(results)
        keep_gt, gt_address = _dlpack.borrow(gt, "gt")
        keep_results, results_address = _dlpack.borrow(results, "results")
        metrics = new_struct(tk_mot_metrics)
        check(lib.tk_mot_evaluator_add(self._handle, gt_address, results_address, int(num_frames),
                                       C.byref(metrics)))
        return _metrics_dict(metrics)

    def combined(self) -> Dict[str, Union[float, int]]:
        """The metrics of every sequence added so far, combined (all zero before the first)."""
        metrics = new_struct(tk_mot_metrics)
        check(lib.tk_mot_evaluator_combined(self._handle, C.byref(metrics)))
        return _metrics_dict(metrics)

    def __len__(self) -> int:
        count = C.c_int64()
        check(lib.tk_mot_evaluator_count(self._handle, C.byref(count)))
        return count.value


def evaluate(gt: Any, results: Any, num_frames: int = 0, mot17_preprocessing: bool = True,
             pedestrian_class: int = 1, distractor_classes: Optional[Iterable[int]] = None
             ) -> Dict[str, Union[float, int]]:
    """One sequence's metrics (see Evaluator)."""
    with Evaluator(num_frames, mot17_preprocessing, pedestrian_class, distractor_classes) as evaluator:
        return evaluator.add(gt, results)
