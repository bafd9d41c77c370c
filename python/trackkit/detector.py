"""The detector: YOLO TorchScript exports (docs/detector.md) on uint8 frames, CPU or CUDA."""
from __future__ import annotations

import ctypes as C
import dataclasses
import os
from dataclasses import dataclass
from typing import Any, List, Optional, Sequence, Tuple, Union

import numpy as np

from . import _dlpack
from ._config import check_fields, defaults, enum_name, int64_array, to_struct
from ._errors import InvalidArgumentError
from ._handle import Handle, create
from ._lib import check, lib
from ._structs import tk_detector_config

_D = defaults(tk_detector_config, lib.tk_detector_config_init)
_ENUMS = {"precision": "precision", "layout": "layout_yolo"}
# Detector()'s short keyword names for DetectorConfig fields (ultralytics' spellings where it has them).
_SHORT = {"conf": "conf_threshold", "iou": "iou_threshold", "max_det": "max_detections", "rect": "stride_multiple",
          "bgr": "input_bgr"}


@dataclass
class DetectorConfig:
    """tk_detector_config: the library's defaults. device "auto", "cpu", "cuda" or "cuda:N"; precision "fp32",
    "fp16" or "bf16"; layout "auto", "v8", "v5" or "end2end"; input_height / input_width 0: from the export;
    stride_multiple: pad only to a stride multiple (rect); classes: None for all, else the class ids kept."""

    device: str = (_D.device or b"auto").decode()
    precision: Union[str, int] = enum_name("precision", _D.precision)
    layout: Union[str, int] = enum_name("layout_yolo", _D.layout)
    input_height: int = _D.input_height
    input_width: int = _D.input_width
    stride_multiple: bool = bool(_D.stride_multiple)
    input_bgr: bool = bool(_D.input_bgr)
    agnostic: bool = bool(_D.agnostic)
    conf_threshold: float = _D.conf_threshold
    iou_threshold: float = _D.iou_threshold
    max_candidates: int = _D.max_candidates
    max_detections: int = _D.max_detections
    batch_size: int = _D.batch_size
    classes: Optional[Sequence[int]] = None

    def updated(self, **overrides: Any) -> "DetectorConfig":
        """A copy with fields replaced; Detector()'s short names (conf, iou, max_det, rect, bgr, input_size=(h, w))
        are accepted too."""
        fields = {}
        for key, value in overrides.items():
            if key == "input_size":
                height, width = (value, value) if isinstance(value, int) else value
                fields["input_height"], fields["input_width"] = int(height), int(width)
            else:
                fields[_SHORT.get(key, key)] = value
        check_fields(self, fields)
        return dataclasses.replace(self, **fields)

    def to_struct(self) -> Tuple[tk_detector_config, Any]:
        """The C struct and what must stay alive while the library reads it (the class id array)."""
        struct = to_struct(self, tk_detector_config, lib.tk_detector_config_init, _ENUMS, skip=("classes",))
        ids, count = int64_array(self.classes, "classes")
        struct.classes, struct.num_classes = (C.cast(ids, C.c_void_p) if ids is not None else None), count
        return struct, ids


def class_names(count_function, name_function, handle: int) -> List[str]:
    """The class names a detector or pipeline reports (tk_*_class_count / tk_*_class_name)."""
    count = C.c_int64()
    check(count_function(handle, C.byref(count)))
    names = []
    name = C.c_char_p()
    for index in range(count.value):
        check(name_function(handle, index, C.byref(name)))
        names.append(name.value.decode())
    return names


class Detector(Handle):
    """A loaded YOLO export (not thread-safe: one thread at a time). Keyword arguments are DetectorConfig fields or
    their short names; `config` gives them all at once."""

    _destroy = lib.tk_detector_destroy
    _set_cuda_stream = lib.tk_detector_set_cuda_stream

    def __init__(self, model_path: Union[str, os.PathLike], device: str = "auto", precision: str = "fp32",
                 conf: float = _D.conf_threshold, iou: float = _D.iou_threshold, max_det: int = _D.max_detections,
                 classes: Optional[Sequence[int]] = None, agnostic: bool = False, rect: bool = False,
                 config: Optional[DetectorConfig] = None, **more: Any):
        if config is None:
            config = DetectorConfig().updated(device=device, precision=precision, conf=conf, iou=iou,
                                              max_det=max_det, classes=classes, agnostic=agnostic, rect=rect, **more)
        self.config = config
        struct, keep = config.to_struct()
        self._handle = create(lib.tk_detector_create, os.fspath(model_path).encode(), C.byref(struct))
        self.names: List[str] = class_names(lib.tk_detector_class_count, lib.tk_detector_class_name, self._handle)
        self._detections, self._detections_address = _dlpack.out_slot()
        self._counts, self._counts_address = _dlpack.out_slot()

    def warmup(self, height: int, width: int) -> None:
        """Runs the model once for frames of this size (and picks the batch size when it is 0)."""
        check(lib.tk_detector_warmup(self._handle, int(height), int(width)))

    def detect(self, frames: Any, raw: bool = False, stream: Any = None) -> Union[List[Any], Tuple[Any, Any]]:
        """frames: uint8 [B,H,W,3] (or one [H,W,3]), BGR unless input_bgr is off, on any device. Returns one [n_b,6]
        array per frame (x1,y1,x2,y2,score,class in frame pixels; views of the library's output), or with raw=True
        (detections float32 [B,max_det,6], counts int64 [B]) on the model's device."""
        frames = _dlpack.with_batch_axis(frames)
        device = _dlpack.device_of(frames)
        chosen = self._use_stream(device, stream)
        keep, address = _dlpack.borrow(frames, "frames", chosen)
        check(lib.tk_detector_detect(self._handle, address, self._detections_address, self._counts_address))
        as_torch = _dlpack.is_torch(frames)
        detections = _dlpack.output(_dlpack.take(self._detections), as_torch)
        counts = _dlpack.output(_dlpack.take(self._counts), as_torch)
        if raw:
            return detections, counts
        host_counts = counts.tolist() if not isinstance(counts, np.ndarray) else counts
        return [detections[b, :int(n)] for b, n in enumerate(host_counts)]

    def detect_into(self, frames: Any, detections: np.ndarray, counts: np.ndarray) -> None:
        """detect() into the caller's host buffers (waits for the device): detections float32 C-contiguous
        [capacity, max_det, 6] and counts int64 [capacity], capacity >= B."""
        frames = _dlpack.with_batch_axis(frames)
        for name, array, dtype in (("detections", detections, np.float32), ("counts", counts, np.int64)):
            if not (isinstance(array, np.ndarray) and array.dtype == dtype and array.flags.c_contiguous
                    and array.flags.writeable):
                raise InvalidArgumentError(1, f"{name} must be a writable C-contiguous numpy {np.dtype(dtype).name} "
                                              "array")
        max_det = self.config.max_detections
        if detections.shape[1:] != (max_det, 6) or counts.shape != (detections.shape[0],):
            # The library trusts the capacity: a wrong buffer shape would be written past its end.
            raise InvalidArgumentError(1, f"detections must be [capacity, {max_det}, 6] and counts [capacity]; got "
                                          f"{detections.shape} and {counts.shape}")
        chosen = self._use_stream(_dlpack.device_of(frames), None)
        keep, address = _dlpack.borrow(frames, "frames", chosen)
        check(lib.tk_detector_detect_into(self._handle, address, detections.ctypes.data, counts.ctypes.data,
                                          counts.shape[0]))
