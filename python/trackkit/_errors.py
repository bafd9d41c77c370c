"""trackkit's exceptions: one per tk_status, each carrying tk_last_error()'s message."""
from __future__ import annotations

__all__ = [
    "TrackkitError",
    "InvalidArgumentError",
    "DeviceError",
    "NotFoundError",
    "ModelError",
    "OutOfMemoryError",
    "CudaError",
    "UnsupportedError",
    "InternalError",
]


class TrackkitError(Exception):
    """A trackkit call failed. `status` is the C tk_status, `message` the library's explanation."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


class InvalidArgumentError(TrackkitError, ValueError):
    """TK_ERR_INVALID_ARGUMENT: wrong shape, dtype, value, or a missing argument."""


class DeviceError(TrackkitError):
    """TK_ERR_DEVICE: a wrong, mixed or unavailable device."""


class NotFoundError(TrackkitError, FileNotFoundError):
    """TK_ERR_NOT_FOUND: a file does not exist."""


class ModelError(TrackkitError):
    """TK_ERR_MODEL: a model file is corrupt or of the wrong kind."""


class OutOfMemoryError(TrackkitError, MemoryError):
    """TK_ERR_OUT_OF_MEMORY: host or device memory exhausted."""


class CudaError(TrackkitError):
    """TK_ERR_CUDA: a CUDA runtime, driver or kernel error."""


class UnsupportedError(TrackkitError, NotImplementedError):
    """TK_ERR_UNSUPPORTED: not available in this build or on this device."""


class InternalError(TrackkitError):
    """TK_ERR_INTERNAL: a bug, or an unexpected error from a dependency."""


# Indexed by tk_status (TK_OK = 0 has no exception).
_BY_STATUS = (None, InvalidArgumentError, DeviceError, NotFoundError, ModelError, OutOfMemoryError, CudaError,
              UnsupportedError, InternalError)


def error_for(status: int, message: str) -> TrackkitError:
    """The exception of a failed call's status (unknown statuses, from a newer library, are TrackkitError)."""
    cls = _BY_STATUS[status] if 0 < status < len(_BY_STATUS) else TrackkitError
    # FileNotFoundError / MemoryError / ValueError take their own arguments: keep the message as the only one.
    error = cls.__new__(cls)
    TrackkitError.__init__(error, status, message)
    return error
