"""Global motion compensation (docs/gmc.md): camera warps between consecutive frames."""
from __future__ import annotations

import ctypes as C
from dataclasses import dataclass
from typing import Any, Dict, Tuple, Union

from . import _dlpack
from ._config import GMC_STATUS_NAMES, defaults, enum_name, from_struct, to_struct
from ._handle import Handle, create
from ._lib import check, lib
from ._structs import new_struct, tk_gmc_config, tk_gmc_quality

_D = defaults(tk_gmc_config, lib.tk_gmc_config_init)
_ENUMS = {"method": "gmc_method", "ecc_motion": "ecc_motion"}
_BOOLEANS = ("rgb", "ecc_batched_on_cpu", "mask_detections")


@dataclass
class GmcConfig:
    """tk_gmc_config (trackkit::GmcOptions; include/trackkit/gmc.hpp documents each field). Defaults: the
    library's. method: "none", "ecc", "orb", "sift" or "sparse_optical_flow"; ecc_motion: "translation",
    "euclidean", "affine" or "homography" (3x3 warps)."""

    method: Union[str, int] = enum_name("gmc_method", _D.method)
    ecc_motion: Union[str, int] = enum_name("ecc_motion", _D.ecc_motion)
    downscale: int = _D.downscale
    rgb: bool = bool(_D.rgb)
    ecc_iterations: int = _D.ecc_iterations
    ecc_levels: int = _D.ecc_levels
    ecc_eps: float = _D.ecc_eps
    ecc_blur_sigma: float = _D.ecc_blur_sigma
    ecc_min_correlation: float = _D.ecc_min_correlation
    ecc_batched_on_cpu: bool = bool(_D.ecc_batched_on_cpu)
    max_corners: int = _D.max_corners
    max_keypoints: int = _D.max_keypoints
    corner_level: int = _D.corner_level
    corner_quality: float = _D.corner_quality
    corner_min_distance: float = _D.corner_min_distance
    flow_window: int = _D.flow_window
    flow_levels: int = _D.flow_levels
    ransac_threshold: float = _D.ransac_threshold
    min_points: int = _D.min_points
    mask_detections: bool = bool(_D.mask_detections)
    min_inlier_ratio: float = _D.min_inlier_ratio
    border: float = _D.border
    min_contrast: float = _D.min_contrast
    max_scale_change: float = _D.max_scale_change

    @classmethod
    def preset(cls, name: str) -> "GmcConfig":
        """A named preset: "original_pipeline" or "reference_<method>" (none, ecc, orb, sift,
        sparse_optical_flow: BoT-SORT's settings)."""
        struct = defaults(tk_gmc_config, lib.tk_gmc_config_init)
        check(lib.tk_gmc_config_preset(name.encode(), C.byref(struct)))
        return cls.from_struct(struct)

    @classmethod
    def from_yaml(cls, path: str) -> "GmcConfig":
        """The GMC of an ultralytics tracker YAML (its gmc_method; method "none" without one)."""
        struct = defaults(tk_gmc_config, lib.tk_gmc_config_init)
        check(lib.tk_gmc_config_from_yaml(str(path).encode(), C.byref(struct)))
        return cls.from_struct(struct)

    @classmethod
    def from_struct(cls, struct: tk_gmc_config) -> "GmcConfig":
        return from_struct(cls, struct, _ENUMS, _BOOLEANS)

    def to_struct(self) -> tk_gmc_config:
        return to_struct(self, tk_gmc_config, lib.tk_gmc_config_init, _ENUMS)

    @property
    def enabled(self) -> bool:
        """False for method "none"."""
        return self.method not in ("none", 0)


def gmc_status_name(status: int) -> str:
    """The library's name of a tk_gmc_status."""
    return (lib.tk_gmc_status_name(int(status)) or b"").decode()


def _quality_dict(quality: tk_gmc_quality) -> Dict[str, Any]:
    status = quality.status
    return {"status": status, "status_name": GMC_STATUS_NAMES[status] if 0 <= status < len(GMC_STATUS_NAMES)
            else str(status), "points": quality.points, "inliers": quality.inliers, "score": quality.score}


class GMC(Handle):
    """One video stream's camera-motion estimator (not thread-safe: one thread at a time).

    Frames: uint8 [H,W] or [H,W,C] (C = 1 or 3, BGR unless config.rgb), CPU or CUDA; detections: None or float
    [N,4+] boxes x1,y1,x2,y2 (CPU), kept out of the features. Warps map the previous frame's pixels to this one's."""

    _destroy = lib.tk_gmc_destroy
    _set_cuda_stream = lib.tk_gmc_set_cuda_stream

    def __init__(self, config: Union[GmcConfig, str] = "reference_sparse_optical_flow"):
        self.config = GmcConfig.preset(config) if isinstance(config, str) else config
        struct = self.config.to_struct()
        self._handle = create(lib.tk_gmc_create, C.byref(struct))
        self._quality = new_struct(tk_gmc_quality)
        self._warp, self._warp_address = _dlpack.out_slot()
        self._extra, self._extra_address = _dlpack.out_slot()

    def apply(self, frame: Any, dets: Any = None, stream: Any = None) -> Tuple[Any, Dict[str, Any]]:
        """The warp (float64 [2,3], [3,3] for homographies) from the previous frame to `frame`, on the frame's device,
        and how the estimate went: {status, status_name, points, inliers, score}."""
        device = _dlpack.device_of(frame)
        chosen = self._use_stream(device, stream)
        keep_frame, frame_address = _dlpack.borrow(frame, "frame", chosen)
        keep_dets, dets_address = _dlpack.borrow_optional(dets, "dets")
        check(lib.tk_gmc_apply(self._handle, frame_address, dets_address, self._warp_address,
                               C.byref(self._quality)))
        warp = _dlpack.output(_dlpack.take(self._warp), _dlpack.is_torch(frame))
        return warp, _quality_dict(self._quality)

    def apply_batch(self, frames: Any, dets: Any = None, stream: Any = None) -> Tuple[Any, Any]:
        """The stream's next B frames (uint8 [B,H,W] or [B,H,W,C]) at once: warps float64 [B,2,3] (warp b from the
        frame before frames[b]) and quality float64 [B,4] (status, points, inliers, score); dets None or float
        [N,5] (frame index, x1,y1,x2,y2). The same warps as B apply() calls."""
        return self._batch(lib.tk_gmc_apply_batch, frames, None, dets, stream)

    def estimate(self, frames: Any, previous: Any = None, dets: Any = None, stream: Any = None) -> Tuple[Any, Any]:
        """Stateless batch: warps between consecutive frames (B-1 of them; B with `previous`, the frame before
        frames[0]) and their quality [N,4], as apply_batch. The stream's state is not touched."""
        return self._batch(lib.tk_gmc_estimate, frames, previous, dets, stream)

    def _batch(self, function, frames: Any, previous: Any, dets: Any, stream: Any) -> Tuple[Any, Any]:
        device = _dlpack.device_of(frames)
        chosen = self._use_stream(device, stream)
        keep_frames, frames_address = _dlpack.borrow(frames, "frames", chosen)
        keep_dets, dets_address = _dlpack.borrow_optional(dets, "dets")
        if function is lib.tk_gmc_estimate:
            keep_previous, previous_address = _dlpack.borrow_optional(previous, "previous", chosen)
            status = function(self._handle, frames_address, previous_address, dets_address, self._warp_address,
                              self._extra_address)
        else:
            status = function(self._handle, frames_address, dets_address, self._warp_address, self._extra_address)
        check(status)
        as_torch = _dlpack.is_torch(frames)
        warps = _dlpack.output(_dlpack.take(self._warp), as_torch)
        return warps, _dlpack.output(_dlpack.take(self._extra), as_torch)

    def reset(self) -> None:
        """Forgets the previous frame (the next apply() reports first_frame)."""
        check(lib.tk_gmc_reset(self._handle))
