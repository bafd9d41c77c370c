"""Loading, versions, errors and the box functions, against independent numpy computations; DLPack in and out
without copies."""
import ctypes
import os
import re
import subprocess
import sys

import numpy as np
import pytest
from conftest import REPO

import trackkit
from trackkit import _dlpack, _lib
from trackkit._structs import DLManagedTensorVersioned, DLTensor


def test_versions_are_the_headers():
    header = (REPO / "capi" / "include" / "trackkit" / "c" / "core.h").read_text()
    version = re.search(r'#define TK_VERSION_STRING "([^"]+)"', header).group(1)
    abi = tuple(int(re.search(rf"#define TK_ABI_VERSION_{part} (\d+)", header).group(1)) for part in ("MAJOR", "MINOR"))
    assert trackkit.library_version() == version
    assert trackkit.__version__ == version
    assert trackkit.abi_version() == abi == (_lib.ABI_MAJOR, _lib.ABI_MINOR)
    assert version in trackkit.build_info()
    assert os.path.exists(trackkit.library_path())
    if os.environ.get("TRACKKIT_LIBRARY"):
        assert trackkit.library_path() == os.environ["TRACKKIT_LIBRARY"]
    assert trackkit.cuda_device_count() >= 0
    trackkit.release_cached_memory()  # a no-op without CUDA; must not fail


def _import_with(library: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, TRACKKIT_LIBRARY=library, PYTHONPATH=str(REPO / "python"))
    return subprocess.run([sys.executable, "-c", "import trackkit"], capture_output=True, text=True, env=env,
                          timeout=120)


def test_import_names_a_library_that_cannot_serve():
    missing = _import_with("/nonexistent/libtrackkit_c.so.1")
    assert missing.returncode != 0 and "ImportError" in missing.stderr
    assert "/nonexistent/libtrackkit_c.so.1" in missing.stderr
    libc = _import_with("libc.so.6")  # loads, but is no trackkit: the version check says so
    assert libc.returncode != 0 and "tk_abi_version" in libc.stderr


def test_errors_are_typed_and_carry_the_library_message():
    tracker = trackkit.Tracker()
    with pytest.raises(trackkit.InvalidArgumentError) as caught:
        tracker.update(np.zeros((3, 6), np.int64))
    error = caught.value
    assert isinstance(error, ValueError) and isinstance(error, trackkit.TrackkitError)
    assert error.status == 1 and "detections" in error.message and "dtype" in error.message
    assert error.message == _lib.lib.tk_last_error().decode()  # the C message, unchanged
    with pytest.raises(trackkit.InvalidArgumentError, match="detections.*shape"):
        tracker.update(np.zeros((3, 3)))
    with pytest.raises(trackkit.InvalidArgumentError, match="dets"):
        tracker.update(None)
    with pytest.raises(trackkit.InvalidArgumentError, match="boxes2"):
        trackkit.box_iou(np.zeros((2, 4)), np.zeros((2, 4), np.int32))
    with pytest.raises(trackkit.NotFoundError) as missing:
        trackkit.mot.read("/nonexistent/gt.txt")
    assert isinstance(missing.value, FileNotFoundError) and "/nonexistent/gt.txt" in str(missing.value)
    with pytest.raises(trackkit.InvalidArgumentError, match="track_thresh"):
        trackkit.Tracker(trackkit.TrackerConfig(track_thresh=-1))
    with pytest.raises(trackkit.InvalidArgumentError, match="motion_model"):
        trackkit.TrackerConfig(motion_model="sideways").to_struct()
    # Bad input never crashes: object arrays, 0-d arrays, strings.
    for bad in (np.array([None, 1]), np.float64(3.0), "boxes"):
        with pytest.raises(trackkit.TrackkitError):
            trackkit.box_iou(bad, np.zeros((1, 4)))


def iou_reference(a, b):
    """Pairwise IoU in float64 by the definition (no +1 pixel)."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    lt = np.maximum(a[:, None, :2], b[None, :, :2])
    rb = np.minimum(a[:, None, 2:], b[None, :, 2:])
    inter = np.prod(np.clip(rb - lt, 0, None), axis=2)
    area = lambda x: (x[:, 2] - x[:, 0]) * (x[:, 3] - x[:, 1])  # noqa: E731
    return inter / (area(a)[:, None] + area(b)[None, :] - inter)


def random_boxes(rng, n, scale=100.0):
    xy = rng.uniform(0, scale, (n, 2))
    return np.concatenate([xy, xy + rng.uniform(1, scale / 2, (n, 2))], axis=1)


def test_box_iou_equals_the_definition_for_any_strides_and_batches():
    rng = np.random.default_rng(1)
    a, b = random_boxes(rng, 7), random_boxes(rng, 5)
    np.testing.assert_allclose(trackkit.box_iou(a, b), iou_reference(a, b), rtol=1e-12)
    # A transposed (non-contiguous) view and a reversed one are read in place.
    columns = np.ascontiguousarray(a.T)
    np.testing.assert_allclose(trackkit.box_iou(columns.T, b[::-1]), iou_reference(a, b[::-1]), rtol=1e-12)
    batch_a, batch_b = np.stack([a, a * 2]), np.stack([b, b * 2])
    out = trackkit.box_iou(batch_a.astype(np.float32), batch_b.astype(np.float32))
    assert out.shape == (2, 7, 5) and out.dtype == np.float32
    np.testing.assert_allclose(out[1], iou_reference(a * 2, b * 2), atol=1e-6)


def test_convert_boxes_follows_each_formats_definition():
    rng = np.random.default_rng(2)
    xyxy = random_boxes(rng, 6)
    w, h = xyxy[:, 2] - xyxy[:, 0], xyxy[:, 3] - xyxy[:, 1]
    cx, cy = xyxy[:, 0] + w / 2, xyxy[:, 1] + h / 2
    expected = {"xywh": np.stack([xyxy[:, 0], xyxy[:, 1], w, h], 1), "cxcywh": np.stack([cx, cy, w, h], 1),
                "cxcyah": np.stack([cx, cy, w / h, h], 1)}
    for name, value in expected.items():
        np.testing.assert_allclose(trackkit.convert_boxes(xyxy, "xyxy", name), value, rtol=1e-12)
        np.testing.assert_allclose(trackkit.convert_boxes(value, name, "xyxy"), xyxy, rtol=1e-12, atol=1e-12)
    with pytest.raises(trackkit.InvalidArgumentError, match="dst"):
        trackkit.convert_boxes(xyxy, "xyxy", "polar")


def nms_reference(boxes, scores, conf, iou, max_det):
    """ultralytics' non_max_suppression for one image, class-aware, by hand: best class, score > conf, greedy."""
    classes, best = scores.argmax(1), scores.max(1)
    keep = np.nonzero(best > conf)[0]
    keep = keep[np.argsort(-best[keep], kind="stable")]
    shifted = boxes + classes[:, None] * 7680.0
    chosen = []
    for i in keep:
        if all(iou_reference(shifted[i:i + 1], shifted[j:j + 1])[0, 0] <= iou for j in chosen):
            chosen.append(i)
    chosen = chosen[:max_det]
    return np.concatenate([boxes[chosen], best[chosen, None], classes[chosen, None]], 1)


def test_batched_nms_equals_a_greedy_reference():
    rng = np.random.default_rng(3)
    boxes = np.stack([random_boxes(rng, 60, 200) for _ in range(2)]).astype(np.float32)
    scores = rng.uniform(0, 1, (2, 60, 3)).astype(np.float32)
    detections, counts = trackkit.batched_nms(boxes, scores, conf=0.3, iou=0.5, max_det=40)
    assert detections.shape == (2, 40, 6) and counts.dtype == np.int64
    for b in range(2):
        expected = nms_reference(boxes[b].astype(np.float64), scores[b].astype(np.float64), 0.3, 0.5, 40)
        assert counts[b] == len(expected)
        np.testing.assert_allclose(detections[b, :counts[b]], expected, rtol=1e-6, atol=1e-4)
        assert not detections[b, counts[b]:].any()
    only, only_counts = trackkit.batched_nms(boxes, scores, conf=0.3, classes=[2])
    assert set(only[0, :only_counts[0], 5].tolist()) <= {2.0}


def _managed_of_numpy_result(array):
    """The DLManagedTensorVersioned numpy keeps for an array it took from a DLPack producer."""
    name = b"numpy_dltensor_versioned"
    get = ctypes.pythonapi["PyCapsule_GetPointer"]
    get.restype, get.argtypes = ctypes.c_void_p, [ctypes.py_object, ctypes.c_char_p]
    return ctypes.cast(get(array.base, name), ctypes.POINTER(DLManagedTensorVersioned)).contents


def test_results_are_the_librarys_memory():
    a = np.array([[0, 0, 10, 10], [5, 5, 15, 15.0]])
    result = trackkit.box_iou(a, a)
    assert not result.flags.owndata
    managed = _managed_of_numpy_result(result)
    assert managed.dl_tensor.data == result.ctypes.data  # numpy views the library's tensor
    # The same through the internal converter, for numpy and torch.
    slot, address = _dlpack.out_slot()
    keep, tensor = _dlpack.borrow(a, "a")
    assert _lib.lib.tk_box_iou(tensor, tensor, None, address) == 0
    data = ctypes.cast(slot.value, ctypes.POINTER(DLManagedTensorVersioned)).contents.dl_tensor.data
    assert _dlpack.output(_dlpack.take(slot), False).ctypes.data == data
    torch = pytest.importorskip("torch")
    assert _lib.lib.tk_box_iou(tensor, tensor, None, address) == 0
    data = ctypes.cast(slot.value, ctypes.POINTER(DLManagedTensorVersioned)).contents.dl_tensor.data
    assert _dlpack.output(_dlpack.take(slot), True).data_ptr() == data


def test_inputs_are_read_in_place_with_their_strides():
    base = np.arange(24, dtype=np.float64).reshape(4, 6)
    view = base.T[1:5]  # [4,4] with strides (8, 48): not contiguous
    keep, address = _dlpack.borrow(view, "view")
    tensor = DLTensor.from_address(address)
    assert tensor.data + tensor.byte_offset == view.ctypes.data
    assert [tensor.strides[i] for i in range(2)] == [s // 8 for s in view.strides]
    assert [tensor.shape[i] for i in range(2)] == list(view.shape)


def test_an_unconsumed_result_is_released_once():
    freed = []
    deleter_type = DLManagedTensorVersioned._fields_[2][1]
    deleter = deleter_type(lambda pointer: freed.append(ctypes.addressof(pointer.contents)))
    data = (ctypes.c_double * 4)(1, 2, 3, 4)
    shape = (ctypes.c_int64 * 1)(4)
    managed = DLManagedTensorVersioned()
    managed.version.major, managed.deleter = 1, deleter
    managed.dl_tensor.data, managed.dl_tensor.ndim, managed.dl_tensor.shape = ctypes.addressof(data), 1, shape
    managed.dl_tensor.device.device_type, managed.dl_tensor.dtype.code, managed.dl_tensor.dtype.bits = 1, 2, 64
    managed.dl_tensor.dtype.lanes = 1
    address = ctypes.addressof(managed)
    unconsumed = _dlpack.Exported(address, _dlpack.CPU)
    del unconsumed  # its capsule dies unconsumed: the destructor calls the deleter
    assert freed == [address]
    array = np.from_dlpack(_dlpack.Exported(address, _dlpack.CPU))
    assert array.tolist() == [1, 2, 3, 4] and freed == [address]  # consumed: numpy owns it now
    del array
    assert freed == [address, address]
