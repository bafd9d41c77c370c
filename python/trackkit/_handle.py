"""The life of a library handle (tk_*_create ... tk_*_destroy) and its CUDA stream, shared by every class."""
from __future__ import annotations

import ctypes as C
from typing import Any, Optional, Tuple

from . import _dlpack
from ._lib import check


def create(function, *args: Any) -> int:
    """Calls tk_*_create(args..., &handle) and returns the handle (raises on failure)."""
    handle = C.c_void_p()
    check(function(*args, C.byref(handle)))
    return handle.value


class Handle:
    """Owns one handle. Subclasses set _destroy (tk_*_destroy) and, for CUDA work, _set_cuda_stream."""

    _destroy = None
    _set_cuda_stream = None
    _handle: Optional[int] = None
    _stream: Optional[int] = None

    def _use_stream(self, device: Tuple[int, int], stream: Any = None) -> Optional[int]:
        """Points the handle at the stream a call on `device` runs on (torch's current one unless `stream` is
        given); a C call only when it changes."""
        chosen = _dlpack.stream_for(device, stream)
        if chosen != self._stream:
            check(self._set_cuda_stream(self._handle, chosen))
            self._stream = chosen
        return chosen

    def close(self) -> None:
        """Releases the library object now (also done when this object is garbage-collected)."""
        handle, self._handle = self._handle, None
        destroy = type(self)._destroy
        if handle and destroy is not None:
            destroy(handle)

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # interpreter exit: the library may already be unloaded
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
