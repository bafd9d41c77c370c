"""The segmenter (SAM-family box-prompted masks; docs/segmenter.md) and COCO RLE / mask IoU utilities."""
from __future__ import annotations

import ctypes as C
import os
from dataclasses import dataclass
from typing import Any, Dict, Optional, Tuple, Union

import numpy as np

from . import _dlpack
from ._config import defaults, enum_name, to_struct
from ._handle import Handle, create
from ._lib import check, lib
from ._structs import new_struct, tk_segmenter_config, tk_segmenter_masks

__all__ = ["SegmenterConfig", "Segmenter", "SegmenterEmbeddings", "rle_encode", "rle_to_string",
           "rle_decode_string", "mask_iou"]

_D = defaults(tk_segmenter_config, lib.tk_segmenter_config_init)
_ENUMS = {"precision": "precision"}
_MASK_FIELDS = ("masks", "low_res", "scores", "boxes", "mask_boxes")


@dataclass
class SegmenterConfig:
    """tk_segmenter_config (trackkit::SegmenterOptions): the library's defaults. mask_threshold NaN: the export's."""

    device: str = (_D.device or b"auto").decode()
    precision: Union[str, int] = enum_name("precision", _D.precision)
    input_bgr: bool = bool(_D.input_bgr)
    multimask_output: bool = bool(_D.multimask_output)
    full_resolution: bool = bool(_D.full_resolution)
    mask_boxes: bool = bool(_D.mask_boxes)
    mask_threshold: float = _D.mask_threshold
    encoder_batch_size: int = _D.encoder_batch_size
    decoder_batch_size: int = _D.decoder_batch_size


class SegmenterEmbeddings(Handle):
    """Image embeddings of a batch of frames from Segmenter.encode (read-only; usable from any thread)."""

    _destroy = lib.tk_segmenter_embeddings_destroy

    def __init__(self, handle: int, as_torch: bool):
        self._handle, self.as_torch = handle, as_torch


def _masks_dict(masks: tk_segmenter_masks, as_torch: bool) -> Dict[str, Any]:
    """The masks struct's tensors as arrays (absent ones None); the struct's pointers are cleared."""
    out = {}
    for field in _MASK_FIELDS:
        address, value = getattr(masks, field), None
        setattr(masks, field, None)
        out[field] = _dlpack.output(address or 0, as_torch)
    return out


class Segmenter(Handle):
    """An encoder + decoder pair (TorchScript, or AOTInductor .pt2 on CUDA); not thread-safe: one thread at a time.
    Keyword arguments are SegmenterConfig fields."""

    _destroy = lib.tk_segmenter_destroy
    _set_cuda_stream = lib.tk_segmenter_set_cuda_stream

    def __init__(self, encoder_path: Union[str, os.PathLike], decoder_path: Union[str, os.PathLike],
                 config: Optional[SegmenterConfig] = None, **fields: Any):
        self.config = config if config is not None else SegmenterConfig(**fields)
        struct = to_struct(self.config, tk_segmenter_config, lib.tk_segmenter_config_init, _ENUMS)
        self._handle = create(lib.tk_segmenter_create, os.fspath(encoder_path).encode(),
                              os.fspath(decoder_path).encode(), C.byref(struct))

    def warmup(self, height: int, width: int, boxes: int = 1) -> None:
        """Runs encoder and decoder once (and picks the encoder batch size when it is 0)."""
        check(lib.tk_segmenter_warmup(self._handle, int(height), int(width), int(boxes)))

    def _decode_call(self, function, first: Any, boxes: Any, as_torch: bool, chosen: Optional[int]) -> Dict[str, Any]:
        keep_boxes, boxes_address = _dlpack.borrow(boxes, "boxes", chosen)
        masks = new_struct(tk_segmenter_masks)
        try:
            check(function(self._handle, first, boxes_address, C.byref(masks)))
            return _masks_dict(masks, as_torch)
        finally:
            lib.tk_segmenter_masks_free(C.byref(masks))  # whatever was not handed out (an error part-way)

    def segment(self, frames: Any, boxes: Any, stream: Any = None) -> Dict[str, Any]:
        """encode + decode: frames uint8 [B,H,W,3]; boxes float [N,5] (frame index, x1,y1,x2,y2). Returns {masks:
        bool [N,M,H,W] or None, low_res: float32 [N,M,256,256] logits, scores: float32 [N,M], boxes: float32 [N,5]
        clamped, mask_boxes: float32 [N,M,4] or None} on the model's device."""
        chosen = self._use_stream(_dlpack.device_of(frames), stream)
        keep, address = _dlpack.borrow(frames, "frames", chosen)
        return self._decode_call(lib.tk_segmenter_segment, address, boxes, _dlpack.is_torch(frames), chosen)

    def encode(self, frames: Any, stream: Any = None) -> SegmenterEmbeddings:
        """The image embeddings of frames uint8 [B,H,W,3] (one size), for any number of decode() calls."""
        chosen = self._use_stream(_dlpack.device_of(frames), stream)
        keep, address = _dlpack.borrow(frames, "frames", chosen)
        handle = C.c_void_p()
        check(lib.tk_segmenter_encode(self._handle, address, C.byref(handle)))
        return SegmenterEmbeddings(handle.value, _dlpack.is_torch(frames))

    def decode(self, embeddings: SegmenterEmbeddings, boxes: Any, stream: Any = None) -> Dict[str, Any]:
        """Masks of boxes float [N,5] (frame index, x1,y1,x2,y2) on encoded frames, as segment() gives them."""
        chosen = self._use_stream(_dlpack.device_of(boxes), stream)
        return self._decode_call(lib.tk_segmenter_decode, embeddings._handle, boxes, embeddings.as_torch, chosen)


def rle_encode(masks: Any, stream: Any = None) -> Tuple[Any, Any]:
    """COCO RLE (column-major, pycocotools' order) of bool/uint8 masks [N,H,W] on any device: (counts int64 [C], all
    masks' run lengths, offsets int64 [N+1], where mask i's runs start), CPU arrays."""
    chosen = _dlpack.stream_for(_dlpack.device_of(masks), stream)
    keep, address = _dlpack.borrow(masks, "masks", chosen)
    counts, counts_address = _dlpack.out_slot()
    offsets, offsets_address = _dlpack.out_slot()
    check(lib.tk_rle_encode(address, chosen, counts_address, offsets_address))
    as_torch = _dlpack.is_torch(masks)
    return _dlpack.output(_dlpack.take(counts), as_torch), _dlpack.output(_dlpack.take(offsets), as_torch)


def rle_to_string(counts: Any) -> str:
    """pycocotools' compressed counts string of one mask's run lengths (int64 sequence)."""
    runs = np.ascontiguousarray(np.asarray(counts, dtype=np.int64))
    # A run takes at most 13 characters (5 bits each, 64-bit values), so this buffer always suffices.
    buffer = C.create_string_buffer(13 * runs.size + 1)
    length = C.c_size_t()
    check(lib.tk_rle_to_string(runs.ctypes.data, runs.size, buffer, len(buffer), C.byref(length)))
    return buffer.raw[:length.value].decode()


def rle_decode_string(counts: str, height: int, width: int) -> Any:
    """A compressed counts string of a height x width mask as bool [H,W]."""
    slot, address = _dlpack.out_slot()
    check(lib.tk_rle_decode_string(counts.encode(), int(height), int(width), address))
    return _dlpack.output(_dlpack.take(slot), False)


def mask_iou(a: Any, b: Any, stream: Any = None) -> Any:
    """IoU of masks a [N,H,W] and b [M,H,W] (bool/uint8, one device): float64 [N,M] on the CPU."""
    chosen = _dlpack.stream_for(_dlpack.device_of(a), stream)
    keep_a, address_a = _dlpack.borrow(a, "a", chosen)
    keep_b, address_b = _dlpack.borrow(b, "b", chosen)
    slot, address = _dlpack.out_slot()
    check(lib.tk_mask_iou(address_a, address_b, chosen, address))
    return _dlpack.output(_dlpack.take(slot), _dlpack.is_torch(a))
