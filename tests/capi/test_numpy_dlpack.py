"""The C ABI from Python through ctypes, with numpy arrays going in and coming out through DLPack, zero-copy.

Usage: test_numpy_dlpack.py path/to/libtrackkit_c.so   (exit 77 = skipped: numpy >= 2.1 is not installed)
"""
import ctypes as C
import os
import sys

try:
    import numpy as np
except ImportError:
    print("SKIPPED: numpy is not installed for", sys.executable)
    sys.exit(77)
if tuple(int(x) for x in np.__version__.split(".")[:2]) < (2, 1):
    print("SKIPPED: numpy", np.__version__, "has no versioned DLPack (needs >= 2.1)")
    sys.exit(77)


sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dlpack_ctypes import CAPSULE, DLManagedTensorVersioned, DLTensor  # noqa: E402

lib = C.CDLL(sys.argv[1])
lib.tk_last_error.restype = C.c_char_p
# tk_box_iou(boxes1, boxes2, cuda_stream, &iou): the stream is ignored for CPU tensors (None: the current stream).
lib.tk_box_iou.argtypes = [C.POINTER(DLTensor), C.POINTER(DLTensor), C.c_void_p,
                           C.POINTER(C.POINTER(DLManagedTensorVersioned))]
lib.tk_box_iou.restype = C.c_int
lib.tk_abi_version.argtypes = [C.POINTER(C.c_int32), C.POINTER(C.c_int32)]
lib.tk_abi_version.restype = None
lib.tk_dlpack_version.argtypes = [C.POINTER(C.c_int32), C.POINTER(C.c_int32)]
lib.tk_dlpack_version.restype = None


class Owned:
    """A trackkit output handed to numpy: numpy takes the capsule and calls the deleter when it is done."""

    def __init__(self, managed):
        self.capsule = C.pythonapi.PyCapsule_New(C.cast(managed, C.c_void_p), CAPSULE, None)

    def __dlpack__(self, **kwargs):
        return self.capsule

    def __dlpack_device__(self):
        return (1, 0)  # kDLCPU


def borrowed(array):
    """numpy's own DLPack export of `array` (the capsule keeps it alive) and its DLTensor."""
    capsule = array.__dlpack__(max_version=(1, 0))
    managed = C.cast(C.pythonapi.PyCapsule_GetPointer(capsule, CAPSULE), C.POINTER(DLManagedTensorVersioned))
    return capsule, managed


def box_iou(a, b):
    ca, ma = borrowed(a)
    cb, mb = borrowed(b)
    out = C.POINTER(DLManagedTensorVersioned)()
    status = lib.tk_box_iou(C.byref(ma.contents.dl_tensor), C.byref(mb.contents.dl_tensor), None, C.byref(out))
    if status != 0:
        return status, lib.tk_last_error().decode(), None
    data_pointer = out.contents.dl_tensor.data
    result = np.from_dlpack(Owned(out))
    return status, data_pointer, result


failures = 0


def check(condition, what):
    global failures
    if not condition:
        failures += 1
        print("FAILED:", what)


a = np.array([[0, 0, 10, 10]], dtype=np.float32)
b = np.array([[0, 0, 10, 10], [5, 5, 15, 15], [20, 20, 30, 30]], dtype=np.float32)
status, data_pointer, iou = box_iou(a, b)
check(status == 0, "tk_box_iou status")
check(iou.shape == (1, 3) and iou.dtype == np.float32, "shape and dtype of the result")
check(np.allclose(iou, [[1.0, 1.0 / 7.0, 0.0]], atol=1e-7), "IoU values")
check(iou.ctypes.data == data_pointer, "numpy views trackkit's memory (no copy)")

# A strided, non-contiguous numpy view goes in without a copy on our side too.
big = np.zeros((3, 8), dtype=np.float64)
big[:, ::2] = [[0, 0, 10, 10], [5, 5, 15, 15], [1, 1, 2, 2]]
status, _, iou64 = box_iou(big[:, ::2], big[:1, ::2])
check(status == 0 and iou64.dtype == np.float64, "strided float64 input")
check(np.allclose(iou64[:, 0], [1.0, 1.0 / 7.0, 0.01]), "strided IoU values")

status, message, _ = box_iou(np.zeros((4, 3), dtype=np.float32), b)
check(status == 1, "wrong shape gives TK_ERR_INVALID_ARGUMENT")
check(message == "box_iou: boxes1 must have shape [N,4], got [4,3]", "error message: " + str(message))

# A reversed view (negative strides, as numpy exports them): the IoU of the rows in reversed order.
rows = np.array([[0, 0, 10, 10], [5, 5, 15, 15], [2, 0, 12, 8]], dtype=np.float32)
status, _, iou_reversed = box_iou(rows[::-1], b)
check(status == 0 and np.array_equal(iou_reversed, box_iou(np.ascontiguousarray(rows[::-1]), b)[2]),
      "negative strides: IoU of the reversed rows")
check(np.allclose(iou_reversed[2], [1.0, 1.0 / 7.0, 0.0], atol=1e-7), "negative strides: values")

# The versions a ctypes binding checks before anything else.
major, minor = C.c_int32(-1), C.c_int32(-1)
lib.tk_abi_version(C.byref(major), C.byref(minor))
check(major.value == 1 and minor.value >= 0, "tk_abi_version: 1.x")
lib.tk_dlpack_version(C.byref(major), C.byref(minor))
check(major.value == 1, "tk_dlpack_version: DLPack 1.x")

checks = 11
print(f"{checks - failures} passed, {failures} failed")
sys.exit(1 if failures else 0)
