"""trackkit.track(source, model): ultralytics' `model.track(source)` loop over FrameReader + Pipeline."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Iterator, List, Optional, Union

import numpy as np

from .gmc import GmcConfig
from .pipeline import FrameReader, Pipeline
from .tracker import TrackerConfig

__all__ = ["FrameResult", "track", "BOXMOT_COLUMNS"]

BOXMOT_COLUMNS = ("x1", "y1", "x2", "y2", "id", "conf", "cls", "det_ind")
# Pipeline rows (frame, id, x1, y1, x2, y2, score, class, det_index, gmc_status) -> BoxMOT's column order.
_TO_BOXMOT = [2, 3, 4, 5, 1, 6, 7, 8]


@dataclass
class FrameResult:
    """One frame's tracks: `tracks` float64 [M,8] in BoxMOT's columns (x1,y1,x2,y2,id,conf,cls,det_ind);
    gmc_status: the frame's tk_gmc_status (-1 when the frame has no track to carry it); names: class names."""

    frame: int
    tracks: np.ndarray
    gmc_status: int = -1
    names: List[str] = field(default_factory=list, repr=False)


def track(source: Union[str, os.PathLike], model: Union[str, os.PathLike],
          tracker: Union[TrackerConfig, str] = "botsort.yaml", device: str = "auto", batch: Optional[int] = None,
          conf: Optional[float] = None, gmc: Union[GmcConfig, str, bool, None] = None, max_frames: int = -1,
          frame_rate: Optional[float] = None, **detector: Any) -> Iterator[FrameResult]:
    """Yields a FrameResult per frame of `source` (a video, an image folder, a MOT sequence folder or a .npy
    uint8 [N,H,W,3]) tracked with the YOLO TorchScript export `model`.

    tracker: a preset, an ultralytics YAML ("botsort.yaml" and "bytetrack.yaml" without such a file: ultralytics'
    defaults) or a TrackerConfig; gmc: None for the tracker YAML's; conf: the detector's confidence (default the
    pipeline's 0.1); batch: frames per detector call (default: warmup's choice on a GPU, 1 on the CPU);
    frame_rate: default the source's (30 if it does not say); more Detector() keywords in `detector`."""
    with FrameReader(source, max_frames) as reader:
        info = reader.info
        settings = dict(detector, device=device)
        if conf is not None:
            settings["conf"] = conf
        fps = frame_rate or (info.fps if info.fps > 0 else 30.0)
        with Pipeline(model, detector=settings, gmc=gmc, tracker=tracker, frame_rate=fps) as pipeline:
            if batch is None:
                pipeline.warmup(info.height, info.width)
                batch = pipeline.batch_size() or 1
            reader.batch = int(batch)
            frame = 0
            for frames in reader:
                for rows in pipeline.push(frames):
                    yield _result(frame, rows, pipeline.names)
                    frame += 1
            for rows in pipeline.finish():
                yield _result(frame, rows, pipeline.names)
                frame += 1


def _result(frame: int, rows: np.ndarray, names: List[str]) -> FrameResult:
    status = int(rows[0, 9]) if len(rows) else -1
    return FrameResult(frame, rows[:, _TO_BOXMOT], status, names)
