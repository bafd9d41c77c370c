"""Finds and loads libtrackkit_c, checks its ABI and DLPack versions, and declares every tk_ function's prototype.

Pointers are declared c_void_p: callers pass byref(...) for structs and out-parameters, plain integers for tensor
addresses (the hot paths avoid ctypes object construction that way).
"""
from __future__ import annotations

import ctypes as C
import ctypes.util
import os

from ._errors import error_for
from ._structs import DLDataType, DLDevice

# The C ABI this package was written against (TK_ABI_VERSION_MAJOR / MINOR of trackkit/trackkit.h).
ABI_MAJOR, ABI_MINOR = 1, 1
DLPACK_MAJOR = 1

try:  # libtrackkit_c needs libtorch: with torch imported first, the process holds one copy of it.
    import torch  # noqa: F401
except Exception:  # not installed, or not importable here (a missing dependency): numpy only
    torch = None

_P, _S, _I32, _I64, _F64, _SZ = C.c_void_p, C.c_char_p, C.c_int32, C.c_int64, C.c_double, C.c_size_t
_STATUS = C.c_int

# name: (restype, argtypes). "status" functions return tk_status.
_PROTOTYPES = {
    # trackkit.h
    "tk_last_error": (_S, []), "tk_status_name": (_S, [C.c_int]), "tk_version": (_S, []),
    "tk_version_numbers": (None, [_P, _P, _P]), "tk_abi_version": (None, [_P, _P]),
    "tk_dlpack_version": (None, [_P, _P]), "tk_build_info": (_S, []), "tk_cuda_device_count": (_I32, []),
    "tk_release_cached_memory": (_STATUS, []), "tk_tensor_free": (None, [_P]),
    "tk_box_iou": (_STATUS, [_P, _P, _P, _P]), "tk_convert_boxes": (_STATUS, [_P, C.c_int, C.c_int, _P, _P]),
    "tk_nms_config_init": (_STATUS, [_P, _SZ]), "tk_batched_nms": (_STATUS, [_P, _P, _P, _P, _P, _P]),
    "tk_log_config_init": (_STATUS, [_P, _SZ]), "tk_set_log_config": (_STATUS, [_P]),
    # c/tracker.h
    "tk_tracker_config_init": (_STATUS, [_P, _SZ]), "tk_tracker_config_preset": (_STATUS, [_S, _F64, _P]),
    "tk_tracker_preset_name": (_S, [_SZ]), "tk_tracker_config_from_yaml": (_STATUS, [_S, _F64, _P]),
    "tk_tracker_create": (_STATUS, [_P, _P]), "tk_tracker_destroy": (None, [_P]),
    "tk_tracker_update": (_STATUS, [_P, _P, _P]), "tk_tracker_update_warp": (_STATUS, [_P, _P, _P, _P]),
    "tk_tracker_input_init": (_STATUS, [_P, _SZ]), "tk_tracker_update_ex": (_STATUS, [_P, _P, _P]),
    "tk_tracker_events": (_STATUS, [_P, _P, _P]), "tk_tracker_reset": (_STATUS, [_P]),
    "tk_tracker_bank_create": (_STATUS, [_P, _I64, _P]), "tk_tracker_bank_destroy": (None, [_P]),
    "tk_tracker_bank_update": (_STATUS, [_P, _P, _P]), "tk_tracker_bank_reset": (_STATUS, [_P, _I64]),
    # c/detector.h
    "tk_detector_config_init": (_STATUS, [_P, _SZ]), "tk_detector_create": (_STATUS, [_S, _P, _P]),
    "tk_detector_destroy": (None, [_P]), "tk_detector_set_cuda_stream": (_STATUS, [_P, _P]),
    "tk_detector_warmup": (_STATUS, [_P, _I64, _I64]), "tk_detector_detect": (_STATUS, [_P, _P, _P, _P]),
    "tk_detector_detect_into": (_STATUS, [_P, _P, _P, _P, _I64]),
    "tk_detector_class_count": (_STATUS, [_P, _P]), "tk_detector_class_name": (_STATUS, [_P, _I64, _P]),
    # c/gmc.h
    "tk_gmc_config_init": (_STATUS, [_P, _SZ]), "tk_gmc_config_preset": (_STATUS, [_S, _P]),
    "tk_gmc_config_from_yaml": (_STATUS, [_S, _P]), "tk_gmc_status_name": (_S, [C.c_int]),
    "tk_gmc_create": (_STATUS, [_P, _P]), "tk_gmc_destroy": (None, [_P]),
    "tk_gmc_set_cuda_stream": (_STATUS, [_P, _P]), "tk_gmc_apply": (_STATUS, [_P, _P, _P, _P, _P]),
    "tk_gmc_apply_batch": (_STATUS, [_P, _P, _P, _P, _P]), "tk_gmc_estimate": (_STATUS, [_P, _P, _P, _P, _P, _P]),
    "tk_gmc_reset": (_STATUS, [_P]),
    # c/pipeline.h
    "tk_pipeline_config_init": (_STATUS, [_P, _SZ]), "tk_pipeline_create": (_STATUS, [_S, _P, _P]),
    "tk_pipeline_destroy": (None, [_P]), "tk_pipeline_set_cuda_stream": (_STATUS, [_P, _P]),
    "tk_pipeline_warmup": (_STATUS, [_P, _I64, _I64]), "tk_pipeline_batch_size": (_STATUS, [_P, _P]),
    "tk_pipeline_class_count": (_STATUS, [_P, _P]), "tk_pipeline_class_name": (_STATUS, [_P, _I64, _P]),
    "tk_pipeline_push": (_STATUS, [_P, _P, _P, _P]), "tk_pipeline_finish": (_STATUS, [_P, _P, _P]),
    "tk_pipeline_reset": (_STATUS, [_P]), "tk_pipeline_times_get": (_STATUS, [_P, _P]),
    "tk_frame_reader_open": (_STATUS, [_S, _I64, _P]), "tk_frame_reader_close": (None, [_P]),
    "tk_frame_reader_info": (_STATUS, [_P, _P, _P, _P, _P]), "tk_frame_reader_read": (_STATUS, [_P, _I64, _P]),
    "tk_frame_reader_config_init": (_STATUS, [_P, _SZ]), "tk_frame_reader_open_with": (_STATUS, [_S, _P, _P]),
    # c/segmenter.h
    "tk_segmenter_config_init": (_STATUS, [_P, _SZ]), "tk_segmenter_create": (_STATUS, [_S, _S, _P, _P]),
    "tk_segmenter_destroy": (None, [_P]), "tk_segmenter_set_cuda_stream": (_STATUS, [_P, _P]),
    "tk_segmenter_warmup": (_STATUS, [_P, _I64, _I64, _I64]), "tk_segmenter_encode": (_STATUS, [_P, _P, _P]),
    "tk_segmenter_embeddings_destroy": (None, [_P]), "tk_segmenter_decode": (_STATUS, [_P, _P, _P, _P]),
    "tk_segmenter_segment": (_STATUS, [_P, _P, _P, _P]), "tk_segmenter_masks_free": (None, [_P]),
    "tk_rle_encode": (_STATUS, [_P, _P, _P, _P]), "tk_rle_to_string": (_STATUS, [_P, _I64, _P, _SZ, _P]),
    "tk_rle_decode_string": (_STATUS, [_S, _I64, _I64, _P]), "tk_mask_iou": (_STATUS, [_P, _P, _P, _P]),
    # c/embedder.h
    "tk_embedder_config_init": (_STATUS, [_P, _SZ]), "tk_embedder_create": (_STATUS, [_S, _P, _P]),
    "tk_embedder_destroy": (None, [_P]), "tk_embedder_set_cuda_stream": (_STATUS, [_P, _P]),
    "tk_embedder_warmup": (_STATUS, [_P]), "tk_embedder_dim": (_STATUS, [_P, _P]),
    "tk_embedder_embed": (_STATUS, [_P, _P, _P, _P]), "tk_embedder_embed_aligned": (_STATUS, [_P, _P, _P, _P, _P]),
    "tk_embedder_crop_boxes": (_STATUS, [_P, _P, _P, _P]), "tk_embedder_crop_aligned": (_STATUS, [_P, _P, _P, _P, _P]),
    "tk_embedder_embed_crops": (_STATUS, [_P, _P, _P]), "tk_cluster_config_init": (_STATUS, [_P, _SZ]),
    "tk_cluster_embeddings": (_STATUS, [_P, _P, _P, _P]), "tk_score_clusters": (_STATUS, [_P, _P, _P, _P]),
    # c/e2p.h
    "tk_e2p_view_init": (_STATUS, [_P, _SZ]),
    "tk_e2p_horizon_views": (_STATUS, [_I32, _I64, _I64, _F64, _F64, _F64, _P]),
    "tk_e2p_cube_views": (_STATUS, [_I64, _P]), "tk_e2p_config_init": (_STATUS, [_P, _SZ]),
    "tk_e2p_create": (_STATUS, [_P, _P, _SZ, _P]), "tk_e2p_destroy": (None, [_P]),
    "tk_e2p_set_cuda_stream": (_STATUS, [_P, _P]), "tk_e2p_project": (_STATUS, [_P, _P, _P]),
    "tk_e2p_project_into": (_STATUS, [_P, _P, _P]),
    "tk_e2p_batch_capacity": (_STATUS, [_P, _I64, _I64, _I64, DLDataType, DLDevice, _F64, _P]),
    "tk_e2p_source_coordinates": (_STATUS, [_P, _I64, _I64, _P]),
    # c/mot.h
    "tk_mot_read": (_STATUS, [_S, _P]), "tk_mot_write_results": (_STATUS, [_S, _P, _I32]),
    "tk_mot_read_seqinfo": (_STATUS, [_S, _P]), "tk_mot_eval_config_init": (_STATUS, [_P, _SZ]),
    "tk_mot_evaluator_create": (_STATUS, [_P, _P]), "tk_mot_evaluator_destroy": (None, [_P]),
    "tk_mot_evaluator_add": (_STATUS, [_P, _P, _P, _I64, _P]), "tk_mot_evaluator_combined": (_STATUS, [_P, _P]),
    "tk_mot_evaluator_count": (_STATUS, [_P, _P]),
}


def _candidates() -> list:
    """Where the library may be, in the documented order."""
    found = []
    if os.environ.get("TRACKKIT_LIBRARY"):
        found.append(os.environ["TRACKKIT_LIBRARY"])
    found.append(os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib", "libtrackkit_c.so.1"))
    system = ctypes.util.find_library("trackkit_c")
    if system:
        found.append(system)
    return found


def _load() -> tuple:
    tried = []
    for path in _candidates():
        explicit = path == os.environ.get("TRACKKIT_LIBRARY")
        if not explicit and os.path.sep in path and not os.path.exists(path):
            tried.append(f"{path} (missing)")
            continue
        try:
            return C.CDLL(path), path
        except OSError as error:
            if explicit:  # the user named it: say why it does not load rather than trying others
                raise ImportError(f"trackkit: cannot load TRACKKIT_LIBRARY={path}: {error}") from error
            tried.append(f"{path} ({error})")
    raise ImportError("trackkit: libtrackkit_c not found; set TRACKKIT_LIBRARY to its path. Tried: " + "; ".join(tried))


def _declare(library: C.CDLL, path: str) -> None:
    missing = []
    for name, (restype, argtypes) in _PROTOTYPES.items():
        try:
            function = getattr(library, name)
        except AttributeError:
            missing.append(name)
            continue
        function.restype = restype
        function.argtypes = argtypes
    if missing:
        raise ImportError(f"trackkit: {path} lacks {', '.join(missing)} (a library older than ABI "
                          f"{ABI_MAJOR}.{ABI_MINOR}?)")


def _check_versions(library: C.CDLL, path: str) -> None:
    if not hasattr(library, "tk_abi_version"):
        raise ImportError(f"trackkit: {path} has no tk_abi_version (it predates ABI 1.0); this package needs ABI "
                          f"{ABI_MAJOR}.{ABI_MINOR}")
    major, minor = C.c_int32(), C.c_int32()
    library.tk_abi_version.restype = None
    library.tk_abi_version.argtypes = [_P, _P]
    library.tk_abi_version(C.byref(major), C.byref(minor))
    if major.value != ABI_MAJOR or minor.value < ABI_MINOR:
        raise ImportError(f"trackkit: {path} has C ABI {major.value}.{minor.value}; this package needs "
                          f"{ABI_MAJOR}.x with x >= {ABI_MINOR}")
    dl_major, dl_minor = C.c_int32(), C.c_int32()
    library.tk_dlpack_version.restype = None
    library.tk_dlpack_version.argtypes = [_P, _P]
    library.tk_dlpack_version(C.byref(dl_major), C.byref(dl_minor))
    if dl_major.value != DLPACK_MAJOR:
        raise ImportError(f"trackkit: {path} returns DLPack {dl_major.value}.{dl_minor.value} tensors; this package "
                          f"reads DLPack {DLPACK_MAJOR}.x")


lib, path = _load()
_check_versions(lib, path)
_declare(lib, path)

_last_error = lib.tk_last_error


def raise_status(status: int) -> None:
    """Raises the exception of a failed call (status != TK_OK), with the library's message."""
    raise error_for(status, (_last_error() or b"").decode("utf-8", "replace"))


def check(status: int) -> None:
    """Raises unless status is TK_OK."""
    if status:
        raise_status(status)


def init_struct(cls: type, init) -> C.Structure:
    """A struct holding the library's defaults (tk_*_init(&s, sizeof s))."""
    value = cls()
    check(init(C.byref(value), C.sizeof(cls)))
    return value
