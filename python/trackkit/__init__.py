"""trackkit from Python: detection, tracking, camera motion, segmentation, ReID and 360° projection over the C ABI
of libtrackkit_c (ctypes; arrays in and out through DLPack without copies). docs/python.md shows each component.

    import trackkit
    tracker = trackkit.Tracker("bytetrack")
    tracks = tracker.update(dets)          # dets [N,6] x1,y1,x2,y2,conf,cls -> [M,8] BoxMOT columns
"""
from __future__ import annotations

import ctypes as _C
from typing import Callable, Optional, Union

from . import mot
from ._errors import (CudaError, DeviceError, InternalError, InvalidArgumentError, ModelError, NotFoundError,
                      OutOfMemoryError, TrackkitError, UnsupportedError)
from ._lib import ABI_MAJOR, ABI_MINOR, check as _check, init_struct as _init_struct, lib as _library, path as _path
from ._config import enum_value as _enum_value
from ._structs import tk_log_callback as _tk_log_callback, tk_log_config as _tk_log_config
from .boxes import batched_nms, box_iou, convert_boxes
from .detector import Detector, DetectorConfig
from .e2p import EquirectToPinhole, PinholeView, cube_views, horizon_views
from .embedder import Embedder, EmbedderConfig, cluster_embeddings, score_clusters
from .face import (FaceClusterer, FaceClustererConfig, FaceClusterResult, FaceDetector, FaceDetectorConfig,
                   FaceIdentity, FaceRecord, FaceTrack)
from .gmc import GMC, GmcConfig, gmc_status_name
from .pipeline import PIPELINE_COLUMNS, FrameInfo, FrameReader, Pipeline
from .segmenter import (Segmenter, SegmenterConfig, SegmenterEmbeddings, mask_iou, rle_decode_string, rle_encode,
                        rle_to_string)
from .track import BOXMOT_COLUMNS, FrameResult, track
from .tracker import Tracker, TrackerBank, TrackerConfig, preset_names

__version__ = "1.0.0"

__all__ = [
    "__version__", "library_version", "build_info", "cuda_device_count", "release_cached_memory", "library_path",
    "abi_version", "set_log", "TrackkitError", "InvalidArgumentError", "DeviceError", "NotFoundError", "ModelError",
    "OutOfMemoryError", "CudaError", "UnsupportedError", "InternalError", "box_iou", "convert_boxes", "batched_nms",
    "TrackerConfig", "Tracker", "TrackerBank", "preset_names", "GmcConfig", "GMC", "gmc_status_name",
    "DetectorConfig", "Detector", "SegmenterConfig", "Segmenter", "SegmenterEmbeddings", "rle_encode",
    "rle_to_string", "rle_decode_string", "mask_iou", "EmbedderConfig", "Embedder", "cluster_embeddings",
    "score_clusters", "FaceDetectorConfig", "FaceDetector", "FaceClustererConfig", "FaceClusterer", "FaceRecord",
    "FaceTrack", "FaceIdentity", "FaceClusterResult", "PinholeView", "EquirectToPinhole", "horizon_views",
    "cube_views", "Pipeline", "FrameReader", "FrameInfo", "PIPELINE_COLUMNS", "track", "FrameResult",
    "BOXMOT_COLUMNS", "mot",
]


def library_version() -> str:
    """The loaded libtrackkit_c's version, "major.minor.patch"."""
    return _library.tk_version().decode()


def abi_version() -> tuple:
    """The loaded library's C ABI (major, minor); this package needs major == ABI_MAJOR, minor >= ABI_MINOR."""
    major, minor = _C.c_int32(), _C.c_int32()
    _library.tk_abi_version(_C.byref(major), _C.byref(minor))
    return major.value, minor.value


def build_info() -> str:
    """One line: version, CUDA kernels, LibTorch and OpenCV versions."""
    return _library.tk_build_info().decode()


def cuda_device_count() -> int:
    """Number of CUDA GPUs trackkit can use (0 in a CPU-only build)."""
    return int(_library.tk_cuda_device_count())


def release_cached_memory() -> None:
    """Returns the GPU memory LibTorch caches but no tensor uses to the driver (torch.cuda.empty_cache())."""
    _check(_library.tk_release_cached_memory())


def library_path() -> str:
    """The path libtrackkit_c was loaded from."""
    return _path


_log_callback = None  # the C callback must outlive every message


def set_log(level: Union[str, int] = "warn", callback: Optional[Callable[[int, str], None]] = None) -> None:
    """The library's logging (process-wide): messages at or above level ("trace", "debug", "info", "warn", "error",
    "off") go to callback(level, message), or to stderr without one."""
    global _log_callback
    config = _init_struct(_tk_log_config, _library.tk_log_config_init)
    config.level = _enum_value("log_level", level, "level")
    if callback is not None:
        _log_callback = _tk_log_callback(lambda lvl, message, _user: callback(lvl, message.decode("utf-8", "replace")))
        config.callback = _log_callback
    _check(_library.tk_set_log_config(_C.byref(config)))
    if callback is None:
        _log_callback = None
