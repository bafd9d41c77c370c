"""ctypes mirrors of every struct of the C headers (trackkit/trackkit.h, trackkit/c/*.h) and of DLPack 1.x.

Field names, types and order are the headers'; tests/python/test_layout.py checks every size and offset against
capi/src/abi_layout.hpp and the compiled headers. Pointers the library only borrows during a call (tensors,
other configs) are c_void_p so that the hot paths can pass plain addresses.
"""
from __future__ import annotations

import ctypes as C

# ---- DLPack (dlpack/dlpack.h, DLPACK_MAJOR_VERSION 1) ----
kDLCPU, kDLCUDA, kDLCUDAHost, kDLCUDAManaged = 1, 2, 3, 13
kDLInt, kDLUInt, kDLFloat, kDLBfloat, kDLBool = 0, 1, 2, 4, 6


class DLDevice(C.Structure):
    _fields_ = [("device_type", C.c_int32), ("device_id", C.c_int32)]


class DLDataType(C.Structure):
    _fields_ = [("code", C.c_uint8), ("bits", C.c_uint8), ("lanes", C.c_uint16)]


class DLTensor(C.Structure):
    _fields_ = [("data", C.c_void_p), ("device", DLDevice), ("ndim", C.c_int32), ("dtype", DLDataType),
                ("shape", C.POINTER(C.c_int64)), ("strides", C.POINTER(C.c_int64)), ("byte_offset", C.c_uint64)]


class DLPackVersion(C.Structure):
    _fields_ = [("major", C.c_uint32), ("minor", C.c_uint32)]


class DLManagedTensorVersioned(C.Structure):
    pass


DLManagedTensorVersioned._fields_ = [
    ("version", DLPackVersion), ("manager_ctx", C.c_void_p),
    ("deleter", C.CFUNCTYPE(None, C.POINTER(DLManagedTensorVersioned))), ("flags", C.c_uint64),
    ("dl_tensor", DLTensor)]


class DLManagedTensor(C.Structure):
    """DLPack 0.x's unversioned tensor, for producers that only give "dltensor" capsules."""

    _fields_ = [("dl_tensor", DLTensor), ("manager_ctx", C.c_void_p), ("deleter", C.c_void_p)]


# ---- trackkit.h ----
class tk_nms_config(C.Structure):
    _fields_ = [("struct_size", C.c_size_t), ("conf_threshold", C.c_double), ("iou_threshold", C.c_double),
                ("class_offset", C.c_double), ("max_candidates", C.c_int64), ("max_detections", C.c_int64),
                ("classes", C.c_void_p), ("num_classes", C.c_int64), ("agnostic", C.c_int32)]


tk_log_callback = C.CFUNCTYPE(None, C.c_int32, C.c_char_p, C.c_void_p)


class tk_log_config(C.Structure):
    _fields_ = [("struct_size", C.c_size_t), ("level", C.c_int32), ("callback", tk_log_callback),
                ("user_data", C.c_void_p)]


# ---- c/tracker.h ----
class tk_tracker_config(C.Structure):
    _fields_ = [("struct_size", C.c_size_t), ("track_thresh", C.c_double), ("low_thresh", C.c_double),
                ("new_track_thresh", C.c_double), ("match_thresh", C.c_double), ("second_match_thresh", C.c_double),
                ("unconfirmed_match_thresh", C.c_double), ("frame_rate", C.c_double),
                ("duplicate_distance", C.c_double), ("track_buffer", C.c_int32), ("fuse_score", C.c_int32),
                ("iou_plus_one", C.c_int32), ("high_score_inclusive", C.c_int32), ("motion_model", C.c_int32),
                ("warp_sizes_by_abs", C.c_int32), ("output_lost", C.c_int32), ("reserved", C.c_int32),
                ("proximity_thresh", C.c_double), ("appearance_thresh", C.c_double),
                ("feature_momentum", C.c_double)]


class tk_tracker_input(C.Structure):
    _fields_ = [("struct_size", C.c_size_t), ("detections", C.c_void_p), ("embeddings", C.c_void_p),
                ("masks", C.c_void_p), ("track_masks", C.c_void_p), ("track_mask_ids", C.c_void_p),
                ("warp", C.c_void_p), ("mask_scale", C.c_double)]


# ---- c/detector.h ----
class tk_detector_config(C.Structure):
    _fields_ = [("struct_size", C.c_size_t), ("device", C.c_char_p), ("precision", C.c_int32),
                ("layout", C.c_int32), ("input_height", C.c_int32), ("input_width", C.c_int32),
                ("stride_multiple", C.c_int32), ("input_bgr", C.c_int32), ("agnostic", C.c_int32),
                ("reserved", C.c_int32), ("conf_threshold", C.c_double), ("iou_threshold", C.c_double),
                ("max_candidates", C.c_int64), ("max_detections", C.c_int64), ("batch_size", C.c_int64),
                ("classes", C.c_void_p), ("num_classes", C.c_int64)]


# ---- c/gmc.h ----
class tk_gmc_config(C.Structure):
    _fields_ = [("struct_size", C.c_size_t), ("method", C.c_int32), ("ecc_motion", C.c_int32),
                ("downscale", C.c_int32), ("rgb", C.c_int32), ("ecc_iterations", C.c_int32),
                ("ecc_levels", C.c_int32), ("ecc_eps", C.c_double), ("ecc_blur_sigma", C.c_double),
                ("ecc_min_correlation", C.c_double), ("ecc_batched_on_cpu", C.c_int32), ("max_corners", C.c_int32),
                ("max_keypoints", C.c_int32), ("corner_level", C.c_int32), ("corner_quality", C.c_double),
                ("corner_min_distance", C.c_double), ("flow_window", C.c_int32), ("flow_levels", C.c_int32),
                ("ransac_threshold", C.c_double), ("min_points", C.c_int32), ("mask_detections", C.c_int32),
                ("min_inlier_ratio", C.c_double), ("border", C.c_double), ("min_contrast", C.c_double),
                ("max_scale_change", C.c_double)]


class tk_gmc_quality(C.Structure):
    _fields_ = [("struct_size", C.c_size_t), ("status", C.c_int32), ("points", C.c_int32), ("inliers", C.c_int32),
                ("reserved", C.c_int32), ("score", C.c_double)]


# ---- c/pipeline.h ----
class tk_pipeline_config(C.Structure):
    _fields_ = [("struct_size", C.c_size_t), ("detector", C.c_void_p), ("gmc", C.c_void_p), ("tracker", C.c_void_p)]


class tk_frame_reader_config(C.Structure):
    _fields_ = [("struct_size", C.c_size_t), ("max_frames", C.c_int64), ("decode", C.c_int32), ("rgb", C.c_int32),
                ("cuda_device", C.c_int32), ("threads", C.c_int32), ("prefetch", C.c_int64)]


class tk_pipeline_times(C.Structure):
    _fields_ = [("struct_size", C.c_size_t), ("frames", C.c_int64), ("upload", C.c_double), ("detect", C.c_double),
                ("wait", C.c_double), ("gmc", C.c_double), ("track", C.c_double), ("total", C.c_double),
                ("peak_memory_bytes", C.c_int64)]


# ---- c/segmenter.h ----
class tk_segmenter_config(C.Structure):
    _fields_ = [("struct_size", C.c_size_t), ("device", C.c_char_p), ("precision", C.c_int32),
                ("input_bgr", C.c_int32), ("multimask_output", C.c_int32), ("full_resolution", C.c_int32),
                ("mask_boxes", C.c_int32), ("reserved", C.c_int32), ("mask_threshold", C.c_double),
                ("encoder_batch_size", C.c_int64), ("decoder_batch_size", C.c_int64)]


class tk_segmenter_masks(C.Structure):
    _fields_ = [("struct_size", C.c_size_t), ("masks", C.c_void_p), ("low_res", C.c_void_p), ("scores", C.c_void_p),
                ("boxes", C.c_void_p), ("mask_boxes", C.c_void_p)]


# ---- c/embedder.h ----
class tk_embedder_config(C.Structure):
    _fields_ = [("struct_size", C.c_size_t), ("device", C.c_char_p), ("precision", C.c_int32),
                ("preset", C.c_int32), ("box_sampling", C.c_int32), ("input_bgr", C.c_int32),
                ("model_bgr", C.c_int32), ("quantize", C.c_int32), ("height", C.c_int32), ("width", C.c_int32),
                ("fill", C.c_int32), ("reserved", C.c_int32), ("mean", C.c_float * 3), ("std", C.c_float * 3),
                ("batch_size", C.c_int64)]


class tk_cluster_config(C.Structure):
    _fields_ = [("struct_size", C.c_size_t), ("method", C.c_int32), ("linkage", C.c_int32),
                ("distance_threshold", C.c_double), ("eps", C.c_double), ("min_samples", C.c_int64)]


# ---- c/e2p.h ----
class tk_e2p_view(C.Structure):
    _fields_ = [("struct_size", C.c_size_t), ("yaw", C.c_double), ("pitch", C.c_double), ("roll", C.c_double),
                ("width", C.c_int64), ("height", C.c_int64), ("hfov", C.c_double), ("vfov", C.c_double),
                ("fx", C.c_double), ("fy", C.c_double)]


class tk_e2p_config(C.Structure):
    _fields_ = [("struct_size", C.c_size_t), ("interpolation", C.c_int32), ("layout", C.c_int32),
                ("cuda_pixels_per_thread", C.c_int32), ("cuda_wide_loads", C.c_int32), ("cuda_tiles", C.c_int32),
                ("reserved", C.c_int32)]


# ---- c/mot.h ----
class tk_mot_seqinfo(C.Structure):
    _fields_ = [("struct_size", C.c_size_t), ("frame_rate", C.c_double), ("length", C.c_int64),
                ("width", C.c_int64), ("height", C.c_int64), ("name", C.c_char * 256), ("im_dir", C.c_char * 256),
                ("im_ext", C.c_char * 16)]


class tk_mot_eval_config(C.Structure):
    _fields_ = [("struct_size", C.c_size_t), ("num_frames", C.c_int64), ("mot17_preprocessing", C.c_int32),
                ("reserved", C.c_int32), ("pedestrian_class", C.c_int64), ("distractor_classes", C.c_void_p),
                ("num_distractor_classes", C.c_int64)]


class tk_mot_metrics(C.Structure):
    _fields_ = [("struct_size", C.c_size_t)] + [
        (name, C.c_double) for name in ("hota", "det_a", "ass_a", "det_re", "det_pr", "ass_re", "ass_pr", "loc_a",
                                        "mota", "motp", "moda", "clr_recall", "clr_precision", "idf1", "idr", "idp")
    ] + [(name, C.c_int64) for name in ("tp", "fn", "fp", "idsw", "mt", "pt", "ml", "frag", "idtp", "idfn", "idfp",
                                        "gt_dets", "tracker_dets", "gt_ids", "tracker_ids")]


# ---- c/face.h (ABI 1.1) ----
class tk_face_detector_config(C.Structure):
    _fields_ = [("struct_size", C.c_size_t), ("device", C.c_char_p), ("precision", C.c_int32),
                ("input_bgr", C.c_int32), ("input_height", C.c_int32), ("input_width", C.c_int32),
                ("conf_threshold", C.c_double), ("iou_threshold", C.c_double), ("max_candidates", C.c_int64),
                ("max_detections", C.c_int64), ("batch_size", C.c_int64)]


class tk_face_clusterer_config(C.Structure):
    _fields_ = [("struct_size", C.c_size_t), ("detector", C.c_void_p), ("tracker", C.c_void_p),
                ("link_across_frames", C.c_int32), ("cluster_method", C.c_int32), ("cluster_linkage", C.c_int32),
                ("reserved", C.c_int32), ("cluster_distance_threshold", C.c_double), ("cluster_eps", C.c_double),
                ("cluster_min_samples", C.c_int64), ("best_faces", C.c_int64), ("min_quality", C.c_double),
                ("min_track_faces", C.c_int64), ("min_size_px", C.c_double), ("full_size_px", C.c_double),
                ("sharpness_half", C.c_double), ("sharpness_crop", C.c_int64)]


class tk_face_record(C.Structure):
    _fields_ = [("struct_size", C.c_size_t), ("frame", C.c_int64), ("time", C.c_double), ("box", C.c_float * 4),
                ("landmarks", C.c_float * 10), ("score", C.c_float), ("quality", C.c_float)]


class tk_face_track(C.Structure):
    _fields_ = [("struct_size", C.c_size_t), ("id", C.c_int64), ("first_frame", C.c_int64),
                ("last_frame", C.c_int64), ("faces_seen", C.c_int64), ("best_faces", C.c_int64),
                ("identity", C.c_int64)]


class tk_face_identity(C.Structure):
    _fields_ = [("struct_size", C.c_size_t), ("id", C.c_int64), ("tracks", C.c_int64),
                ("representative_track", C.c_int64)]


# Every struct of the headers that starts with struct_size (what capi/src/abi_layout.hpp freezes).
ABI_STRUCTS = (tk_nms_config, tk_log_config, tk_tracker_config, tk_tracker_input, tk_detector_config, tk_gmc_config,
               tk_gmc_quality, tk_pipeline_config, tk_pipeline_times, tk_segmenter_config, tk_segmenter_masks,
               tk_embedder_config, tk_cluster_config, tk_e2p_view, tk_e2p_config, tk_mot_seqinfo, tk_mot_eval_config,
               tk_mot_metrics, tk_face_detector_config, tk_face_clusterer_config, tk_face_record, tk_face_track,
               tk_face_identity, tk_frame_reader_config)
DLPACK_STRUCTS = (DLDevice, DLDataType, DLTensor, DLPackVersion, DLManagedTensorVersioned)

# Where the DLTensor lies inside the managed tensors (capsule pointers + this = the DLTensor*).
DL_TENSOR_OFFSET_VERSIONED = DLManagedTensorVersioned.dl_tensor.offset
DL_TENSOR_OFFSET_LEGACY = DLManagedTensor.dl_tensor.offset


def new_struct(cls: type) -> C.Structure:
    """A zeroed struct with its struct_size set, for outputs (the library writes up to struct_size bytes)."""
    value = cls()
    value.struct_size = C.sizeof(cls)
    return value
