"""Face / person ReID embeddings and identity clustering (docs/embedder.md)."""
from __future__ import annotations

import ctypes as C
import os
from dataclasses import dataclass
from typing import Any, Optional, Sequence, Tuple, Union

from . import _dlpack
from ._config import defaults, enum_name, enum_value, to_struct
from ._handle import Handle, create
from ._lib import check, init_struct, lib
from ._structs import tk_cluster_config, tk_embedder_config

__all__ = ["EmbedderConfig", "Embedder", "cluster_embeddings", "score_clusters"]

_D = defaults(tk_embedder_config, lib.tk_embedder_config_init)
_ENUMS = {"precision": "precision", "preset": "crop_preset", "box_sampling": "box_sampling"}


@dataclass
class EmbedderConfig:
    """tk_embedder_config: the library's defaults. preset "auto" (the model's metadata), "facenet", "arcface",
    "imagenet" or "custom" (mean, std, height, width as given); box_sampling "opencv" or "subpixel"."""

    device: str = (_D.device or b"auto").decode()
    precision: Union[str, int] = enum_name("precision", _D.precision)
    preset: Union[str, int] = enum_name("crop_preset", _D.preset)
    box_sampling: Union[str, int] = enum_name("box_sampling", _D.box_sampling)
    input_bgr: bool = bool(_D.input_bgr)
    model_bgr: bool = bool(_D.model_bgr)
    quantize: bool = bool(_D.quantize)
    height: int = _D.height
    width: int = _D.width
    fill: int = _D.fill
    mean: Sequence[float] = tuple(_D.mean)
    std: Sequence[float] = tuple(_D.std)
    batch_size: int = _D.batch_size

    def to_struct(self) -> tk_embedder_config:
        struct = to_struct(self, tk_embedder_config, lib.tk_embedder_config_init, _ENUMS, skip=("mean", "std"))
        struct.mean = (C.c_float * 3)(*self.mean)
        struct.std = (C.c_float * 3)(*self.std)
        return struct


class Embedder(Handle):
    """A TorchScript embedding model (tools/embedder/convert_models.py); not thread-safe: one thread at a time.
    Keyword arguments are EmbedderConfig fields."""

    _destroy = lib.tk_embedder_destroy
    _set_cuda_stream = lib.tk_embedder_set_cuda_stream

    def __init__(self, model_path: Union[str, os.PathLike], config: Optional[EmbedderConfig] = None, **fields: Any):
        self.config = config if config is not None else EmbedderConfig(**fields)
        struct = self.config.to_struct()
        self._handle = create(lib.tk_embedder_create, os.fspath(model_path).encode(), C.byref(struct))
        self._slot, self._slot_address = _dlpack.out_slot()

    def warmup(self) -> None:
        """Runs the model once (and picks the batch size when it is 0)."""
        check(lib.tk_embedder_warmup(self._handle))

    @property
    def dim(self) -> int:
        """The embedding size D."""
        value = C.c_int64()
        check(lib.tk_embedder_dim(self._handle, C.byref(value)))
        return value.value

    def _call(self, function, primary: Any, *tensors: Tuple[str, Any], stream: Any = None) -> Any:
        """function(handle, tensors..., &out) with every tensor borrowed on the call's stream."""
        chosen = self._use_stream(_dlpack.device_of(primary), stream)
        keep, addresses = [], []
        for name, value in tensors:
            held, address = _dlpack.borrow_optional(value, name, chosen)
            keep.append(held)
            addresses.append(address)
        check(function(self._handle, *addresses, self._slot_address))
        return _dlpack.output(_dlpack.take(self._slot), _dlpack.is_torch(primary))

    def embed(self, frames: Any, boxes: Any, stream: Any = None) -> Any:
        """frames uint8 [B,H,W,3], boxes float [N,5] (frame index, x1,y1,x2,y2) -> float32 [N,D] L2-normalised."""
        return self._call(lib.tk_embedder_embed, frames, ("frames", frames), ("boxes", boxes), stream=stream)

    def embed_aligned(self, frames: Any, landmarks: Any, frame_index: Any = None, stream: Any = None) -> Any:
        """Faces aligned to the ArcFace template: landmarks float [N,5,2]; frame_index int64 [N] (None: all from
        frame 0 of a single frame)."""
        return self._call(lib.tk_embedder_embed_aligned, frames, ("frames", frames), ("landmarks", landmarks),
                          ("frame_index", frame_index), stream=stream)

    def crop_boxes(self, frames: Any, boxes: Any, stream: Any = None) -> Any:
        """The model's input crops of embed(): [N,3,h,w] normalised, in the model's channel order and precision."""
        return self._call(lib.tk_embedder_crop_boxes, frames, ("frames", frames), ("boxes", boxes), stream=stream)

    def crop_aligned(self, frames: Any, landmarks: Any, frame_index: Any = None, stream: Any = None) -> Any:
        """The crops of embed_aligned(), likewise."""
        return self._call(lib.tk_embedder_crop_aligned, frames, ("frames", frames), ("landmarks", landmarks),
                          ("frame_index", frame_index), stream=stream)

    def embed_crops(self, crops: Any, stream: Any = None) -> Any:
        """Embeddings of crops float [N,3,h,w] as crop_boxes() gives them."""
        return self._call(lib.tk_embedder_embed_crops, crops, ("crops", crops), stream=stream)


def cluster_embeddings(embeddings: Any, method: str = "agglomerative", linkage: str = "average",
                       distance_threshold: Optional[float] = None, eps: Optional[float] = None,
                       min_samples: Optional[int] = None, stream: Any = None) -> Any:
    """Identity clusters of embeddings float [N,D] (CPU or CUDA): int64 [N] labels (0.. by first row; -1: noise
    of the density method). None arguments take the library's defaults."""
    config = init_struct(tk_cluster_config, lib.tk_cluster_config_init)
    config.method = enum_value("cluster_method", method, "method")
    config.linkage = enum_value("linkage", linkage, "linkage")
    for name, value in (("distance_threshold", distance_threshold), ("eps", eps), ("min_samples", min_samples)):
        if value is not None:
            setattr(config, name, value)
    chosen = _dlpack.stream_for(_dlpack.device_of(embeddings), stream)
    keep, address = _dlpack.borrow(embeddings, "embeddings", chosen)
    slot, slot_address = _dlpack.out_slot()
    check(lib.tk_cluster_embeddings(address, C.byref(config), chosen, slot_address))
    return _dlpack.output(_dlpack.take(slot), _dlpack.is_torch(embeddings))


def score_clusters(labels: Any, truth: Any) -> Tuple[float, float]:
    """(purity, adjusted Rand index) of cluster labels against true ids (both int64 [N], CPU)."""
    keep_labels, labels_address = _dlpack.borrow(labels, "labels")
    keep_truth, truth_address = _dlpack.borrow(truth, "truth")
    purity, adjusted_rand = C.c_double(), C.c_double()
    check(lib.tk_score_clusters(labels_address, truth_address, C.byref(purity), C.byref(adjusted_rand)))
    return purity.value, adjusted_rand.value
