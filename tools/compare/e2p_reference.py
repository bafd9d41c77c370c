#!/usr/bin/env python3
"""py360convert's e2p outputs for tests/e2p (PSNR against trackkit's EquirectToPinhole).

    python e2p_reference.py DATA OUTDIR

Writes OUTDIR/manifest.txt and raw uint8 files (H x W x 3, the colour order PIL decodes): the equirect inputs, the
shipped reference JPEG decoded, and py360convert 1.0.4's e2p output for each case. Lines of the manifest:
    image <name> <height> <width> <file>
    case <name> <image> <mode> <yaw> <pitch> <roll> <fx> <fy> <height> <width> <file> <sampler>
in trackkit's parameters: py360convert's u_deg / v_deg / in_rot_deg are trackkit's yaw / pitch / roll with the same
signs, and its field of view spans the first to the last pixel *centre* (np.linspace(-tan, tan, n)), so its
focal length in pixels is (n - 1) / (2 tan(fov / 2)) (trackkit's fov spans pixel edges: n / (2 tan(fov / 2))).

Samplers: 'scipy' = py360convert without OpenCV (scipy.ndimage.map_coordinates: exact bilinear / nearest on float
coordinates); 'cv2' = py360convert with OpenCV (cv2.remap on maps quantised to 1/32 pixel; its only bicubic).
"""
import math
import sys
from pathlib import Path

import numpy as np
import py360convert
import py360convert.utils as p360utils
from PIL import Image

try:
    import cv2
except ImportError:  # the bicubic and cv2 cases need it
    cv2 = None


def focal(n, fov_deg):
    return (n - 1) / (2 * math.tan(math.radians(fov_deg) / 2))


def e2p(image, yaw, pitch, roll, fov, out_hw, mode, sampler):
    p360utils.cv2 = cv2 if sampler == "cv2" else None
    p360utils.EquirecSampler.from_perspective.cache_clear()
    return py360convert.e2p(image, fov_deg=fov, u_deg=yaw, v_deg=pitch, out_hw=out_hw, in_rot_deg=roll, mode=mode)


def cases():
    """(name, image, mode, yaw, pitch, roll, (hfov, vfov), (h, w), sampler)"""
    out = []
    # The grid: seam (yaw 180), poles (pitch +-90), rolls, square and wide fields of view.
    for yaw in (0, 180, -100):
        for pitch in (0, 60, 90, -90):
            for roll in (0, 45):
                for fov in ((90, 90), (120, 80)):
                    name = f"grid_y{yaw}_p{pitch}_r{roll}_f{fov[0]}x{fov[1]}"
                    out.append((name, "room", "bilinear", yaw, pitch, roll, fov, (120, 160), "scipy"))
    # Larger views of the real 2K panorama and the labelled synthetic one.
    named = [
        ("seam", 180, 0, 0, (100, 80)), ("seam_roll", 179.5, 10, -30, (90, 90)), ("north_pole", 0, 90, 0, (100, 100)),
        ("south_pole_roll", 30, -90, 30, (100, 100)), ("near_pole_wide", -45, 75, 0, (150, 120)),
        ("seam_pole", 180, 80, 15, (110, 90)), ("front", 10, 5, 0, (70, 50)),
    ]
    for image in ("andes", "demo"):
        for name, yaw, pitch, roll, fov in named:
            out.append((f"{image}_{name}", image, "bilinear", yaw, pitch, roll, fov, (240, 320), "scipy"))
    for name, yaw, pitch, roll, fov in named[:4]:
        out.append((f"nearest_{name}", "andes", "nearest", yaw, pitch, roll, fov, (240, 320), "scipy"))
    if cv2 is not None:
        # py360convert's bicubic is OpenCV's: away from the poles (it pads one row there and then reads zeros).
        for name, yaw, pitch, roll, fov in (named[0], named[1], named[6], ("tilted", -120, 40, 20, (90, 90))):
            out.append((f"bicubic_{name}", "andes", "bicubic", yaw, pitch, roll, fov, (240, 320), "cv2"))
            out.append((f"cv2_bilinear_{name}", "andes", "bilinear", yaw, pitch, roll, fov, (240, 320), "cv2"))
    return out


def main():
    data, outdir = Path(sys.argv[1]) / "equirect", Path(sys.argv[2])
    outdir.mkdir(parents=True, exist_ok=True)
    images = {
        "room": np.asarray(Image.open(data / "py360_room_1024x512.jpg").convert("RGB")),
        "demo": np.asarray(Image.open(data / "py360_demo_equirec_1024x512.png").convert("RGB")),
        "andes": np.asarray(Image.open(data / "gvr_andes_stereo_tb.jpg").convert("RGB"))[:1024],  # top eye
        "room_e2p_jpeg": np.asarray(Image.open(data / "py360_room_e2p_fov120_u-90_v30_rot90_512.jpg").convert("RGB")),
        "test_room": np.asarray(Image.open(data / "gvr_testRoom1_2kMono.jpg").convert("RGB")),
    }
    lines = []
    for name, image in images.items():
        image = np.ascontiguousarray(image)
        image.tofile(outdir / f"{name}.u8")
        lines.append(f"image {name} {image.shape[0]} {image.shape[1]} {name}.u8")
    for name, image, mode, yaw, pitch, roll, fov, (h, w), sampler in cases():
        view = np.ascontiguousarray(e2p(images[image], yaw, pitch, roll, fov, (h, w), mode, sampler))
        assert view.dtype == np.uint8 and view.shape == (h, w, 3), (name, view.dtype, view.shape)
        view.tofile(outdir / f"{name}.u8")
        lines.append(f"case {name} {image} {mode} {yaw} {pitch} {roll} {focal(w, fov[0]):.12g} "
                     f"{focal(h, fov[1]):.12g} {h} {w} {name}.u8 {sampler}")
    # The shipped JPEG: its name says u -90, but py360convert's e2p (0.1.0 as 1.0.4) reproduces it with u_deg = +90
    # (39.97 dB; u_deg = -90 gives 14.4 dB): the view looks at longitude +90 (right of the centre column).
    for u in (90, -90):
        now = e2p(images["room"], u, 30, 90, (120, 120), (512, 512), "bilinear", "scipy")
        diff = now.astype(float) - images["room_e2p_jpeg"].astype(float)
        print(f"py360convert e2p(u_deg={u}, v_deg=30, in_rot_deg=90, fov 120) vs the shipped JPEG: "
              f"PSNR {10 * math.log10(255 ** 2 / np.mean(diff ** 2)):.2f} dB")
        if u == 90:
            now.tofile(outdir / "room_e2p_now.u8")
            lines.append(f"case room_e2p_now room bilinear 90 30 90 {focal(512, 120):.12g} {focal(512, 120):.12g} "
                         f"512 512 room_e2p_now.u8 scipy")
    (outdir / "manifest.txt").write_text("\n".join(lines) + "\n")
    print(f"e2p references: {len(lines)} entries in {outdir}")


if __name__ == "__main__":
    main()
