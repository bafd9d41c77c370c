"""EquirectToPinhole from Python against py360convert's references (tools/compare/e2p_reference.py, in
<build>/e2p-ref or $TRACKKIT_E2P_REFERENCE) with the C++ test's PSNR bounds, and projecting in place."""
import math
import os
from pathlib import Path

import numpy as np
import pytest
from conftest import BUILD, require_file

import trackkit

REFERENCES = Path(os.environ.get("TRACKKIT_E2P_REFERENCE", BUILD / "e2p-ref"))


def load_references():
    """(images {name: uint8 [H,W,3]}, cases [dict]) of the manifest (tests/e2p/e2p_test_util.hpp's format)."""
    manifest = require_file(REFERENCES / "manifest.txt", "scripts/e2p-references.sh writes it")
    images, cases = {}, []
    for line in manifest.read_text().splitlines():
        fields = line.split()
        if fields and fields[0] == "image":
            name, height, width, file = fields[1], int(fields[2]), int(fields[3]), fields[4]
            images[name] = np.fromfile(REFERENCES / file, np.uint8).reshape(height, width, 3)
        elif fields and fields[0] == "case":
            keys = ("name", "image", "mode", "yaw", "pitch", "roll", "fx", "fy", "height", "width", "file", "sampler")
            case = dict(zip(keys, fields[1:]))
            for key in ("yaw", "pitch", "roll", "fx", "fy"):
                case[key] = float(case[key])
            case["height"], case["width"] = int(case["height"]), int(case["width"])
            cases.append(case)
    return images, cases


def psnr(a, b):
    mse = np.mean((np.asarray(a, np.float64) - np.asarray(b, np.float64)) ** 2)
    return math.inf if mse == 0 else 10 * math.log10(255.0 ** 2 / mse)


def project_case(images, case):
    view = trackkit.PinholeView(yaw=case["yaw"], pitch=case["pitch"], roll=case["roll"], width=case["width"],
                                height=case["height"], fx=case["fx"], fy=case["fy"])
    return trackkit.EquirectToPinhole([view], interpolation=case["mode"]).project(images[case["image"]])[0, 0]


# (mode, sampler, name prefix, lowest PSNR allowed): tests/e2p/test_e2p_reference.cpp's bounds.
BOUNDS = [("bilinear", "scipy", "grid_", 45.0), ("bilinear", "scipy", "andes_", 45.0),
          ("bilinear", "scipy", "demo_", 45.0), ("nearest", "scipy", "", 40.0), ("bicubic", "cv2", "", 40.0),
          ("bilinear", "cv2", "", 40.0)]


@pytest.mark.parametrize("mode,sampler,prefix,bound", BOUNDS)
def test_views_match_py360convert(mode, sampler, prefix, bound):
    images, cases = load_references()
    chosen = [c for c in cases if c["mode"] == mode and c["sampler"] == sampler and c["name"].startswith(prefix)]
    if not chosen and sampler == "cv2":
        pytest.skip("the references were made without OpenCV (no cv2 cases)")
    assert chosen
    for case in chosen:
        reference = np.fromfile(REFERENCES / case["file"], np.uint8).reshape(case["height"], case["width"], 3)
        value = psnr(project_case(images, case), reference)
        assert value >= bound, f"{case['name']}: PSNR {value:.2f} dB < {bound}"


def test_the_shipped_py360convert_jpeg_is_reproduced():
    images, cases = load_references()
    # The JPEG's parameters (see the C++ test): fov 120 centre-to-centre, pitch 30, roll 90, yaw +90.
    focal = 511 / (2 * math.tan(math.radians(60)))
    case = {"image": "room", "mode": "bilinear", "yaw": 90, "pitch": 30, "roll": 90, "fx": focal, "fy": focal,
            "width": 512, "height": 512}
    ours = project_case(images, case)
    assert psnr(ours, images["room_e2p_jpeg"]) >= 39.0
    for now in (c for c in cases if c["name"] == "room_e2p_now"):
        assert psnr(ours, np.fromfile(REFERENCES / now["file"], np.uint8).reshape(512, 512, 3)) >= 45.0


def smooth_equirect(height=64, width=128):
    y, x = np.mgrid[0:height, 0:width]
    planes = [127 + 100 * np.sin(x / 9.0 + c) * np.cos(y / 7.0 - c) for c in range(3)]
    return np.stack(planes, -1).astype(np.uint8)


def test_projection_reads_views_and_writes_the_callers_memory():
    frames = np.stack([smooth_equirect(), smooth_equirect()[::-1].copy()])
    e2p = trackkit.EquirectToPinhole(trackkit.cube_views(16))
    views = e2p.project(frames)
    assert views.shape == (2, 6, 16, 16, 3) and views.dtype == np.uint8
    # NCHW frames given as a transposed view (non-contiguous NHWC): the same views.
    planar = np.ascontiguousarray(frames.transpose(0, 3, 1, 2))
    np.testing.assert_array_equal(e2p.project(planar.transpose(0, 2, 3, 1)), views)
    nchw = trackkit.EquirectToPinhole(trackkit.cube_views(16), layout="nchw").project(planar)
    np.testing.assert_array_equal(nchw, views.transpose(0, 1, 4, 2, 3))
    out = np.zeros_like(views)
    assert e2p.project_into(frames, out) is out
    np.testing.assert_array_equal(out, views)  # written in place: the array we hold, no copy in between
    with pytest.raises(trackkit.InvalidArgumentError, match="out"):
        e2p.project_into(frames, np.zeros((2, 6, 16, 16, 4), np.uint8))
    read_only = np.zeros_like(views)
    read_only.flags.writeable = False
    with pytest.raises(trackkit.InvalidArgumentError, match="read-only"):
        e2p.project_into(frames, read_only)
    torch = pytest.importorskip("torch")
    from_torch = e2p.project(torch.from_numpy(frames))
    assert isinstance(from_torch, torch.Tensor)
    np.testing.assert_array_equal(from_torch.numpy(), views)


def test_views_and_coordinates():
    around = trackkit.horizon_views(4, width=320, height=240, hfov=100, pitch=10, first_yaw=45)
    assert [v.yaw for v in around] == [45, 135, 225, 315]
    assert all(v.pitch == 10 and v.width == 320 and v.height == 240 and v.hfov == 100 for v in around)
    cube = trackkit.cube_views(32)
    assert len(cube) == 6 and {(v.width, v.height) for v in cube} == {(32, 32)}
    assert [(v.yaw, v.pitch) for v in cube] == [(0, 0), (90, 0), (180, 0), (-90, 0), (0, 90), (0, -90)]
    e2p = trackkit.EquirectToPinhole(trackkit.PinholeView(width=8, height=6, hfov=90))
    coordinates = e2p.source_coordinates(64, 128)
    assert coordinates.shape == (1, 6, 8, 2) and coordinates.dtype == np.float32
    # The straight-ahead view samples around the equirect's centre, symmetrically.
    np.testing.assert_allclose(coordinates[0, :, :, 0].mean(), 64, atol=1e-3)
    np.testing.assert_allclose(coordinates[0, :, :, 1].mean(), 32, atol=1e-3)
    assert e2p.batch_capacity(64, 128) == 1 << 20  # the CPU's answer
    with pytest.raises(trackkit.InvalidArgumentError, match="interpolation"):
        trackkit.EquirectToPinhole(cube, interpolation="lanczos")
