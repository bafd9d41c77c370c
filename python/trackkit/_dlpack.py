"""Arrays in and out of the library without copies, through DLPack.

In: the caller's array exports itself (`__dlpack__`, numpy >= 2.1, torch, cupy, ...); the library reads the DLTensor
inside that capsule during the call, so any strides work and nothing is copied. The capsule (which keeps the array
alive) is held until the call returns.

Out: the library's DLManagedTensorVersioned is wrapped in a "dltensor_versioned" PyCapsule whose destructor calls
the tensor's deleter unless a consumer (numpy / torch from_dlpack) took it over, and handed to numpy (CPU results of
numpy inputs) or torch (torch inputs, CUDA results): the array's memory is the library's tensor.
"""
from __future__ import annotations

import ctypes as C
from typing import Any, Optional, Tuple

import numpy as np

from ._errors import InvalidArgumentError
from ._lib import lib, torch
from ._structs import (DL_TENSOR_OFFSET_LEGACY, DL_TENSOR_OFFSET_VERSIONED, DLManagedTensorVersioned, kDLCPU,
                       kDLCUDA, kDLCUDAHost, kDLCUDAManaged)

NAME = b"dltensor_versioned"
LEGACY_NAME = b"dltensor"
MAX_VERSION = (1, 0)
CPU = (kDLCPU, 0)
_READ_ONLY = 1  # DLPACK_FLAG_BITMASK_READ_ONLY

# Private function objects (pythonapi["..."] makes a new one each time): other code may set the shared ones'
# argtypes differently.
get_pointer = C.pythonapi["PyCapsule_GetPointer"]
get_pointer.restype, get_pointer.argtypes = C.c_void_p, [C.py_object, C.c_char_p]
_is_valid = C.pythonapi["PyCapsule_IsValid"]
_is_valid.restype, _is_valid.argtypes = C.c_int, [C.py_object, C.c_char_p]
_new_capsule = C.pythonapi["PyCapsule_New"]
_new_capsule.restype, _new_capsule.argtypes = C.py_object, [C.c_void_p, C.c_char_p, C.c_void_p]
# The destructor sees a capsule being deallocated: raw pointers only (a py_object would revive it).
_raw_is_valid = C.pythonapi["PyCapsule_IsValid"]
_raw_is_valid.restype, _raw_is_valid.argtypes = C.c_int, [C.c_void_p, C.c_char_p]
_raw_get_pointer = C.pythonapi["PyCapsule_GetPointer"]
_raw_get_pointer.restype, _raw_get_pointer.argtypes = C.c_void_p, [C.c_void_p, C.c_char_p]
_tensor_free = lib.tk_tensor_free


@C.PYFUNCTYPE(None, C.c_void_p)
def _capsule_destructor(capsule: int, _valid=_raw_is_valid, _get=_raw_get_pointer, _free=_tensor_free,
                        _name=NAME) -> None:
    # A consumer renames the capsule ("used_dltensor_versioned") and owns the tensor; otherwise it is still ours.
    # (The defaults bind the functions now: at interpreter exit the module's globals may already be gone.)
    if _valid(capsule, _name):
        _free(_get(capsule, _name))


DESTRUCTOR = C.cast(_capsule_destructor, C.c_void_p).value


def new_capsule(managed: int) -> Any:
    """A "dltensor_versioned" capsule owning the library tensor at address `managed`."""
    return _new_capsule(managed, NAME, DESTRUCTOR)


class Exported:
    """A library tensor for any DLPack consumer (np.from_dlpack, torch.from_dlpack, cupy.from_dlpack, ...).

    The data is ready on the stream of the call that made it; consumers on another stream must wait for it."""

    __slots__ = ("_capsule", "_device")

    def __init__(self, managed: int, device: Tuple[int, int]):
        self._capsule = new_capsule(managed)
        self._device = device

    def __dlpack__(self, stream: Any = None, max_version: Any = None, dl_device: Any = None, copy: Any = None):
        if max_version is not None and tuple(max_version)[0] < 1:
            raise BufferError("trackkit gives DLPack 1.x tensors (DLManagedTensorVersioned) only")
        if copy:
            raise BufferError("trackkit's tensors are shared, not copied: pass copy=None or False")
        if self._capsule is None:
            raise BufferError("this trackkit tensor was already consumed")
        capsule, self._capsule = self._capsule, None
        return capsule

    def __dlpack_device__(self) -> Tuple[int, int]:
        return self._device


def device_of_managed(managed: int) -> Tuple[int, int]:
    """(device_type, device_id) of a DLManagedTensorVersioned at an address."""
    device = C.cast(managed, C.POINTER(DLManagedTensorVersioned)).contents.dl_tensor.device
    return device.device_type, device.device_id


def is_torch(obj: Any) -> bool:
    return torch is not None and isinstance(obj, torch.Tensor)


def output(managed: int, as_torch: bool, device: Optional[Tuple[int, int]] = None) -> Any:
    """The library tensor at `managed` as numpy (CPU, as_torch False) or torch, sharing its memory; None for NULL."""
    if not managed:
        return None
    if device is None:
        device = device_of_managed(managed)
    if not as_torch and device[0] in (kDLCPU, kDLCUDAHost):
        return np.from_dlpack(Exported(managed, CPU))
    if torch is not None:
        return torch.from_dlpack(new_capsule(managed))
    return Exported(managed, device)  # a CUDA result without torch: for cupy.from_dlpack and the like


def device_of(obj: Any) -> Tuple[int, int]:
    """(device_type, device_id) of an input (CPU for numpy arrays and sequences)."""
    if type(obj) is np.ndarray:
        return CPU
    probe = getattr(obj, "__dlpack_device__", None)
    if probe is None:
        return CPU
    kind, index = probe()
    return int(kind), int(index)


def is_cuda(device: Tuple[int, int]) -> bool:
    return device[0] in (kDLCUDA, kDLCUDAManaged)


def stream_for(device: Tuple[int, int], stream: Any = None) -> Optional[int]:
    """The cudaStream_t (an address) a call on `device` runs on: `stream` (an int or an object with .cuda_stream,
    e.g. torch.cuda.Stream) if given, else torch's current stream of that device; None (the library's current
    stream) without torch or off CUDA."""
    if stream is not None:
        return int(getattr(stream, "cuda_stream", stream))
    if not is_cuda(device):
        return None
    if torch is not None:
        return torch.cuda.current_stream(device[1]).cuda_stream
    return None


def borrow(obj: Any, argument: str, stream: Optional[int] = None, writable: bool = False) -> Tuple[Any, int]:
    """(keep-alive, DLTensor address) of an input; keep the first alive for the duration of the call.

    stream: the stream the call will run on (CUDA inputs are made ready on it by their producer)."""
    if type(obj) is not np.ndarray and not hasattr(obj, "__dlpack__"):
        if obj is None:
            raise InvalidArgumentError(1, f"{argument} is None; expected an array")
        obj = np.asarray(obj)  # a list / tuple: a new array (the one copy the binding makes)
        if obj.dtype == object:
            raise InvalidArgumentError(1, f"{argument} is not a numeric array")
    if type(obj) is np.ndarray and writable and not obj.flags.writeable:
        raise InvalidArgumentError(1, f"{argument} is a read-only array; trackkit writes into it")
    kwargs = {}
    if type(obj) is not np.ndarray and is_cuda(device_of(obj)):
        # The producer makes the data ready on the call's stream. DLPack: 1 is the legacy default stream (0, what
        # torch reports for it, is not allowed for CUDA).
        kwargs["stream"] = stream if stream else 1
    try:
        try:
            capsule = obj.__dlpack__(max_version=MAX_VERSION, **kwargs)
        except TypeError:  # a producer from before DLPack 1.0: unversioned capsules
            capsule = obj.__dlpack__(**kwargs)
    except (BufferError, ValueError, RuntimeError, TypeError) as error:  # a dtype DLPack lacks, a tensor needing grad
        raise InvalidArgumentError(1, f"{argument} cannot be shared through DLPack: {error}") from error
    if _is_valid(capsule, NAME):
        managed = get_pointer(capsule, NAME)
        if writable and C.c_uint64.from_address(managed + DLManagedTensorVersioned.flags.offset).value & _READ_ONLY:
            raise InvalidArgumentError(1, f"{argument} is read-only; trackkit writes into it")
        return (obj, capsule), managed + DL_TENSOR_OFFSET_VERSIONED
    if _is_valid(capsule, LEGACY_NAME):
        return (obj, capsule), get_pointer(capsule, LEGACY_NAME) + DL_TENSOR_OFFSET_LEGACY
    raise InvalidArgumentError(1, f"{argument}.__dlpack__() did not return a DLPack capsule")


def borrow_optional(obj: Any, argument: str, stream: Optional[int] = None) -> Tuple[Any, Optional[int]]:
    """borrow() for arguments that may be None (a NULL tensor)."""
    if obj is None:
        return None, None
    return borrow(obj, argument, stream)


def out_slot() -> Tuple[C.c_void_p, int]:
    """A DLManagedTensorVersioned* the library writes, and its address (what the C out-parameter takes)."""
    slot = C.c_void_p()
    return slot, C.addressof(slot)


def take(slot: C.c_void_p) -> int:
    """The tensor address in an out slot, the slot emptied (so an error path cannot free it twice)."""
    value = slot.value or 0
    slot.value = None
    return value



def with_batch_axis(frames: Any) -> Any:
    """A single frame ([H,W,C]) as a batch of one ([1,H,W,C], a view); batches as they are."""
    if not hasattr(frames, "shape"):
        frames = np.asarray(frames)
    return frames[None] if len(frames.shape) == 3 else frames
