"""Python dataclasses <-> the C config structs: defaults come from the library (tk_*_init), never restated here."""
from __future__ import annotations

import ctypes as C
import dataclasses
from typing import Any, Dict, Iterable, Optional

import numpy as np

from ._errors import InvalidArgumentError
from ._lib import init_struct

# The C enums a config field may be given by name (lower case, as the C enumerator without its prefix).
ENUMS: Dict[str, Dict[str, int]] = {
    "precision": {"fp32": 0, "fp16": 1, "bf16": 2},
    "layout_yolo": {"auto": 0, "v8": 1, "v5": 2, "end2end": 3},
    "motion_model": {"xyah": 0, "xywh": 1},
    "gmc_method": {"none": 0, "ecc": 1, "orb": 2, "sift": 3, "sparse_optical_flow": 4},
    "ecc_motion": {"translation": 0, "euclidean": 1, "affine": 2, "homography": 3},
    "interpolation": {"nearest": 0, "bilinear": 1, "bicubic": 2},
    "layout_e2p": {"nhwc": 0, "nchw": 1},
    "crop_preset": {"auto": 0, "facenet": 1, "arcface": 2, "imagenet": 3, "custom": 4},
    "box_sampling": {"opencv": 0, "subpixel": 1},
    "cluster_method": {"agglomerative": 0, "density": 1},
    "linkage": {"average": 0, "complete": 1, "single": 2},
    "box_format": {"xyxy": 0, "xywh": 1, "cxcywh": 2, "cxcyah": 3},
    "log_level": {"trace": 0, "debug": 1, "info": 2, "warn": 3, "error": 4, "off": 5},
}

GMC_STATUS_NAMES = ("ok", "first_frame", "too_few_points", "scene_cut", "textureless", "size_changed", "failed")


def enum_value(kind: str, value: Any, argument: str) -> int:
    """The C value of an enum given by name or number; InvalidArgumentError naming the argument otherwise."""
    names = ENUMS[kind]
    if isinstance(value, str):
        key = value.lower().replace("-", "_")
        if key not in names:
            raise InvalidArgumentError(1, f"{argument} must be one of {', '.join(names)}; got {value!r}")
        return names[key]
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise InvalidArgumentError(1, f"{argument} must be one of {', '.join(names)} (or its number); got {value!r}")
    return int(value)


def enum_name(kind: str, value: int) -> Any:
    """The name of a C enum value (the number itself when the value is unknown, e.g. from a newer library)."""
    for name, number in ENUMS[kind].items():
        if number == value:
            return name
    return value


def defaults(cls: type, init) -> C.Structure:
    """The library's defaults of a config struct, read once at import."""
    return init_struct(cls, init)


def to_struct(config: Any, cls: type, init, enums: Optional[Dict[str, str]] = None,
              skip: Iterable[str] = ()) -> C.Structure:
    """A C config initialised by the library, then given every field of the dataclass `config` (names as the C
    fields; enum fields by name or number; strings encoded). Fields in `skip` are left for the caller."""
    struct = init_struct(cls, init)
    enums = enums or {}
    skipped = set(skip)
    owner = type(config).__name__
    types = dict(cls._fields_)
    for field in dataclasses.fields(config):
        if field.name in skipped:
            continue
        value = getattr(config, field.name)
        if field.name in enums:
            value = enum_value(enums[field.name], value, f"{owner}.{field.name}")
        elif isinstance(value, str) and types.get(field.name) is C.c_char_p:
            value = value.encode()
        elif isinstance(value, (bool, np.bool_)):
            value = int(value)
        try:
            setattr(struct, field.name, value)
        except (TypeError, ValueError) as error:
            raise InvalidArgumentError(1, f"{owner}.{field.name} = {value!r}: {error}") from error
    return struct


def from_struct(config_cls: type, struct: C.Structure, enums: Optional[Dict[str, str]] = None,
                booleans: Iterable[str] = ()) -> Any:
    """The dataclass of a C config (enum fields become their names, `booleans` become bool)."""
    enums = enums or {}
    flags = set(booleans)
    values = {}
    for field in dataclasses.fields(config_cls):
        if not hasattr(struct, field.name):
            continue
        value = getattr(struct, field.name)
        if field.name in enums:
            by_value = {v: k for k, v in ENUMS[enums[field.name]].items()}
            value = by_value.get(value, value)
        elif field.name in flags:
            value = bool(value)
        elif isinstance(value, bytes):
            value = value.decode()
        values[field.name] = value
    return config_cls(**values)


def int64_array(values: Optional[Iterable[int]], argument: str):
    """(ctypes int64 array or None, count) of an optional list of integers (e.g. class ids)."""
    if values is None:
        return None, 0
    items = [int(v) for v in values]
    if not items:
        raise InvalidArgumentError(1, f"{argument} is empty; pass None for all")
    return (C.c_int64 * len(items))(*items), len(items)


def check_fields(config: Any, names: Iterable[str]) -> None:
    """InvalidArgumentError for unknown keyword arguments, naming them."""
    known = {f.name for f in dataclasses.fields(config)}
    unknown = sorted(set(names) - known)
    if unknown:
        raise InvalidArgumentError(1, f"unknown {type(config).__name__} field(s) {', '.join(unknown)}; known: "
                                      f"{', '.join(sorted(known))}")
