"""Boxes: pairwise IoU, format conversion and batched NMS (docs/core.md), CPU or CUDA, numpy or torch."""
from __future__ import annotations

import ctypes as C
from typing import Any, Iterable, Optional, Tuple

from . import _dlpack
from ._config import enum_value, int64_array
from ._lib import check, init_struct, lib
from ._structs import tk_nms_config

__all__ = ["box_iou", "convert_boxes", "batched_nms"]


def _stream_of(tensor: Any, stream: Any) -> Optional[int]:
    return _dlpack.stream_for(_dlpack.device_of(tensor), stream)


def box_iou(a: Any, b: Any, stream: Any = None) -> Any:
    """Pairwise IoU of x1,y1,x2,y2 boxes: a [N,4] & b [M,4] -> [N,M], or [B,N,4] & [B,M,4] -> [B,N,M]; float16/32/64,
    both on one device. CUDA work runs on `stream` (default: torch's current stream)."""
    chosen = _stream_of(a, stream)
    keep_a, address_a = _dlpack.borrow(a, "a", chosen)
    keep_b, address_b = _dlpack.borrow(b, "b", chosen)
    slot, slot_address = _dlpack.out_slot()
    check(lib.tk_box_iou(address_a, address_b, chosen, slot_address))
    return _dlpack.output(_dlpack.take(slot), _dlpack.is_torch(a))


def convert_boxes(boxes: Any, src: str, dst: str, stream: Any = None) -> Any:
    """Boxes [...,4] from format src to dst: "xyxy", "xywh" (x1,y1,w,h), "cxcywh" or "cxcyah" (aspect w/h)."""
    source, target = enum_value("box_format", src, "src"), enum_value("box_format", dst, "dst")
    chosen = _stream_of(boxes, stream)
    keep, address = _dlpack.borrow(boxes, "boxes", chosen)
    slot, slot_address = _dlpack.out_slot()
    check(lib.tk_convert_boxes(address, source, target, chosen, slot_address))
    return _dlpack.output(_dlpack.take(slot), _dlpack.is_torch(boxes))


def batched_nms(boxes: Any, scores: Any, conf: float = 0.25, iou: float = 0.45, max_det: int = 300,
                classes: Optional[Iterable[int]] = None, agnostic: bool = False, max_candidates: Optional[int] = None,
                class_offset: Optional[float] = None, stream: Any = None) -> Tuple[Any, Any]:
    """ultralytics' non_max_suppression per image: boxes [B,A,4] x1y1x2y2 and scores [B,A,C] (one floating dtype,
    one device). Returns (detections float32 [B,max_det,6] x1,y1,x2,y2,score,class with rows past counts[b] zero,
    counts int64 [B]), on the inputs' device. classes: only these class ids; agnostic: one NMS over all classes."""
    config = init_struct(tk_nms_config, lib.tk_nms_config_init)
    config.conf_threshold, config.iou_threshold, config.max_detections = float(conf), float(iou), int(max_det)
    config.agnostic = int(bool(agnostic))
    if max_candidates is not None:
        config.max_candidates = int(max_candidates)
    if class_offset is not None:
        config.class_offset = float(class_offset)
    ids, count = int64_array(classes, "classes")
    config.classes, config.num_classes = (C.cast(ids, C.c_void_p) if ids is not None else None), count
    chosen = _stream_of(boxes, stream)
    keep_boxes, boxes_address = _dlpack.borrow(boxes, "boxes", chosen)
    keep_scores, scores_address = _dlpack.borrow(scores, "scores", chosen)
    detections, detections_address = _dlpack.out_slot()
    counts, counts_address = _dlpack.out_slot()
    check(lib.tk_batched_nms(boxes_address, scores_address, C.byref(config), chosen, detections_address,
                             counts_address))
    as_torch = _dlpack.is_torch(boxes)
    return (_dlpack.output(_dlpack.take(detections), as_torch), _dlpack.output(_dlpack.take(counts), as_torch))
