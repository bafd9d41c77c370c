#!/usr/bin/env python3
"""Python references for the embedder tests: ONNX Runtime on crops made the reference way, quality figures and
scikit-learn clusterings.

    reference_embed.py OUT_DIR [--data DIR]

Writes text files (one row per line, space-separated) that tests/embedder reads:
* mot_boxes.txt: `image frame id x1 y1 x2 y2 visibility` for the MOT17 ground truth (pedestrians, consider flag 1)
  of every frame that has an image in the data, boxes that keep at least one pixel inside the frame;
  mot_osnet.txt: their OSNet embeddings (L2-normalised). Crops the way boxmot's ReID backend cuts them
  (get_crops): box truncated to integers, clamped to [0,W] x [0,H], cv2.resize(INTER_LINEAR) to 128x256,
  BGR -> RGB, /255, ImageNet mean/std; ONNX Runtime on the ONNX file.
* lfw.txt: `image pair side same` for the aligned LFW crops of faces/pairs.csv; lfw_mfn.txt: MobileFaceNet
  embeddings of those 112x112 images as they are (RGB, (x - 127.5) / 127.5).
* aligned_frames.bgr (raw uint8 frames, ALIGNED_FRAMES x 480 x 640 x 3) with aligned.txt
  `frame lx0 ly0 ... lx4 ly4 image` and aligned_matrix.txt (2x3 per row): synthetic frames in which aligned LFW faces
  are placed by known similarities (cv2.warpAffine), with landmarks = the ArcFace template moved the same way plus
  noise; the reference alignment is insightface's norm_crop (Umeyama similarity, here numpy's SVD, then
  cv2.warpAffine to 112x112, border 0); aligned_mfn.txt: MobileFaceNet embeddings of those crops.
* clusters.txt: `dataset method parameter labels...` from scikit-learn (AgglomerativeClustering with cosine
  distance and average / complete linkage, DBSCAN with cosine distance) on the embeddings above, and the
  ground-truth ids (`truth`); cluster_scores.txt: `dataset method purity ari` (scikit-learn's adjusted_rand_score).
* summary.json: the figures (ReID ROC AUC, LFW accuracy at the best threshold, clustering scores).
"""
import argparse
import csv
import json
import pathlib

import cv2
import numpy as np
import onnxruntime as ort
from sklearn.cluster import DBSCAN, AgglomerativeClustering
from sklearn.metrics import adjusted_rand_score, roc_auc_score

ARCFACE = np.array([[38.2946, 51.6963], [73.5318, 51.5014], [56.0252, 71.7366], [41.5493, 92.3655],
                    [70.7299, 92.2041]])
IMAGENET_MEAN, IMAGENET_STD = np.array([0.485, 0.456, 0.406]), np.array([0.229, 0.224, 0.225])
ALIGNED_FRAMES, ALIGNED_H, ALIGNED_W = 6, 480, 640
# Clustering thresholds (cosine distance) and DBSCAN settings per dataset.
CLUSTERING = {"mot": dict(threshold=0.35, eps=0.25, min_samples=3), "lfw": dict(threshold=0.7, eps=0.7, min_samples=2)}


def session(path):
    s = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return s, s.get_inputs()[0].name


def run(model, batch):
    s, name = model
    if s.get_inputs()[0].shape[0] == 1:  # fixed-batch export (MobileFaceNet)
        out = np.concatenate([s.run(None, {name: batch[i:i + 1]})[0] for i in range(len(batch))])
    else:
        out = np.concatenate([s.run(None, {name: batch[i:i + 64]})[0] for i in range(0, len(batch), 64)])
    return out / np.linalg.norm(out, axis=1, keepdims=True)


def boxmot_crop(img, box):
    h, w = img.shape[:2]
    x1, y1, x2, y2 = np.asarray(box).astype(int)
    x1, y1, x2, y2 = max(0, x1), max(0, y1), min(w, x2), min(h, y2)
    crop = cv2.resize(img[y1:y2, x1:x2], (128, 256), interpolation=cv2.INTER_LINEAR)
    crop = cv2.cvtColor(crop, cv2.COLOR_BGR2RGB).astype(np.float32) / 255.0
    return ((crop - IMAGENET_MEAN) / IMAGENET_STD).transpose(2, 0, 1).astype(np.float32)


def face_input(img_bgr):
    rgb = cv2.cvtColor(img_bgr, cv2.COLOR_BGR2RGB).astype(np.float32)
    return ((rgb - 127.5) / 127.5).transpose(2, 0, 1)


def umeyama(src, dst):
    """Umeyama (1991) similarity src -> dst with SVD, as skimage's SimilarityTransform.estimate does."""
    n, d = src.shape
    ms, md = src.mean(0), dst.mean(0)
    sc, dc = src - ms, dst - md
    cov = dc.T @ sc / n
    sign = np.ones(d)
    if np.linalg.det(cov) < 0:
        sign[-1] = -1
    u, s, vt = np.linalg.svd(cov)
    r = u @ np.diag(sign) @ vt
    scale = (s * sign).sum() / sc.var(0).sum()
    t = md - scale * r @ ms
    return np.hstack([scale * r, t[:, None]])


def write(path, rows, fmt="%.8g"):
    with open(path, "w") as f:
        for r in rows:
            f.write(" ".join(x if isinstance(x, str) else fmt % x for x in r) + "\n")


def mot_reference(data, osnet, out):
    rows, crops = [], []
    for seq in sorted((data / "mot/MOT17/train").glob("MOT17-*")):
        images = sorted((seq / "img1").glob("*.jpg"))
        gt = np.loadtxt(seq / "gt/gt.txt", delimiter=",")
        for image in images:
            frame = int(image.stem)
            img = cv2.imread(str(image))
            h, w = img.shape[:2]
            for g in gt[(gt[:, 0] == frame) & (gt[:, 6] == 1) & (gt[:, 7] == 1)]:
                x1, y1, x2, y2 = g[2], g[3], g[2] + g[4], g[3] + g[5]
                if min(w, int(x2)) <= max(0, int(x1)) or min(h, int(y2)) <= max(0, int(y1)):
                    continue  # no pixel inside the frame
                rows.append([str(image.relative_to(data)), frame, int(g[1]), x1, y1, x2, y2, g[8]])
                crops.append(boxmot_crop(img, (x1, y1, x2, y2)))
    emb = run(osnet, np.stack(crops))
    write(out / "mot_boxes.txt", rows)
    write(out / "mot_osnet.txt", emb)
    seqs = np.array([r[0].split("/")[3] for r in rows])
    ids = np.array([r[2] for r in rows])
    frames = np.array([r[1] for r in rows])
    scores, labels = [], []
    for s in np.unique(seqs):
        idx = np.flatnonzero(seqs == s)
        sim = emb[idx] @ emb[idx].T
        i, j = np.triu_indices(len(idx), 1)
        keep = frames[idx][i] != frames[idx][j]  # pairs across frames
        scores.append(sim[i, j][keep])
        labels.append((ids[idx][i] == ids[idx][j])[keep])
    scores, labels = np.concatenate(scores), np.concatenate(labels)
    return emb, seqs, ids, dict(crops=len(rows), pairs=int(len(labels)), same_pairs=int(labels.sum()),
                                roc_auc=float(roc_auc_score(labels, scores)))


def best_accuracy(sims, same):
    """Verification accuracy at the best threshold (sim >= t means same), over thresholds between the scores."""
    s = np.sort(sims)
    candidates = np.concatenate([[s[0] - 1], (s[1:] + s[:-1]) / 2, [s[-1] + 1]])
    acc = [((sims >= t) == same).mean() for t in candidates]
    k = int(np.argmax(acc))
    return float(acc[k]), float(candidates[k])


def lfw_reference(data, mfn, out):
    rows, inputs = [], []
    with open(data / "faces/pairs.csv") as f:
        for p, r in enumerate(csv.DictReader(f)):
            for side in (0, 1):
                rel = "faces/" + r[f"aligned_{side}"]
                rows.append([rel, p, side, int(r["same_identity"])])
                inputs.append(face_input(cv2.imread(str(data / rel))))
    emb = run(mfn, np.stack(inputs).astype(np.float32))
    write(out / "lfw.txt", rows)
    write(out / "lfw_mfn.txt", emb)
    sims = np.array([emb[2 * p] @ emb[2 * p + 1] for p in range(len(rows) // 2)])
    same = np.array([rows[2 * p][3] for p in range(len(rows) // 2)]) == 1
    acc, threshold = best_accuracy(sims, same)
    # Ground-truth identities: one per same-identity pair, one per image of a different-identity pair (the names
    # are not in the data; this assumes no person appears in two pairs).
    truth = []
    for p in range(len(rows) // 2):
        truth += [2 * p, 2 * p] if same[p] else [2 * p, 2 * p + 1]
    return emb, np.array(truth), dict(pairs=int(len(sims)), accuracy=acc, threshold=threshold)


def aligned_reference(data, mfn, out):
    rng = np.random.default_rng(9)
    faces = sorted((data / "faces/lfw_pairs").glob("*_aligned.jpg"))[: ALIGNED_FRAMES * 4]
    frames = np.full((ALIGNED_FRAMES, ALIGNED_H, ALIGNED_W, 3), 90, np.uint8)
    frames[:] = rng.integers(60, 200, frames.shape, dtype=np.uint8) // 4 + 60  # textured background
    rows, matrices, crops = [], [], []
    for k, face in enumerate(faces):
        f, slot = divmod(k, 4)
        img = cv2.imread(str(face))
        scale, angle = rng.uniform(0.8, 2.2), rng.uniform(-35, 35)
        cx, cy = 80 + 160 * slot + rng.uniform(-10, 10), rng.uniform(130, ALIGNED_H - 130)
        place = cv2.getRotationMatrix2D((56, 56), angle, scale)  # face pixels -> frame pixels, about its centre
        place[:, 2] += (cx - 56, cy - 56)
        layer = cv2.warpAffine(img, place, (ALIGNED_W, ALIGNED_H), flags=cv2.INTER_LINEAR, borderValue=0)
        mask = cv2.warpAffine(np.ones((112, 112), np.uint8), place, (ALIGNED_W, ALIGNED_H), flags=cv2.INTER_NEAREST)
        frames[f][mask > 0] = layer[mask > 0]
        lmk = ARCFACE @ place[:, :2].T + place[:, 2] + rng.normal(0, 0.7, (5, 2))
        m = umeyama(lmk, ARCFACE)
        crops.append(face_input(cv2.warpAffine(frames[f], m, (112, 112), borderValue=0.0)))
        rows.append([f, *lmk.ravel(), str(face.relative_to(data))])
        matrices.append(m.ravel())
    # Crops are cut after every face of a frame is placed (later faces do not overlap earlier crops' faces).
    crops = []
    for r, m in zip(rows, matrices):
        crops.append(face_input(cv2.warpAffine(frames[r[0]], m.reshape(2, 3), (112, 112), borderValue=0.0)))
    frames.tofile(out / "aligned_frames.bgr")
    write(out / "aligned.txt", rows)
    write(out / "aligned_matrix.txt", matrices, "%.10g")
    emb = run(mfn, np.stack(crops).astype(np.float32))
    write(out / "aligned_mfn.txt", emb)
    original = run(mfn, np.stack([face_input(cv2.imread(str(data / r[-1]))) for r in rows]).astype(np.float32))
    return dict(faces=len(rows), mean_cosine_to_original=float((emb * original).sum(1).mean()))


def purity(labels, truth):
    total = 0
    for c in np.unique(labels):
        total += np.bincount(np.unique(truth, return_inverse=True)[1][labels == c]).max()
    return total / len(labels)


def clustering_reference(datasets, out):
    rows, scores, summary = [], [], {}
    for name, (emb, truth) in datasets.items():
        cfg = CLUSTERING[name]
        rows.append([name, "truth", "0", *[str(int(t)) for t in truth]])
        for method in ("average", "complete", "dbscan"):
            if method == "dbscan":
                labels = DBSCAN(eps=cfg["eps"], min_samples=cfg["min_samples"], metric="cosine").fit_predict(emb)
                parameter = cfg["eps"]
            else:
                labels = AgglomerativeClustering(n_clusters=None, distance_threshold=cfg["threshold"],
                                                 metric="cosine", linkage=method).fit_predict(emb)
                parameter = cfg["threshold"]
            rows.append([name, method, str(parameter), *[str(int(v)) for v in labels]])
            p, ari = purity(labels, truth), adjusted_rand_score(truth, labels)
            scores.append([name, method, p, ari])
            summary[f"{name}/{method}"] = dict(parameter=parameter, clusters=int(len(set(labels) - {-1})),
                                               noise=int((labels == -1).sum()), purity=float(p), ari=float(ari))
    write(out / "clusters.txt", rows)
    write(out / "cluster_scores.txt", scores, "%.12g")
    return summary


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("out", type=pathlib.Path)
    p.add_argument("--data", type=pathlib.Path, default=pathlib.Path(__file__).resolve().parents[3] / "shared/data")
    a = p.parse_args()
    a.out.mkdir(parents=True, exist_ok=True)
    osnet = session(a.data / "models/osnet_x0_25_msmt17.onnx")
    mfn = session(a.data / "models/mobilefacenet.onnx")
    mot_emb, seqs, mot_ids, mot = mot_reference(a.data, osnet, a.out)
    lfw_emb, lfw_truth, lfw = lfw_reference(a.data, mfn, a.out)
    aligned = aligned_reference(a.data, mfn, a.out)
    big = seqs == "MOT17-04-FRCNN"  # the sequence with the most people and frames
    clusters = clustering_reference({"mot": (mot_emb[big], mot_ids[big]), "lfw": (lfw_emb, lfw_truth)}, a.out)
    summary = dict(reid=mot, lfw=lfw, aligned=aligned, clustering=clusters, onnxruntime=ort.__version__,
                   opencv=cv2.__version__)
    (a.out / "summary.json").write_text(json.dumps(summary, indent=1))
    print(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()
