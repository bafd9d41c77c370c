"""The tracker (ByteTrack / BoT-SORT family; docs/tracker.md), BoxMOT-style: update(dets, img) -> [M,8]."""
from __future__ import annotations

import ctypes as C
import os
from dataclasses import dataclass
from typing import Any, List, Optional, Tuple, Union

import numpy as np

from . import _dlpack
from ._config import defaults, enum_name, from_struct, to_struct
from ._errors import InvalidArgumentError
from ._handle import Handle, create
from ._lib import check, lib, raise_status
from ._structs import tk_tracker_config, tk_tracker_input
from .gmc import GMC, GmcConfig

_D = defaults(tk_tracker_config, lib.tk_tracker_config_init)
_ENUMS = {"motion_model": "motion_model"}
_BOOLEANS = ("fuse_score", "iou_plus_one", "high_score_inclusive", "warp_sizes_by_abs", "output_lost")
# ultralytics' own names for its tracker files (ultralytics/cfg/trackers): the presets that equal them, and GMC.
_ULTRALYTICS_FILES = {"botsort.yaml": ("ultralytics_botsort", "reference_sparse_optical_flow"),
                      "bytetrack.yaml": ("ultralytics_bytetrack", None)}


def preset_names() -> List[str]:
    """The tracker presets the library knows (tk_tracker_preset_name)."""
    names, index = [], 0
    while True:
        name = lib.tk_tracker_preset_name(index)
        if name is None:
            return names
        names.append(name.decode())
        index += 1


@dataclass
class TrackerConfig:
    """tk_tracker_config (trackkit::TrackerOptions; docs/tracker.md): the library's defaults. motion_model: "xyah"
    (ByteTrack's Kalman state) or "xywh" (BoT-SORT's)."""

    track_thresh: float = _D.track_thresh
    low_thresh: float = _D.low_thresh
    new_track_thresh: float = _D.new_track_thresh
    match_thresh: float = _D.match_thresh
    second_match_thresh: float = _D.second_match_thresh
    unconfirmed_match_thresh: float = _D.unconfirmed_match_thresh
    frame_rate: float = _D.frame_rate
    duplicate_distance: float = _D.duplicate_distance
    track_buffer: int = _D.track_buffer
    fuse_score: bool = bool(_D.fuse_score)
    iou_plus_one: bool = bool(_D.iou_plus_one)
    high_score_inclusive: bool = bool(_D.high_score_inclusive)
    motion_model: Union[str, int] = enum_name("motion_model", _D.motion_model)
    warp_sizes_by_abs: bool = bool(_D.warp_sizes_by_abs)
    output_lost: bool = bool(_D.output_lost)
    proximity_thresh: float = _D.proximity_thresh
    appearance_thresh: float = _D.appearance_thresh
    feature_momentum: float = _D.feature_momentum

    @classmethod
    def preset(cls, name: str, frame_rate: float = 30.0) -> "TrackerConfig":
        """A named preset (preset_names()) for a video of frame_rate fps."""
        struct = defaults(tk_tracker_config, lib.tk_tracker_config_init)
        check(lib.tk_tracker_config_preset(name.encode(), float(frame_rate), C.byref(struct)))
        return cls.from_struct(struct)

    @staticmethod
    def preset_names() -> List[str]:
        """The preset names (as trackkit.preset_names())."""
        return preset_names()

    @classmethod
    def from_yaml(cls, path: Union[str, os.PathLike], frame_rate: float = 30.0) -> "TrackerConfig":
        """ultralytics' botsort.yaml / bytetrack.yaml: the ultralytics preset of its tracker_type with its values."""
        struct = defaults(tk_tracker_config, lib.tk_tracker_config_init)
        check(lib.tk_tracker_config_from_yaml(os.fspath(path).encode(), float(frame_rate), C.byref(struct)))
        return cls.from_struct(struct)

    @classmethod
    def from_struct(cls, struct: tk_tracker_config) -> "TrackerConfig":
        return from_struct(cls, struct, _ENUMS, _BOOLEANS)

    def to_struct(self) -> tk_tracker_config:
        return to_struct(self, tk_tracker_config, lib.tk_tracker_config_init, _ENUMS)


def resolve_config(config: Union[TrackerConfig, str, os.PathLike], frame_rate: float = 30.0
                   ) -> Tuple[TrackerConfig, Optional[GmcConfig]]:
    """(tracker settings, GMC settings or None) of a TrackerConfig, a preset name, an ultralytics tracker YAML path
    or ultralytics' built-in names "botsort.yaml" / "bytetrack.yaml"."""
    if isinstance(config, TrackerConfig):
        return config, None
    if not isinstance(config, (str, os.PathLike)):
        raise InvalidArgumentError(1, f"config must be a TrackerConfig, a preset name or a YAML path; got {config!r}")
    name = os.fspath(config)
    if name in preset_names():
        return TrackerConfig.preset(name, frame_rate), None
    if not os.path.exists(name) and name in _ULTRALYTICS_FILES:
        preset, gmc = _ULTRALYTICS_FILES[name]
        return TrackerConfig.preset(preset, frame_rate), GmcConfig.preset(gmc) if gmc else None
    if name.endswith((".yaml", ".yml")) or os.path.exists(name):
        gmc = GmcConfig.from_yaml(name)
        return TrackerConfig.from_yaml(name, frame_rate), gmc if gmc.enabled else None
    raise InvalidArgumentError(1, f"config must be a preset ({', '.join(preset_names())}) or an ultralytics tracker "
                                  f"YAML file; got {name!r}")


def resolve_gmc(gmc: Union[GMC, GmcConfig, str, bool, None], from_config: Optional[GmcConfig]) -> Optional[GMC]:
    """The GMC a tracker uses: `gmc` (a GMC, its config or a preset name; False for none) or the YAML's."""
    if gmc is False:
        return None
    if gmc is None or gmc is True:
        return GMC(from_config) if from_config is not None else (GMC() if gmc else None)
    return gmc if isinstance(gmc, GMC) else GMC(gmc)


class Tracker(Handle):
    """One video stream's tracker (not thread-safe: one thread at a time; different trackers: any threads).

    config: a TrackerConfig, a preset name (preset_names()), an ultralytics tracker YAML path, or "botsort.yaml" /
    "bytetrack.yaml" (ultralytics' defaults). frame_rate applies to names and files. gmc: a GMC, GmcConfig or GMC
    preset name (camera motion estimated from update's img); by default the YAML's gmc_method."""

    _destroy = lib.tk_tracker_destroy

    def __init__(self, config: Union[TrackerConfig, str, os.PathLike] = "bytetrack", frame_rate: float = 30.0,
                 gmc: Union[GMC, GmcConfig, str, bool, None] = None):
        self.config, yaml_gmc = resolve_config(config, frame_rate)
        struct = self.config.to_struct()
        self._handle = create(lib.tk_tracker_create, C.byref(struct))
        self.gmc: Optional[GMC] = resolve_gmc(gmc, yaml_gmc)
        self.gmc_quality: Optional[dict] = None  # the last estimate's, when a GMC ran
        self._slot, self._slot_address = _dlpack.out_slot()
        self._ended, self._ended_address = _dlpack.out_slot()
        self._input = defaults(tk_tracker_input, lib.tk_tracker_input_init)
        # The hot path's lookups, once.
        self._update = lib.tk_tracker_update
        self._new_capsule = _dlpack.new_capsule

    def update(self, dets: Any, img: Any = None, embs: Any = None, warp: Any = None) -> Any:
        """One frame. dets: float32/float64 [N,6] x1,y1,x2,y2,conf,cls (or [N,5]), any strides, CPU. img: the frame
        (uint8 HxWx3 BGR) when a GMC is configured; warp: a float [2,3] camera warp instead; embs: [N,D]
        appearance features. Returns float64 [M,8] x1,y1,x2,y2,id,conf,cls,det_ind (BoxMOT's columns), numpy for
        numpy detections, torch for torch ones, in the library's memory."""
        if img is not None and warp is None and self.gmc is not None:
            warp, self.gmc_quality = self.gmc.apply(img, dets)
        if embs is not None:
            return self.update_ex(dets, embs=embs, warp=warp)[:, :8]
        if type(dets) is np.ndarray:  # the hot path: numpy's own DLPack export, no copy, no ctypes objects
            capsule = dets.__dlpack__(max_version=(1, 0))
            address = _dlpack.get_pointer(capsule, b"dltensor_versioned") + _dlpack.DL_TENSOR_OFFSET_VERSIONED
            as_torch = False
        else:
            capsule, address = _dlpack.borrow(dets, "dets")
            as_torch = _dlpack.is_torch(dets)
        if warp is None:
            status = self._update(self._handle, address, self._slot_address)
        else:
            keep, warp_address = _dlpack.borrow(warp, "warp")
            status = lib.tk_tracker_update_warp(self._handle, address, warp_address, self._slot_address)
        if status:
            raise_status(status)
        slot = self._slot
        managed, slot.value = slot.value, None
        if as_torch:
            return _dlpack.output(managed, True, _dlpack.CPU)
        exported = _dlpack.Exported.__new__(_dlpack.Exported)
        exported._capsule, exported._device = self._new_capsule(managed), _dlpack.CPU
        return np.from_dlpack(exported)

    def update_ex(self, dets: Any, embs: Any = None, warp: Any = None, masks: Any = None, track_masks: Any = None,
                  track_mask_ids: Any = None, mask_scale: float = 1.0, img: Any = None) -> Any:
        """The general form: float64 [M,9] = x1,y1,x2,y2,id,conf,cls,det_ind (-1 for lost tracks), status (1 tracked,
        2 lost). embs [N,D]; masks bool/uint8 [N,Hm,Wm] and track_masks [K,Hm,Wm] with their int64 track_mask_ids
        [K] on a grid of mask_scale grid pixels per frame pixel; warp [2,3] (or img with a GMC configured)."""
        if img is not None and warp is None and self.gmc is not None:
            warp, self.gmc_quality = self.gmc.apply(img, dets)
        given = {"detections": ("dets", dets), "embeddings": ("embs", embs), "masks": ("masks", masks),
                 "track_masks": ("track_masks", track_masks), "track_mask_ids": ("track_mask_ids", track_mask_ids),
                 "warp": ("warp", warp)}
        keep = []
        struct = self._input
        for field, (argument, value) in given.items():
            held, address = _dlpack.borrow_optional(value, argument)
            keep.append(held)
            setattr(struct, field, address)
        struct.mask_scale = float(mask_scale)
        try:
            check(lib.tk_tracker_update_ex(self._handle, C.byref(struct), self._slot_address))
        finally:
            for field in given:
                setattr(struct, field, None)
        return _dlpack.output(_dlpack.take(self._slot), _dlpack.is_torch(dets), _dlpack.CPU)

    @property
    def events(self) -> Tuple[np.ndarray, np.ndarray]:
        """(started, ended) int64 track ids of the last update: output for the first time in that frame, and output
        before and dropped in it."""
        check(lib.tk_tracker_events(self._handle, self._slot_address, self._ended_address))
        started = _dlpack.output(_dlpack.take(self._slot), False, _dlpack.CPU)
        return started, _dlpack.output(_dlpack.take(self._ended), False, _dlpack.CPU)

    def reset(self) -> None:
        """Forgets every track (ids restart at 1) and the GMC's previous frame."""
        check(lib.tk_tracker_reset(self._handle))
        if self.gmc is not None:
            self.gmc.reset()


class TrackerBank(Handle):
    """Many streams' trackers updated in one call, in parallel (not thread-safe: one thread at a time)."""

    _destroy = lib.tk_tracker_bank_destroy

    def __init__(self, config: Union[TrackerConfig, str, os.PathLike] = "bytetrack", streams: int = 1,
                 frame_rate: float = 30.0):
        self.config, _ = resolve_config(config, frame_rate)
        self.streams = int(streams)
        struct = self.config.to_struct()
        self._handle = create(lib.tk_tracker_bank_create, C.byref(struct), self.streams)
        self._slot, self._slot_address = _dlpack.out_slot()

    def update(self, dets: Any) -> Any:
        """Every stream advances one frame. dets: [N,6] (stream, x1,y1,x2,y2,conf) or [N,7] (+ cls). Returns float64
        [M,9] = stream, x1,y1,x2,y2,id,conf,cls,det_ind (row of dets)."""
        keep, address = _dlpack.borrow(dets, "dets")
        check(lib.tk_tracker_bank_update(self._handle, address, self._slot_address))
        return _dlpack.output(_dlpack.take(self._slot), _dlpack.is_torch(dets), _dlpack.CPU)

    def reset(self, stream: int) -> None:
        """Resets one stream (0 <= stream < streams)."""
        check(lib.tk_tracker_bank_reset(self._handle, int(stream)))
