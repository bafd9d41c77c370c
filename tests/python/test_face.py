"""Faces from Python (C ABI 1.1): FaceDetector against the Python references of tools/faces/reference_faces.py (each
model's upstream pipeline, <build>/face-ref) within the C++ parity test's limits, errors naming the argument, and a
FaceClusterer run over LFW photos whose result is consistent and built from the detector's own faces and
cluster_embeddings' partition (models of scripts/face-models.sh and scripts/embedder-models.sh; tests needing one
skip without it)."""
import json
import os
from pathlib import Path

import numpy as np
import pytest
from conftest import BUILD, read_image, require_file

import trackkit

MODELS = Path(os.environ.get("TRACKKIT_FACE_MODELS", BUILD / "face-models"))
REFERENCES = Path(os.environ.get("TRACKKIT_FACE_REFERENCE", BUILD / "face-ref"))
LFW = ("0_fn_0", "0_fn_1", "1_fn_0", "1_fn_1", "0_fp_0", "0_fp_1")


def model(name):
    return require_file(MODELS / f"{name}.torchscript", "scripts/face-models.sh exports it")


def mobilefacenet():
    return require_file(BUILD / "embedder-models" / "mobilefacenet.torchscript", "scripts/embedder-models.sh")


def test_abi_and_defaults():
    assert trackkit.abi_version() >= (1, 1)
    detector = trackkit.FaceDetectorConfig()
    assert (detector.device, detector.precision, detector.input_bgr) == ("auto", "fp32", True)
    assert (detector.conf_threshold, detector.iou_threshold) == (0, 0)  # the layout's thresholds
    assert (detector.max_candidates, detector.max_detections, detector.batch_size) == (30000, 300, 0)
    assert detector.updated(conf=0.4, max_det=10, input_size=320).input_width == 320
    clusterer = trackkit.FaceClustererConfig()
    assert clusterer.detector is None and clusterer.tracker is None and clusterer.link_across_frames
    assert (clusterer.cluster_method, clusterer.cluster_linkage) == ("agglomerative", "average")
    assert (clusterer.best_faces, clusterer.min_quality, clusterer.min_track_faces) == (5, 0.05, 1)
    assert 0 < clusterer.cluster_distance_threshold < 2 and clusterer.sharpness_crop == 112


def test_errors_name_the_argument():
    with pytest.raises(trackkit.NotFoundError, match="missing_face.torchscript"):
        trackkit.FaceDetector("/nonexistent/missing_face.torchscript")
    with pytest.raises(trackkit.InvalidArgumentError, match="precision"):
        trackkit.FaceDetector("x.torchscript", precision="fp8")
    with pytest.raises(trackkit.InvalidArgumentError, match="max_dets"):
        trackkit.FaceDetector("x.torchscript", max_dets=3)
    with pytest.raises(trackkit.InvalidArgumentError, match="cluster_linkage"):
        trackkit.FaceClusterer("d", "e", cluster_linkage="ward")
    with pytest.raises(trackkit.InvalidArgumentError, match=r"\(config->detector\): config->precision"):
        trackkit.FaceClusterer("d", "e", detector=trackkit.FaceDetectorConfig(precision=7))
    detector = trackkit.FaceDetector(model("yolov5n-0.5_face"), device="cpu")
    with pytest.raises(trackkit.InvalidArgumentError, match="FaceDetector::detect: frames"):
        detector.detect(np.zeros((1, 64, 64, 3), np.float32))
    with pytest.raises(trackkit.InvalidArgumentError, match="FaceDetector::detect: frames"):
        detector.detect(np.zeros((1, 64, 64, 4), np.uint8))
    yolo = BUILD / "detector-models" / "yolov5n.torchscript"
    if yolo.exists():
        with pytest.raises(trackkit.ModelError, match="is not a face detector"):
            trackkit.FaceDetector(yolo, device="cpu")


def paired(reference, boxes, landmarks):
    """Each reference face with our face of the highest IoU (>= 0.5): the largest coordinate and score differences
    (inf when a face has no partner)."""
    ref_boxes = np.asarray(reference["boxes"], np.float64).reshape(-1, 5)
    ref_marks = np.asarray(reference["landmarks"], np.float64).reshape(-1, 10)
    ours = np.asarray(boxes, np.float64)
    if len(ref_boxes) != len(ours):
        return np.inf, np.inf
    lo = np.maximum(ref_boxes[:, None, :2], ours[None, :, :2])
    inter = np.clip(np.minimum(ref_boxes[:, None, 2:4], ours[None, :, 2:4]) - lo, 0, None).prod(2)
    area = lambda b: (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])  # noqa: E731
    iou = inter / (area(ref_boxes)[:, None] + area(ours)[None, :] - inter)
    best = iou.argmax(1)
    if (iou.max(1) < 0.5).any() or len(set(best.tolist())) != len(best):
        return np.inf, np.inf
    marks = np.asarray(landmarks, np.float64).reshape(-1, 10)[best]
    coordinate = max(np.abs(ref_boxes[:, :4] - ours[best, :4]).max(initial=0),
                     np.abs(ref_marks - marks).max(initial=0))
    return coordinate, np.abs(ref_boxes[:, 4] - ours[best, 4]).max(initial=0)


@pytest.mark.parametrize("name", ["yolov5n-0.5_face", "retinaface_mobilenet0.25"])
def test_faces_equal_the_python_references(name, data, tmp_path):
    path = model(name)
    reference = json.loads(require_file(REFERENCES / f"{name}.json", "scripts/face-models.sh").read_text())
    s = reference["settings"]
    detector = trackkit.FaceDetector(path, device="cpu", conf=s["conf_threshold"], iou=s["iou_threshold"],
                                     max_det=s["max_detections"], max_candidates=s.get("max_candidates", 30000))
    for image in ("images/zidane.jpg", "images/bus.jpg"):
        frame = read_image(tmp_path, require_file(data / image, "shared data"))
        (boxes, landmarks), = detector.detect(frame)
        assert boxes.shape[1] == 5 and landmarks.shape[1:] == (5, 2) and boxes.dtype == np.float32
        coordinate, score = paired(reference["images"][image], boxes, landmarks)
        print(f"{name} {image}: {len(boxes)} faces, max |coordinate| {coordinate:.4f} px, max |score| {score:.2e}")
        assert coordinate <= 0.5 and score <= 1e-3  # tests/face/test_face_parity.cpp's limits
    assert len(boxes) >= 1
    # The padded batch: the same rows, zeros past the count; a torch input gives torch outputs.
    faces, counts = detector.detect(np.stack([frame, frame]), raw=True)
    assert faces.shape == (2, s["max_detections"], 15) and counts.tolist() == [len(boxes)] * 2
    np.testing.assert_array_equal(faces[1, :len(boxes), :5], boxes)
    np.testing.assert_array_equal(faces[0, :len(boxes), 5:].reshape(-1, 5, 2), landmarks)
    assert not faces[:, len(boxes):].any()
    torch = pytest.importorskip("torch")
    (from_torch, _), = detector.detect(torch.from_numpy(frame))
    assert isinstance(from_torch, torch.Tensor)
    np.testing.assert_array_equal(from_torch.numpy(), boxes)


def test_clustering_lfw_photos_is_consistent(data, tmp_path):
    detector_path, embedder_path = model("yolov5n-0.5_face"), mobilefacenet()
    frames = np.stack([read_image(tmp_path, require_file(data / "faces" / "lfw_pairs" / f"{n}.jpg", "shared data"))
                       for n in LFW])
    config = trackkit.FaceClustererConfig(detector=trackkit.FaceDetectorConfig(device="cpu"), link_across_frames=False)
    clusterer = trackkit.FaceClusterer(detector_path, embedder_path, config)
    with pytest.raises(trackkit.InvalidArgumentError, match="no input begun"):
        clusterer.add_frames(frames)
    clusterer.begin_input("lfw", fps=2)
    with pytest.raises(trackkit.InvalidArgumentError, match="is not finished"):
        clusterer.begin_input("other")
    clusterer.add_frames(frames[:4])
    clusterer.add_frames(frames[4])  # one frame, no batch axis
    clusterer.add_frames(frames[5:])
    result = clusterer.finish_input()
    assert (result.input, result.frames, result.fps) == ("lfw", len(LFW), 2.0)
    assert len(result.tracks) >= len(LFW) and 1 <= len(result.identities) <= len(result.tracks)
    assert clusterer.faces_detected >= len(result.tracks) and clusterer.faces_embedded >= len(result.tracks)
    # Every track in exactly one identity, which it names; identities in order, each represented by its best face.
    members = sorted(t for identity in result.identities for t in identity.tracks)
    assert members == list(range(len(result.tracks)))
    for i, identity in enumerate(result.identities):
        assert identity.id == i and all(result.tracks[t].identity == i for t in identity.tracks)
        assert identity.representative_track in identity.tracks
        best, representative = result.tracks[identity.representative_track].best[0], identity.representative
        assert (representative.frame, representative.quality) == (best.frame, best.quality)
        np.testing.assert_array_equal(representative.box, best.box)
        assert all(result.tracks[t].best[0].quality <= identity.representative.quality for t in identity.tracks)
    # Unlinked photos: one face a track, found by the face detector in that frame with its score and landmarks.
    found = trackkit.FaceDetector(detector_path, device="cpu").detect(frames)
    for track in result.tracks:
        assert track.first_frame == track.last_frame and track.faces_seen == 1 and len(track.best) == 1
        face = track.best[0]
        assert face.frame == track.first_frame and face.time == face.frame / 2 and 0.05 < face.quality <= 1
        boxes, landmarks = found[face.frame]
        match = np.abs(boxes[:, :4] - face.box).max(1).argmin()
        np.testing.assert_allclose(boxes[match], [*face.box, face.score], atol=1e-4)
        np.testing.assert_allclose(landmarks[match], face.landmarks, atol=1e-4)
        assert track.embedding.dtype == np.float32 and abs(np.linalg.norm(track.embedding) - 1) < 1e-4
        assert track.best_crops.shape == (1, 112, 112, 3) and track.best_crops.dtype == np.uint8
    # The identities are cluster_embeddings' partition of the track embeddings, with the config's settings.
    labels = trackkit.cluster_embeddings(np.stack([t.embedding for t in result.tracks]),
                                         distance_threshold=config.cluster_distance_threshold)
    by_label = {}
    for t, label in enumerate(labels.tolist()):
        by_label.setdefault(label, []).append(t)
    assert sorted(by_label.values()) == sorted(identity.tracks for identity in result.identities)
