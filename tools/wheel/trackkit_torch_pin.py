"""scikit-build-core dynamic-metadata provider (pyproject.toml): the wheel's dependencies, with `torch==<version>`.

The wheel's libraries link the LibTorch of the torch package of the Python that runs the build
(cmake/TrackkitWheel.cmake makes CMake take that one), and C++ LibTorch has no ABI across releases, so the wheel
requires exactly that torch release. Why here and not in CMake: PEP 517 front ends ask for the metadata before the
build (prepare_metadata_for_build_wheel) and scikit-build-core fails a wheel whose metadata differs from it, so the
pin must be known before CMake runs. It is read from the file CMake reads LibTorch's version from
(torch/share/cmake/Torch/TorchConfigVersion.cmake), without importing torch, and handed to the CMake run in the
environment variable TRACKKIT_WHEEL_TORCH_PIN, which stops the configure step if the two ever differ.

Settings (the [[tool.dynamic-metadata]] entry): `requires`, the other dependencies, listed before the pin.
"""

from __future__ import annotations

import importlib.util
import os
import re
import sys
from pathlib import Path
from typing import Any, Mapping

PIN_VARIABLE = "TRACKKIT_WHEEL_TORCH_PIN"


def torch_version() -> str:
    """The LibTorch version of this Python's torch package, as CMake's TorchConfigVersion.cmake states it."""
    spec = importlib.util.find_spec("torch")  # finds the package without importing it
    if spec is None or spec.origin is None:
        raise RuntimeError(
            "trackkit's wheel links the LibTorch of the torch package of the Python that builds it, and "
            f"{sys.executable} has none: install torch there and run `pip install --no-build-isolation .`")
    config = Path(spec.origin).parent / "share" / "cmake" / "Torch" / "TorchConfigVersion.cmake"
    match = re.search(r'set\(PACKAGE_VERSION "([0-9][^"]*)"\)', config.read_text(encoding="utf-8"))
    if match is None:
        raise RuntimeError(f"no PACKAGE_VERSION in {config}: is {config.parents[3]} a torch wheel with LibTorch?")
    return match.group(1)


def dynamic_metadata(settings: Mapping[str, Any], project: Mapping[str, Any]) -> dict[str, Any]:
    """[project] dependencies: settings["requires"] + torch==<the LibTorch the build links>."""
    unknown = set(settings) - {"requires"}
    if unknown:
        raise RuntimeError(f"trackkit_torch_pin: unknown settings {sorted(unknown)} (only 'requires')")
    version = torch_version()
    os.environ[PIN_VARIABLE] = version  # the CMake run of this build checks its LibTorch against it
    return {"dependencies": [*settings.get("requires", []), f"torch=={version}"]}


def dynamic_wheel(settings: Mapping[str, Any]) -> dict[str, bool]:
    """An sdist's dependencies are marked Dynamic: the pin is whatever torch builds the wheel."""
    return {"dependencies": True}
