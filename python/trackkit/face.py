"""Faces (C ABI 1.1): detection with five landmarks (docs/face.md) and faces clustered into identities
(docs/face_cluster.md), over trackkit/c/face.h."""
from __future__ import annotations

import ctypes as C
import dataclasses
import os
from dataclasses import dataclass, field
from typing import Any, List, Optional, Tuple, Union

import numpy as np

from . import _dlpack, _lib
from ._config import check_fields, enum_name, to_struct
from ._handle import Handle, create
from ._lib import check, init_struct, lib
from ._structs import (tk_face_clusterer_config, tk_face_detector_config, tk_face_identity, tk_face_record,
                       tk_face_track)
from .detector import DetectorConfig
from .tracker import TrackerConfig

__all__ = ["FaceDetectorConfig", "FaceDetector", "FaceClustererConfig", "FaceClusterer", "FaceRecord", "FaceTrack",
           "FaceIdentity", "FaceClusterResult"]

_P, _S, _I64, _F64, _SZ, _STATUS = C.c_void_p, C.c_char_p, C.c_int64, C.c_double, C.c_size_t, C.c_int
# The functions of c/face.h, new in ABI 1.1, declared here and registered with _lib's (test_layout.py checks them all
# against the headers).
_FACE_PROTOTYPES = {
    "tk_face_detector_config_init": (_STATUS, [_P, _SZ]), "tk_face_detector_create": (_STATUS, [_S, _P, _P]),
    "tk_face_detector_destroy": (None, [_P]), "tk_face_detector_set_cuda_stream": (_STATUS, [_P, _P]),
    "tk_face_detector_warmup": (_STATUS, [_P, _I64, _I64]), "tk_face_detector_detect": (_STATUS, [_P, _P, _P, _P]),
    "tk_face_clusterer_config_init": (_STATUS, [_P, _SZ]), "tk_face_clusterer_create": (_STATUS, [_S, _S, _P, _P]),
    "tk_face_clusterer_destroy": (None, [_P]), "tk_face_clusterer_set_cuda_stream": (_STATUS, [_P, _P]),
    "tk_face_clusterer_warmup": (_STATUS, [_P, _I64, _I64]), "tk_face_clusterer_begin_input": (_STATUS, [_P, _S, _F64]),
    "tk_face_clusterer_add_frames": (_STATUS, [_P, _P]), "tk_face_clusterer_finish_input": (_STATUS, [_P, _P]),
    "tk_face_clusterer_counts": (_STATUS, [_P, _P, _P]), "tk_face_result_destroy": (None, [_P]),
    "tk_face_result_info": (_STATUS, [_P, _P, _P, _P, _P, _P]), "tk_face_result_identity": (_STATUS, [_P, _I64, _P]),
    "tk_face_result_identity_tracks": (_STATUS, [_P, _I64, _P]),
    "tk_face_result_representative": (_STATUS, [_P, _I64, _P]), "tk_face_result_track": (_STATUS, [_P, _I64, _P]),
    "tk_face_result_track_face": (_STATUS, [_P, _I64, _I64, _P]),
    "tk_face_result_track_embedding": (_STATUS, [_P, _I64, _P]),
    "tk_face_result_track_crops": (_STATUS, [_P, _I64, _P]),
}
_lib._PROTOTYPES.update(_FACE_PROTOTYPES)
_missing = [name for name in _FACE_PROTOTYPES if not hasattr(lib, name)]
if _missing:  # _lib accepted the library's ABI 1.1, so only a broken build lacks them
    raise ImportError(f"trackkit: {_lib.path} lacks {', '.join(_missing)} (a library older than ABI 1.1?)")
for _name, (_restype, _argtypes) in _FACE_PROTOTYPES.items():
    getattr(lib, _name).restype, getattr(lib, _name).argtypes = _restype, _argtypes

_D = init_struct(tk_face_detector_config, lib.tk_face_detector_config_init)
_K = init_struct(tk_face_clusterer_config, lib.tk_face_clusterer_config_init)


@dataclass
class FaceDetectorConfig:
    """tk_face_detector_config: the library's defaults. conf_threshold / iou_threshold 0: the layout's (yolov5_face
    0.3 / 0.5, retinaface 0.5 / 0.4); input_height / input_width 0: the export's."""

    device: str = (_D.device or b"auto").decode()
    precision: Union[str, int] = enum_name("precision", _D.precision)
    input_bgr: bool = bool(_D.input_bgr)
    input_height: int = _D.input_height
    input_width: int = _D.input_width
    conf_threshold: float = _D.conf_threshold
    iou_threshold: float = _D.iou_threshold
    max_candidates: int = _D.max_candidates
    max_detections: int = _D.max_detections
    batch_size: int = _D.batch_size

    # A copy with fields replaced, also by Detector's short names (conf, iou, max_det, bgr, input_size=(h, w)); the
    # fields they name are the same here ("rect" names none and is refused).
    updated = DetectorConfig.updated

    def to_struct(self) -> tk_face_detector_config:
        return to_struct(self, tk_face_detector_config, lib.tk_face_detector_config_init, {"precision": "precision"})


class FaceDetector(Handle):
    """A face detector export (tools/faces: yolov5-face, RetinaFace); not thread-safe: one thread at a time.
    Keyword arguments are FaceDetectorConfig fields or their short names."""

    _destroy = lib.tk_face_detector_destroy
    _set_cuda_stream = lib.tk_face_detector_set_cuda_stream

    def __init__(self, model_path: Union[str, os.PathLike], device: str = "auto", precision: str = "fp32",
                 config: Optional[FaceDetectorConfig] = None, **more: Any):
        self.config = config if config is not None else FaceDetectorConfig().updated(device=device,
                                                                                      precision=precision, **more)
        struct = self.config.to_struct()
        self._handle = create(lib.tk_face_detector_create, os.fspath(model_path).encode(), C.byref(struct))
        self._faces, self._faces_address = _dlpack.out_slot()
        self._counts, self._counts_address = _dlpack.out_slot()

    def warmup(self, height: int, width: int) -> None:
        """Runs the model once for frames of this size (and picks the batch size when it is 0)."""
        check(lib.tk_face_detector_warmup(self._handle, int(height), int(width)))

    def detect(self, frames: Any, raw: bool = False,
               stream: Any = None) -> Union[List[Tuple[Any, Any]], Tuple[Any, Any]]:
        """frames: uint8 [B,H,W,3] (or one [H,W,3]), BGR unless input_bgr is off, on any device. Returns per frame
        (boxes [n,5] x1,y1,x2,y2,score, landmarks [n,5,2] left eye, right eye, nose, mouth left, mouth right) in
        frame pixels, best first (views of the library's output); with raw=True (faces float32 [B,max_det,15],
        counts int64 [B]) on the model's device."""
        frames = _dlpack.with_batch_axis(frames)
        chosen = self._use_stream(_dlpack.device_of(frames), stream)
        keep, address = _dlpack.borrow(frames, "frames", chosen)
        check(lib.tk_face_detector_detect(self._handle, address, self._faces_address, self._counts_address))
        as_torch = _dlpack.is_torch(frames)
        faces = _dlpack.output(_dlpack.take(self._faces), as_torch)
        counts = _dlpack.output(_dlpack.take(self._counts), as_torch)
        if raw:
            return faces, counts
        host_counts = counts.tolist() if not isinstance(counts, np.ndarray) else counts
        return [(faces[b, :int(n), :5], faces[b, :int(n), 5:].reshape(int(n), 5, 2))
                for b, n in enumerate(host_counts)]


@dataclass
class FaceClustererConfig:
    """tk_face_clusterer_config: the library's defaults. detector: None for FaceDetectorConfig's defaults (its device
    and precision serve the embedder too); tracker: None for the face tracker (BoT-SORT, the embeddings as appearance
    cue); link_across_frames False: every face its own track (a folder of unrelated photos); cluster_method
    "agglomerative" or "density", cluster_linkage "average", "complete" or "single"."""

    detector: Optional[FaceDetectorConfig] = None
    tracker: Optional[TrackerConfig] = None
    link_across_frames: bool = bool(_K.link_across_frames)
    cluster_method: Union[str, int] = enum_name("cluster_method", _K.cluster_method)
    cluster_linkage: Union[str, int] = enum_name("linkage", _K.cluster_linkage)
    cluster_distance_threshold: float = _K.cluster_distance_threshold
    cluster_eps: float = _K.cluster_eps
    cluster_min_samples: int = _K.cluster_min_samples
    best_faces: int = _K.best_faces
    min_quality: float = _K.min_quality
    min_track_faces: int = _K.min_track_faces
    min_size_px: float = _K.min_size_px
    full_size_px: float = _K.full_size_px
    sharpness_half: float = _K.sharpness_half
    sharpness_crop: int = _K.sharpness_crop

    def to_struct(self) -> Tuple[tk_face_clusterer_config, Any]:
        """The C struct and what must stay alive while the library reads it (the component structs)."""
        struct = to_struct(self, tk_face_clusterer_config, lib.tk_face_clusterer_config_init,
                           {"cluster_method": "cluster_method", "cluster_linkage": "linkage"},
                           skip=("detector", "tracker"))
        keep = [part.to_struct() if part is not None else None for part in (self.detector, self.tracker)]
        struct.detector, struct.tracker = (C.addressof(k) if k is not None else None for k in keep)
        return struct, keep


@dataclass
class FaceRecord:
    """One face as found in a frame (tk_face_record)."""

    frame: int             #: frame index within its input, from 0
    time: float            #: seconds: frame / fps
    box: np.ndarray        #: float32 [4] x1,y1,x2,y2, frame pixels
    landmarks: np.ndarray  #: float32 [5,2] left eye, right eye, nose, mouth left, mouth right
    score: float           #: detector score
    quality: float         #: in [0,1]


@dataclass
class FaceTrack:
    """One person's face through consecutive frames."""

    id: int                     #: tracker id, from 1 within its input
    first_frame: int
    last_frame: int
    faces_seen: int             #: faces the tracker linked into it
    identity: int               #: index of its identity in FaceClusterResult.identities
    best: List[FaceRecord]      #: highest quality first
    embedding: np.ndarray       #: float32 [D], L2-normalised
    best_crops: np.ndarray      #: uint8 [K,112,112,3] BGR aligned crops of `best`


@dataclass
class FaceIdentity:
    """One person: tracks whose embeddings clustered together."""

    id: int                     #: from 0, in order of first appearance
    tracks: List[int]           #: indices into FaceClusterResult.tracks
    representative_track: int   #: index into FaceClusterResult.tracks of the track holding the best face
    representative: FaceRecord  #: the identity's highest-quality face


@dataclass
class FaceClusterResult:
    input: str
    frames: int
    fps: float
    tracks: List[FaceTrack] = field(default_factory=list)
    identities: List[FaceIdentity] = field(default_factory=list)


def _output_struct(cls: type) -> C.Structure:
    value = cls()
    value.struct_size = C.sizeof(cls)
    return value


def _record(function, *args: Any) -> FaceRecord:
    r = _output_struct(tk_face_record)
    check(function(*args, C.byref(r)))
    return FaceRecord(r.frame, r.time, np.array(r.box, np.float32), np.array(r.landmarks, np.float32).reshape(5, 2),
                      float(r.score), float(r.quality))


def _tensor(function, *args: Any) -> np.ndarray:
    slot, address = _dlpack.out_slot()
    check(function(*args, address))
    return _dlpack.output(_dlpack.take(slot), False)


def _read_result(result: int) -> FaceClusterResult:
    """The Python objects of a tk_face_result (which the caller destroys)."""
    name, frames, fps, tracks, identities = C.c_char_p(), C.c_int64(), C.c_double(), C.c_int64(), C.c_int64()
    check(lib.tk_face_result_info(result, C.byref(name), C.byref(frames), C.byref(fps), C.byref(tracks),
                                  C.byref(identities)))
    out = FaceClusterResult(name.value.decode("utf-8", "replace"), frames.value, fps.value)
    for t in range(tracks.value):
        info = _output_struct(tk_face_track)
        check(lib.tk_face_result_track(result, t, C.byref(info)))
        best = [_record(lib.tk_face_result_track_face, result, t, k) for k in range(info.best_faces)]
        out.tracks.append(FaceTrack(info.id, info.first_frame, info.last_frame, info.faces_seen, info.identity, best,
                                    _tensor(lib.tk_face_result_track_embedding, result, t),
                                    _tensor(lib.tk_face_result_track_crops, result, t)))
    for i in range(identities.value):
        info = _output_struct(tk_face_identity)
        check(lib.tk_face_result_identity(result, i, C.byref(info)))
        members = _tensor(lib.tk_face_result_identity_tracks, result, i).tolist()
        out.identities.append(FaceIdentity(info.id, members, info.representative_track,
                                           _record(lib.tk_face_result_representative, result, i)))
    return out


class FaceClusterer(Handle):
    """Frames in, identities out: begin_input, add_frames in frame order, finish_input, one input after another;
    not thread-safe. Keyword arguments are FaceClustererConfig fields."""

    _destroy = lib.tk_face_clusterer_destroy
    _set_cuda_stream = lib.tk_face_clusterer_set_cuda_stream

    def __init__(self, detector_model: Union[str, os.PathLike], embedder_model: Union[str, os.PathLike],
                 config: Optional[FaceClustererConfig] = None, **fields: Any):
        if config is None:
            config = FaceClustererConfig()
            check_fields(config, fields)
            config = dataclasses.replace(config, **fields)
        self.config = config
        struct, keep = config.to_struct()
        self._handle = create(lib.tk_face_clusterer_create, os.fspath(detector_model).encode(),
                              os.fspath(embedder_model).encode(), C.byref(struct))

    def warmup(self, height: int, width: int) -> None:
        """Runs both models once for frames of this size (and picks their batch sizes where 0)."""
        check(lib.tk_face_clusterer_warmup(self._handle, int(height), int(width)))

    def begin_input(self, name: str, fps: float = 30.0) -> None:
        """Starts an input (a video or an image folder); fps gives each face's time."""
        check(lib.tk_face_clusterer_begin_input(self._handle, str(name).encode(), float(fps)))

    def add_frames(self, frames: Any, stream: Any = None) -> None:
        """The input's next frames: uint8 [B,H,W,3] (or one [H,W,3]) BGR, on any device."""
        frames = _dlpack.with_batch_axis(frames)
        chosen = self._use_stream(_dlpack.device_of(frames), stream)
        keep, address = _dlpack.borrow(frames, "frames", chosen)
        check(lib.tk_face_clusterer_add_frames(self._handle, address))

    def finish_input(self) -> FaceClusterResult:
        """Ends the input: its tracks clustered into identities."""
        result = C.c_void_p()
        check(lib.tk_face_clusterer_finish_input(self._handle, C.byref(result)))
        try:
            return _read_result(result.value)
        finally:
            lib.tk_face_result_destroy(result.value)

    @property
    def faces_detected(self) -> int:
        """Faces detected so far, over every input."""
        return self._counts()[0]

    @property
    def faces_embedded(self) -> int:
        """Faces embedded so far, over every input."""
        return self._counts()[1]

    def _counts(self) -> Tuple[int, int]:
        detected, embedded = C.c_int64(), C.c_int64()
        check(lib.tk_face_clusterer_counts(self._handle, C.byref(detected), C.byref(embedded)))
        return detected.value, embedded.value
