"""EquirectToPinhole: equirectangular 360° frames -> pinhole views (docs/e2p.md)."""
from __future__ import annotations

import ctypes as C
from dataclasses import dataclass, fields
from typing import Any, List, Sequence, Union

import numpy as np

from . import _dlpack
from ._config import enum_value
from ._errors import InvalidArgumentError
from ._handle import Handle, create
from ._lib import check, init_struct, lib
from ._structs import (DLDataType, DLDevice, kDLBfloat, kDLCPU, kDLCUDA, kDLFloat, kDLInt, kDLUInt, tk_e2p_config,
                       tk_e2p_view)

__all__ = ["PinholeView", "EquirectToPinhole", "horizon_views", "cube_views"]

_D = init_struct(tk_e2p_view, lib.tk_e2p_view_init)


@dataclass
class PinholeView:
    """One camera (trackkit::PinholeView), degrees: yaw right, pitch up, roll clockwise positive; fields of view span
    pixel edges; fx / fy (pixels) > 0 replace hfov / vfov; vfov 0: square pixels."""

    yaw: float = _D.yaw
    pitch: float = _D.pitch
    roll: float = _D.roll
    width: int = _D.width
    height: int = _D.height
    hfov: float = _D.hfov
    vfov: float = _D.vfov
    fx: float = _D.fx
    fy: float = _D.fy


def _view_array(views: Sequence[PinholeView]) -> C.Array:
    """The C array of views, each initialised by the library (so its struct_size is what the library expects)."""
    array = (tk_e2p_view * len(views))()
    for index, view in enumerate(views):
        check(lib.tk_e2p_view_init(C.byref(array[index]), C.sizeof(tk_e2p_view)))
        for field in fields(PinholeView):
            setattr(array[index], field.name, getattr(view, field.name))
    return array


def _views_of(array: C.Array) -> List[PinholeView]:
    return [PinholeView(**{f.name: getattr(item, f.name) for f in fields(PinholeView)}) for item in array]


def horizon_views(n: int, width: int = 1920, height: int = 1080, hfov: float = 90.0, pitch: float = 0.0,
                  first_yaw: float = 0.0) -> List[PinholeView]:
    """n views around the horizon, yaw = first_yaw + i * 360 / n."""
    if n <= 0:
        raise InvalidArgumentError(1, f"n must be > 0; got {n}")
    array = _view_array([PinholeView()] * n)
    check(lib.tk_e2p_horizon_views(int(n), int(width), int(height), float(hfov), float(pitch), float(first_yaw),
                                   array))
    return _views_of(array)


def cube_views(size: int) -> List[PinholeView]:
    """The 6 cube faces of size x size: front, right, back, left, up, down."""
    array = _view_array([PinholeView()] * 6)
    check(lib.tk_e2p_cube_views(int(size), array))
    return _views_of(array)


_DTYPE_CODES = {"i": kDLInt, "u": kDLUInt, "f": kDLFloat}


def _dl_dtype(dtype: Any) -> DLDataType:
    name = str(dtype).replace("torch.", "")
    if name == "bfloat16":
        return DLDataType(kDLBfloat, 16, 1)
    numpy_dtype = np.dtype(name)
    if numpy_dtype.kind not in _DTYPE_CODES:
        raise InvalidArgumentError(1, f"dtype {dtype} is not a number type")
    return DLDataType(_DTYPE_CODES[numpy_dtype.kind], numpy_dtype.itemsize * 8, 1)


def _dl_device(device: Any) -> DLDevice:
    if isinstance(device, tuple):
        return DLDevice(*device)
    text = str(device)
    if text == "cpu":
        return DLDevice(kDLCPU, 0)
    if text.startswith("cuda"):
        return DLDevice(kDLCUDA, int(text.partition(":")[2] or 0))
    raise InvalidArgumentError(1, f"device must be 'cpu', 'cuda' or 'cuda:N'; got {device!r}")


class EquirectToPinhole(Handle):
    """A projection onto a fixed set of views of one size (not thread-safe: one thread at a time).
    interpolation: "nearest", "bilinear" or "bicubic"; layout: "nhwc" ([B,H,W,C] frames, [B,V,h,w,C] views) or
    "nchw" ([B,C,H,W], [B,V,C,h,w]). Frames: uint8 / float16 / float32, CPU or CUDA."""

    _destroy = lib.tk_e2p_destroy
    _set_cuda_stream = lib.tk_e2p_set_cuda_stream

    def __init__(self, views: Union[PinholeView, Sequence[PinholeView]], interpolation: str = "bilinear",
                 layout: str = "nhwc", **tuning: Any):
        self.views = [views] if isinstance(views, PinholeView) else list(views)
        if not self.views:
            raise InvalidArgumentError(1, "views is empty")
        config = init_struct(tk_e2p_config, lib.tk_e2p_config_init)
        config.interpolation = enum_value("interpolation", interpolation, "interpolation")
        config.layout = enum_value("layout_e2p", layout, "layout")
        for name, value in tuning.items():  # cuda_pixels_per_thread, cuda_wide_loads, cuda_tiles
            if name not in ("cuda_pixels_per_thread", "cuda_wide_loads", "cuda_tiles"):
                raise InvalidArgumentError(1, f"unknown EquirectToPinhole argument {name}")
            setattr(config, name, int(value))
        array = _view_array(self.views)
        self._handle = create(lib.tk_e2p_create, C.byref(config), array, len(self.views))
        self._slot, self._slot_address = _dlpack.out_slot()

    def project(self, frames: Any, stream: Any = None) -> Any:
        """The views of frames [B,H,W,C] (or one [H,W,C]): [B,V,h,w,C] (NCHW: [B,V,C,h,w]), same dtype and
        device."""
        frames = _dlpack.with_batch_axis(frames)
        chosen = self._use_stream(_dlpack.device_of(frames), stream)
        keep, address = _dlpack.borrow(frames, "frames", chosen)
        check(lib.tk_e2p_project(self._handle, address, self._slot_address))
        return _dlpack.output(_dlpack.take(self._slot), _dlpack.is_torch(frames))

    def project_into(self, frames: Any, out: Any, stream: Any = None) -> Any:
        """project() into the caller's `out` (the shape and dtype project() returns, row-major compact, on the frames'
        device; no allocation). Returns out."""
        chosen = self._use_stream(_dlpack.device_of(frames), stream)
        keep_frames, frames_address = _dlpack.borrow(frames, "frames", chosen)
        keep_out, out_address = _dlpack.borrow(out, "out", chosen, writable=True)
        check(lib.tk_e2p_project_into(self._handle, frames_address, out_address))
        return out

    def batch_capacity(self, height: int, width: int, channels: int = 3, dtype: Any = "uint8", device: Any = "cpu",
                       fraction: float = 0.0) -> int:
        """Frames of height x width x channels of dtype that one project() call can take on device, from free memory
        (fraction in (0,1] of it; 0 means 0.5)."""
        capacity = C.c_int64()
        check(lib.tk_e2p_batch_capacity(self._handle, int(height), int(width), int(channels), _dl_dtype(dtype),
                                        _dl_device(device), float(fraction), C.byref(capacity)))
        return capacity.value

    def source_coordinates(self, height: int, width: int) -> np.ndarray:
        """float32 [V,h,w,2] (x, y): where each view pixel samples a height x width equirect."""
        check(lib.tk_e2p_source_coordinates(self._handle, int(height), int(width), self._slot_address))
        return _dlpack.output(_dlpack.take(self._slot), False)

