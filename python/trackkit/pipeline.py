"""Detection -> GMC -> tracking over one stream (docs/track_video.md), and frame reading."""
from __future__ import annotations

import ctypes as C
import os
from collections import namedtuple
from typing import Any, Dict, Iterator, List, Optional, Union

import numpy as np

from . import _dlpack
from ._handle import Handle, create
from ._lib import check, init_struct, lib
from ._structs import new_struct, tk_frame_reader_config, tk_pipeline_config, tk_pipeline_times
from .detector import DetectorConfig, class_names
from .gmc import GmcConfig
from .tracker import TrackerConfig, resolve_config

__all__ = ["Pipeline", "FrameReader", "FrameInfo", "PIPELINE_COLUMNS"]

# The columns of the pipeline's rows.
PIPELINE_COLUMNS = ("frame", "id", "x1", "y1", "x2", "y2", "score", "class", "det_index", "gmc_status")
FrameInfo = namedtuple("FrameInfo", "frames height width fps")


def _detector_config(detector: Union[DetectorConfig, Dict[str, Any], None]) -> Optional[DetectorConfig]:
    """None keeps the pipeline's defaults (the detector's, with confidence 0.1); a dict of Detector() keywords
    changes those."""
    if detector is None or isinstance(detector, DetectorConfig):
        return detector
    return DetectorConfig(conf_threshold=0.1).updated(**detector)


def _gmc_config(gmc: Union[GmcConfig, str, bool, None], from_tracker: Optional[GmcConfig]) -> Optional[GmcConfig]:
    """A preset name, a GmcConfig, False (no camera motion) or None (the tracker YAML's, else the defaults)."""
    if gmc is False:
        return GmcConfig(method="none")
    if isinstance(gmc, str):
        return GmcConfig.preset(gmc)
    return gmc if gmc is not None else from_tracker


class Pipeline(Handle):
    """One stream's detector + GMC + tracker (not thread-safe: one thread at a time).

    detector: a DetectorConfig or a dict of Detector() keywords (device, precision, conf, ...); gmc: a GmcConfig, a
    GMC preset name or False; tracker: a TrackerConfig, preset name or ultralytics YAML (default: the
    "ultralytics_botsort" preset) at frame_rate fps. push() returns the finished frames' rows, PIPELINE_COLUMNS."""

    _destroy = lib.tk_pipeline_destroy
    _set_cuda_stream = lib.tk_pipeline_set_cuda_stream

    def __init__(self, model_path: Union[str, os.PathLike],
                 detector: Union[DetectorConfig, Dict[str, Any], None] = None,
                 gmc: Union[GmcConfig, str, bool, None] = None, tracker: Union[TrackerConfig, str, None] = None,
                 frame_rate: float = 30.0):
        config = init_struct(tk_pipeline_config, lib.tk_pipeline_config_init)
        keep = []
        detector_config = _detector_config(detector)
        if detector_config is not None:
            struct, ids = detector_config.to_struct()
            keep += [struct, ids]
            config.detector = C.addressof(struct)
        yaml_gmc = None
        if tracker is not None:
            tracker_config, yaml_gmc = resolve_config(tracker, frame_rate)
            struct = tracker_config.to_struct()
            keep.append(struct)
            config.tracker = C.addressof(struct)
        gmc_config = _gmc_config(gmc, yaml_gmc)
        if gmc_config is not None:
            struct = gmc_config.to_struct()
            keep.append(struct)
            config.gmc = C.addressof(struct)
        self._handle = create(lib.tk_pipeline_create, os.fspath(model_path).encode(), C.byref(config))
        self.names: List[str] = class_names(lib.tk_pipeline_class_count, lib.tk_pipeline_class_name, self._handle)
        self._next_frame = 0  # index of the next frame to finish
        self._in_flight: List[Any] = []  # pushed frames the library may still read
        self._slot, self._slot_address = _dlpack.out_slot()

    def warmup(self, height: int, width: int) -> None:
        """Compiles kernels for this frame size and picks the batch size from free GPU memory."""
        check(lib.tk_pipeline_warmup(self._handle, int(height), int(width)))

    def batch_size(self) -> int:
        """The detector's batch size (chosen by warmup on a GPU)."""
        value = C.c_int64()
        check(lib.tk_pipeline_batch_size(self._handle, C.byref(value)))
        return value.value

    def _finished(self, frames_finished: C.c_int64) -> List[np.ndarray]:
        """The rows of each finished frame (views of the call's output), in frame order."""
        rows = _dlpack.output(_dlpack.take(self._slot), False, _dlpack.CPU)
        if rows is None:
            rows = np.empty((0, len(PIPELINE_COLUMNS)))
        first, count = self._next_frame, frames_finished.value
        self._next_frame += count
        edges = np.searchsorted(rows[:, 0], np.arange(first, first + count + 1), side="left")
        return [rows[edges[i]:edges[i + 1]] for i in range(count)]

    def push(self, frames: Any, stream: Any = None) -> List[np.ndarray]:
        """Takes the next frames, uint8 [B,H,W,3] BGR (CPU or the model's GPU; kept alive here until finished) and
        returns the rows (float64 [m,10], PIPELINE_COLUMNS) of each frame this call finished: on a GPU the previous
        batch's, on the CPU this one's."""
        frames = _dlpack.with_batch_axis(frames)
        chosen = self._use_stream(_dlpack.device_of(frames), stream)
        held, address = _dlpack.borrow(frames, "frames", chosen)
        frames_finished = C.c_int64()
        check(lib.tk_pipeline_push(self._handle, address, self._slot_address, C.byref(frames_finished)))
        # Frames stay readable until a later call finishes them; everything before this batch is finished now.
        self._in_flight = [held]
        return self._finished(frames_finished)

    def finish(self) -> List[np.ndarray]:
        """Finishes the frames in flight (rows as push() gives them)."""
        frames_finished = C.c_int64()
        check(lib.tk_pipeline_finish(self._handle, self._slot_address, C.byref(frames_finished)))
        self._in_flight = []
        return self._finished(frames_finished)

    def reset(self) -> None:
        """A new stream: tracks forgotten, ids restart at 1, frames in flight dropped."""
        check(lib.tk_pipeline_reset(self._handle))
        self._in_flight, self._next_frame = [], 0

    def times(self) -> Dict[str, Union[int, float]]:
        """Seconds per stage since creation (frames, upload, detect, wait, gmc, track, total) and the GPU's peak
        allocated bytes."""
        times = new_struct(tk_pipeline_times)
        check(lib.tk_pipeline_times_get(self._handle, C.byref(times)))
        return {name: getattr(times, name) for name, _ in tk_pipeline_times._fields_ if name != "struct_size"}


_DECODE = {"auto": 0, "gpu": 1, "cpu": 2}


class FrameReader(Handle):
    """Frames of a video (a file, or any URL or pipe FFmpeg opens), an image folder, a MOT sequence folder or a .npy
    uint8 [N,H,W,3] file, decoded ahead on background threads (not thread-safe). Iterating yields batches uint8
    [b,H,W,3] BGR (RGB with rgb=True): numpy on the CPU, or a torch CUDA tensor when the video decodes on the GPU
    (decode "auto" where NVDEC is there, or "gpu"; docs/video.md)."""

    _destroy = lib.tk_frame_reader_close

    def __init__(self, path: Union[str, os.PathLike], max_frames: int = -1, batch: int = 1, decode: str = "auto",
                 rgb: bool = False, cuda_device: int = 0, threads: int = 0, prefetch: int = 64):
        if decode not in _DECODE:
            raise ValueError(f"decode must be one of {', '.join(_DECODE)}, got {decode!r}")
        self.batch = int(batch)
        config = init_struct(tk_frame_reader_config, lib.tk_frame_reader_config_init)
        config.max_frames, config.decode, config.rgb = int(max_frames), _DECODE[decode], int(bool(rgb))
        config.cuda_device, config.threads, config.prefetch = int(cuda_device), int(threads), int(prefetch)
        self._handle = create(lib.tk_frame_reader_open_with, os.fspath(path).encode(), C.byref(config))
        self._slot, self._slot_address = _dlpack.out_slot()

    @property
    def info(self) -> FrameInfo:
        """(frames, height, width, fps); frames is -1 when the container does not say."""
        frames, height, width, fps = C.c_int64(), C.c_int64(), C.c_int64(), C.c_double()
        check(lib.tk_frame_reader_info(self._handle, C.byref(frames), C.byref(height), C.byref(width), C.byref(fps)))
        return FrameInfo(frames.value, height.value, width.value, fps.value)

    def read(self, max_frames: int = 1) -> Any:
        """The next up to max_frames frames, uint8 [b,H,W,3]; b = 0 at the end (numpy, or torch on CUDA)."""
        check(lib.tk_frame_reader_read(self._handle, int(max_frames), self._slot_address))
        return _dlpack.output(_dlpack.take(self._slot), False)

    def __iter__(self) -> Iterator[np.ndarray]:
        while True:
            frames = self.read(self.batch)
            if frames.shape[0] == 0:
                return
            yield frames
