"""Shared fixtures of the Python suite: where the repository, the build tree, the data and the C++ examples are.

Environment (ctest sets them): TRACKKIT_LIBRARY (the library under test), PYTHONPATH=<repo>/python,
TRACKKIT_BUILD (the build tree: examples, detector-models, detector-ref, e2p-ref), TRACKKIT_DATA (../shared/data).
Tests that need something missing skip, saying what.
"""
import os
import subprocess
import tempfile
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
if str(REPO / "python") not in sys.path:  # run from a checkout without PYTHONPATH
    sys.path.insert(0, str(REPO / "python"))
BUILD = Path(os.environ.get("TRACKKIT_BUILD", REPO / "build"))
if "TRACKKIT_LIBRARY" not in os.environ and (BUILD / "capi" / "libtrackkit_c.so.1").exists():
    os.environ["TRACKKIT_LIBRARY"] = str(BUILD / "capi" / "libtrackkit_c.so.1")

MOT17 = ("02", "04", "05", "09", "10", "11", "13")


@pytest.fixture(scope="session")
def data() -> Path:
    """The shared data folder ($TRACKKIT_DATA); tests using it skip without it."""
    folder = os.environ.get("TRACKKIT_DATA")
    if not folder or not Path(folder).is_dir():
        pytest.skip("TRACKKIT_DATA is not set to the shared data folder (../shared/data)")
    return Path(folder)


@pytest.fixture(scope="session")
def build() -> Path:
    return BUILD


def mot17_sequence(data: Path, number: str) -> Path:
    folder = data / "mot" / "MOT17" / "train" / f"MOT17-{number}-FRCNN"
    if not folder.is_dir():
        pytest.skip(f"{folder} is missing")
    return folder


def mot17_sequences(data: Path) -> list:
    """The MOT17 train sequences (FRCNN) the data folder holds (it may hold fewer than the 7)."""
    found = [data / "mot" / "MOT17" / "train" / f"MOT17-{n}-FRCNN" for n in MOT17]
    found = [f for f in found if (f / "det" / "det.txt").exists()]
    if not found:
        pytest.skip(f"no MOT17 sequence under {data}")
    return found


def example(name: str) -> Path:
    """A built C/C++ example of <build>/examples (skips when it is not built)."""
    path = BUILD / "examples" / name
    if not path.is_file():
        pytest.skip(f"the C++ example {path} is not built (cmake --build build --target {name})")
    return path


def run_example(name: str, *args: str, cwd=None) -> str:
    """Runs an example against the library under test; its stdout (fails the test on a non-zero exit)."""
    env = dict(os.environ)
    library = os.environ.get("TRACKKIT_LIBRARY")
    if library:  # the examples link libtrackkit; the C one libtrackkit_c: prefer the one under test
        env["LD_LIBRARY_PATH"] = os.pathsep.join(filter(None, [str(Path(library).parent),
                                                               env.get("LD_LIBRARY_PATH")]))
    done = subprocess.run([str(example(name)), *map(str, args)], capture_output=True, text=True, env=env, cwd=cwd,
                          timeout=300)
    assert done.returncode == 0, f"{name} failed ({done.returncode}): {done.stderr[-2000:]}"
    return done.stdout


def require_file(path: Path, how: str) -> Path:
    """Skips (never substitutes another input) when a reference file or model is missing."""
    if not path.exists():
        pytest.skip(f"{path} is missing ({how})")
    return path


def image_folder(tmp_path: Path, images) -> Path:
    """A folder of links to images, for trackkit.FrameReader (which decodes them as cv::imread does)."""
    folder = tmp_path / "frames"
    folder.mkdir(exist_ok=True)
    for index, image in enumerate(images):
        (folder / f"{index:06d}{Path(image).suffix}").symlink_to(Path(image).resolve())
    return folder


def read_image(tmp_path: Path, image: Path):
    """One image decoded by the library (BGR uint8 [H,W,3], as the C++ examples' cv::imread)."""
    import trackkit

    folder = Path(tempfile.mkdtemp(prefix=image.stem, dir=tmp_path))
    (folder / image.name).symlink_to(image.resolve())
    with trackkit.FrameReader(folder) as reader:
        return reader.read(1)[0]

