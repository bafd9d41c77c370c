"""What the face exports and references share: trackkit's letterbox arithmetic, the inverse mapping of boxes and
landmarks, and the image set.

Letterbox (include/trackkit/letterbox.hpp, src/ops/letterbox.cpp): r = min(640/H, 640/W) (upscaling allowed), the
frame resized to (max(round(W*r),1), max(round(H*r),1)) with cv2.resize INTER_LINEAR on uint8 (trackkit's CPU and
CUDA kernels reproduce it bit for bit), padding dw = (640 - new_w) / 2, left = round(dw - 0.1), right =
round(dw + 0.1) (Python's round: halves to even), the same for top / bottom, filled with pad_value.
Inverse (trackkit's BoxScaling::PerAxis, which src/face uses): x = (x' - left) / (new_w / W), y = (y' - top) /
(new_h / H); boxes clipped to [0, W] x [0, H], landmarks not clipped.
"""
import hashlib
import pathlib

import cv2
import numpy as np

INPUT_SIZE = 640


def letterbox_geometry(height, width, size=INPUT_SIZE):
    r = min(size / height, size / width)
    new_w, new_h = max(round(width * r), 1), max(round(height * r), 1)
    dw, dh = (size - new_w) / 2, (size - new_h) / 2
    top, left = round(dh - 0.1), round(dw - 0.1)
    return {"gain": r, "new_w": new_w, "new_h": new_h, "top": top, "left": left,
            "bottom": round(dh + 0.1), "right": round(dw + 0.1), "height": height, "width": width}


def letterbox(bgr, pad_bgr, size=INPUT_SIZE):
    """uint8 HxWx3 BGR frame -> (uint8 size x size x 3 BGR model input, geometry). pad_bgr: the fill per BGR
    channel."""
    g = letterbox_geometry(bgr.shape[0], bgr.shape[1], size)
    resized = cv2.resize(bgr, (g["new_w"], g["new_h"]), interpolation=cv2.INTER_LINEAR)
    out = cv2.copyMakeBorder(resized, g["top"], g["bottom"], g["left"], g["right"], cv2.BORDER_CONSTANT,
                             value=tuple(float(v) for v in pad_bgr))
    assert out.shape[:2] == (size, size), out.shape
    return out, g


def unletterbox(boxes, landmarks, g):
    """boxes [N,4] x1,y1,x2,y2 and landmarks [N,5,2] in model-input pixels -> frame pixels (float64)."""
    gain = np.array([g["new_w"] / g["width"], g["new_h"] / g["height"]])
    pad = np.array([g["left"], g["top"]], dtype=np.float64)
    boxes = ((np.asarray(boxes, np.float64).reshape(-1, 2, 2) - pad) / gain).reshape(-1, 4)
    boxes[:, 0::2] = boxes[:, 0::2].clip(0, g["width"])
    boxes[:, 1::2] = boxes[:, 1::2].clip(0, g["height"])
    landmarks = (np.asarray(landmarks, np.float64).reshape(-1, 5, 2) - pad) / gain
    return boxes, landmarks


# Group photos with many faces, from a PyPI package's sample data: the yolov5-face 0.0.2 sdist (the
# deepcam-cn/yolov5-face repository's sample images; package licence GPL-3.0, the images carry no licence of
# their own: test use only, extracted into the build tree, never committed). Pinned by sha256.
GROUP_PACKAGE = "yolov5-face==0.0.2"
GROUP_ARCHIVE = "yolov5_face-0.0.2.tar.gz"
GROUP_PHOTOS = {
    "group/yolov5face_test.jpg": {
        "member": "yolov5_face-0.0.2/data/images/test.jpg",
        "sha256": "5541c02b4654991569cde0caddd39feddac99a24a96818af55c533fced4b16b4",
        "what": "'World's Largest Selfie' crowd, 2048x1150, hundreds of small faces",
    },
    "group/yolov5face_sample.jpg": {
        "member": "yolov5_face-0.0.2/torch2trt/sample.jpg",
        "sha256": "1949b61252f4283a3b5d0cb5897a87ffa69672e5a20cc08a2141fa9b260fcd10",
        "what": "eight children, 1024x768, medium-size faces",
    },
}


def group_sources():
    return {name: {"package": GROUP_PACKAGE + " (PyPI sdist " + GROUP_ARCHIVE + ")", "file": p["member"],
                   "sha256": p["sha256"], "licence": "package GPL-3.0; no licence of the image itself",
                   "what": p["what"]} for name, p in GROUP_PHOTOS.items()}


def sha256(path):
    return hashlib.sha256(pathlib.Path(path).read_bytes()).hexdigest()


def image_set(data, ref_dir):
    """{relative name: path}: the raw LFW images (not *_aligned), bus.jpg, zidane.jpg (names relative to the data
    folder) and the group photos (relative to the reference folder, where reference_faces.py extracts them)."""
    data, ref_dir = pathlib.Path(data), pathlib.Path(ref_dir)
    lfw = sorted(p for p in (data / "faces" / "lfw_pairs").glob("*.jpg") if not p.stem.endswith("_aligned"))
    names = {p.relative_to(data).as_posix(): p for p in lfw}
    for name in ("images/bus.jpg", "images/zidane.jpg"):
        names[name] = data / name
    for name in GROUP_PHOTOS:
        names[name] = ref_dir / name
    return names


def read_bgr(path):
    image = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if image is None:
        raise FileNotFoundError(f"cannot read image {path}")
    return image
