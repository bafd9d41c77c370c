"""Embedder, clustering, Segmenter and the COCO RLE utilities from Python (models of scripts/embedder-models.sh and
scripts/segmenter-models.sh in the build tree; tests needing one skip without it)."""
import numpy as np
import pytest
from conftest import BUILD, mot17_sequence, require_file

import trackkit


def gt_people(data, number, frames):
    """Frames of a MOT17 sequence and their visible ground-truth people: (frames, rows [N,7] frame,id,x1,y1,x2,y2)."""
    sequence = mot17_sequence(data, number)
    with trackkit.FrameReader(sequence, max_frames=frames) as reader:
        images = np.concatenate(list(reader))
    gt = trackkit.mot.read(sequence / "gt" / "gt.txt")
    gt = gt[(gt[:, 0] < frames) & (gt[:, 6] > 0) & (gt[:, 7] == 1) & (gt[:, 8] > 0.5) & (gt[:, 5] > 80)]
    rows = np.column_stack([gt[:, 0], gt[:, 1], gt[:, 2], gt[:, 3], gt[:, 2] + gt[:, 4], gt[:, 3] + gt[:, 5]])
    return images, rows


def test_osnet_tells_people_apart_and_crops_are_what_it_embeds(data):
    model = require_file(BUILD / "embedder-models" / "osnet_x0_25_msmt17.torchscript", "scripts/embedder-models.sh")
    embedder = trackkit.Embedder(model, device="cpu")
    assert embedder.dim == 512
    frames, people = gt_people(data, "09", 2)
    boxes = np.column_stack([people[:, 0], people[:, 2:6]]).astype(np.float32)
    embeddings = embedder.embed(frames, boxes)
    assert embeddings.shape == (len(boxes), 512) and embeddings.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(embeddings, axis=1), 1, atol=1e-5)
    # The same person in two frames is closer than two different people (SOURCES.md: ~0.94 against ~0.4).
    first, second = people[:, 0] == 0, people[:, 0] == 1
    cosine = embeddings[first] @ embeddings[second].T
    same = people[first, 1][:, None] == people[second, 1][None, :]
    assert same.sum() >= 3 and cosine[same].mean() > cosine[~same].mean() + 0.2
    crops = embedder.crop_boxes(frames, boxes)
    assert crops.shape == (len(boxes), 3, 256, 128)
    np.testing.assert_allclose(embedder.embed_crops(crops), embeddings, atol=1e-5)
    assert embedder.embed(frames, np.zeros((0, 5), np.float32)).shape == (0, 512)
    with pytest.raises(trackkit.InvalidArgumentError, match="boxes"):
        embedder.embed(frames, boxes[:, :4])


def test_clusters_of_separated_groups_score_perfectly():
    rng = np.random.default_rng(8)
    centres = np.eye(3, 16)
    truth = np.repeat(np.arange(3), 5)
    points = centres[truth] + rng.normal(0, 0.02, (15, 16))
    points /= np.linalg.norm(points, axis=1, keepdims=True)
    order = rng.permutation(15)
    labels = trackkit.cluster_embeddings(points[order].astype(np.float32), distance_threshold=0.5)
    assert labels.dtype == np.int64 and labels[0] == 0 and len(set(labels.tolist())) == 3
    assert trackkit.score_clusters(labels, truth[order]) == pytest.approx((1.0, 1.0))
    density = trackkit.cluster_embeddings(points[order], method="density", eps=0.1, min_samples=3)
    assert trackkit.score_clusters(density, truth[order]) == pytest.approx((1.0, 1.0))


def coco_string(counts):
    """pycocotools' rleToString, transcribed (LEB128-like 5-bit groups, counts after the 3rd as deltas)."""
    out = []
    for i, value in enumerate(int(c) for c in counts):
        x = value - int(counts[i - 2]) if i > 2 else value
        more = True
        while more:
            c = x & 0x1F
            x >>= 5
            more = x != -1 if c & 0x10 else x != 0
            out.append(chr((c | 0x20 if more else c) + 48))
    return "".join(out)


def column_runs(mask):
    """COCO run lengths of a mask: column-major, starting with a (possibly empty) run of zeros."""
    flat = mask.T.reshape(-1).astype(np.int8)
    changes = np.flatnonzero(np.diff(flat)) + 1
    runs = np.diff(np.concatenate([[0], changes, [flat.size]]))
    return ([0] if flat[0] else []) + runs.tolist()


def test_rle_matches_cocos_definition():
    rng = np.random.default_rng(9)
    masks = np.zeros((3, 20, 30), bool)
    masks[0, 3:9, 4:20] = True
    masks[1] = rng.uniform(size=(20, 30)) > 0.7
    masks[2, 0, 0] = True
    counts, offsets = trackkit.rle_encode(masks)
    assert offsets[0] == 0 and offsets[-1] == len(counts)
    for i, mask in enumerate(masks):
        runs = counts[offsets[i]:offsets[i + 1]]
        assert runs.tolist() == column_runs(mask)
        text = trackkit.rle_to_string(runs)
        assert text == coco_string(runs)
        np.testing.assert_array_equal(trackkit.rle_decode_string(text, 20, 30), mask)
    iou = trackkit.mask_iou(masks, masks[:2])
    inter = (masks[:, None] & masks[None, :2]).sum((2, 3))
    union = (masks[:, None] | masks[None, :2]).sum((2, 3))
    np.testing.assert_allclose(iou, inter / union, rtol=1e-12)


def test_segmenter_decodes_what_it_segments(data):
    models = BUILD / "segmenter-models"
    encoder = require_file(models / "mobile_sam.encoder.pt", "scripts/segmenter-models.sh")
    decoder = require_file(models / "mobile_sam.decoder.pt", "scripts/segmenter-models.sh")
    segmenter = trackkit.Segmenter(encoder, decoder, device="cpu", mask_boxes=True)
    frames, people = gt_people(data, "05", 1)
    boxes = np.column_stack([people[:3, 0], people[:3, 2:6]]).astype(np.float32)
    out = segmenter.segment(frames, boxes)
    n = len(boxes)
    assert out["masks"].shape == (n, 1, 480, 640) and out["masks"].dtype == np.bool_
    assert out["low_res"].shape == (n, 1, 256, 256) and out["scores"].shape == (n, 1)
    assert out["boxes"].shape == (n, 5) and out["mask_boxes"].shape == (n, 1, 4)
    again = segmenter.decode(segmenter.encode(frames), boxes)
    for key in ("masks", "low_res", "scores", "mask_boxes"):
        np.testing.assert_array_equal(again[key], out[key])
    with pytest.raises(trackkit.InvalidArgumentError, match="boxes"):
        segmenter.segment(frames, boxes[:, 1:])
