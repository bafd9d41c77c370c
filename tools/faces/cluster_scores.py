#!/usr/bin/env python3
"""Pairwise identity-clustering scores of face_cluster's output on labelled LFW pairs (issue 20, accuracy).

Run face_cluster on a folder holding the raw LFW pair images (N_fn_*.jpg, N_fp_*.jpg; symlinks are fine), then:

    python3 tools/faces/cluster_scores.py OUT/identities.json ../shared/data/faces/pairs.csv

Each image's identity is the identity of its face whose box centre is nearest the image centre (LFW centres its
subject); an image none of whose faces is in an identity (not detected, or below face_cluster's quality floor) has
none. Over the labelled pairs of pairs.csv (same_identity 1 or 0):
  - a same pair is a true positive when both images have the same identity, else a false negative (a missing face
    counts against recall);
  - a different pair is a false positive when both images have the same identity, else a true negative;
precision = TP / (TP + FP), recall = TP / (TP + FN), F1 their harmonic mean. Standard library only.
"""
import argparse
import csv
import json
import os
import sys


def image_identities(input_entry):
    """{file name: identity id or None} for an image-folder input of identities.json."""
    images = input_entry.get("images")
    if images is None:
        sys.exit("cluster_scores: input %r is not an image folder (no \"images\" list)" % input_entry["input"])
    nearest = {}  # frame -> (squared distance of the box centre to the image centre, identity id)
    for identity in input_entry["identities"]:
        for track in identity["tracks"]:
            for face in track["faces"]:
                image = images[face["frame"]]
                x1, y1, x2, y2 = face["box"]
                dx = (x1 + x2) / 2 - image["width"] / 2
                dy = (y1 + y2) / 2 - image["height"] / 2
                candidate = (dx * dx + dy * dy, identity["id"])
                if face["frame"] not in nearest or candidate < nearest[face["frame"]]:
                    nearest[face["frame"]] = candidate
    return {image["file"]: (nearest[k][1] if k in nearest else None) for k, image in enumerate(images)}


def pair_scores(identity_of, pairs):
    """TP, FP, FN, TN and the pairs naming an image the input does not have."""
    tp = fp = fn = tn = unknown = 0
    for image_0, image_1, same in pairs:
        if image_0 not in identity_of or image_1 not in identity_of:
            unknown += 1
            continue
        a, b = identity_of[image_0], identity_of[image_1]
        together = a is not None and a == b
        if same:
            tp, fn = tp + together, fn + (not together)
        else:
            fp, tn = fp + together, tn + (not together)
    return tp, fp, fn, tn, unknown


def read_pairs(path):
    with open(path, newline="") as f:
        return [(os.path.basename(row["image_0"]), os.path.basename(row["image_1"]), row["same_identity"] == "1")
                for row in csv.DictReader(f)]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("identities", help="face_cluster's identities.json")
    parser.add_argument("pairs", help="pairs.csv (pair,image_0,image_1,aligned_0,aligned_1,same_identity)")
    parser.add_argument("--input", type=int, default=0, help="which input of identities.json (default 0)")
    args = parser.parse_args()
    with open(args.identities) as f:
        doc = json.load(f)
    entry = doc["inputs"][args.input]
    identity_of = image_identities(entry)
    tp, fp, fn, tn, unknown = pair_scores(identity_of, read_pairs(args.pairs))
    if unknown:
        sys.exit("cluster_scores: %d pairs name images that %s does not hold" % (unknown, entry["input"]))
    precision = tp / (tp + fp) if tp + fp else float("nan")
    recall = tp / (tp + fn) if tp + fn else float("nan")
    f1 = 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0
    without = sum(1 for v in identity_of.values() if v is None)
    print("%s: %d images (%d without an identity), %d identities" %
          (entry["input"], len(identity_of), without, len(entry["identities"])))
    print("pairs: %d same (%d together, %d apart), %d different (%d together, %d apart)" %
          (tp + fn, tp, fn, fp + tn, fp, tn))
    print("pairwise precision %.4f  recall %.4f  F1 %.4f" % (precision, recall, f1))


if __name__ == "__main__":
    main()
