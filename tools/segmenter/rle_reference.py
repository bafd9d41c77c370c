#!/usr/bin/env python3
"""pycocotools reference for trackkit's COCO RLE and mask IoU (tests/segmenter/test_rle.cpp).

    build/segvenv/bin/python tools/segmenter/rle_reference.py OUT_DIR [--seed 0]

Masks: seeded random shapes (ellipses, rectangles, salt noise) plus edge cases (empty, full, first pixel set, last
pixel set, one column, checkerboard) on a 37x53 grid (odd sizes, so row/column-major mix-ups show). Writes
  OUT_DIR/masks.npy   uint8 [N,37,53]
  OUT_DIR/rle.txt     one line a mask: area, then pycocotools' compressed counts string
  OUT_DIR/iou.npy     float64 [N,N] pycocotools.mask.iou(rles, rles, iscrowd=0)
"""
import argparse
from pathlib import Path

import numpy as np
from pycocotools import mask as mask_utils

H, W = 37, 53


def masks(seed):
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[:H, :W]
    out = [np.zeros((H, W), bool), np.ones((H, W), bool)]
    first = np.zeros((H, W), bool)
    first[0, 0] = True
    last = np.zeros((H, W), bool)
    last[-1, -1] = True
    column = np.zeros((H, W), bool)
    column[:, 7] = True
    out += [first, last, column, (yy + xx) % 2 == 0]
    for _ in range(24):
        cy, cx, ry, rx = rng.uniform(0, H), rng.uniform(0, W), rng.uniform(2, H / 2), rng.uniform(2, W / 2)
        m = ((yy - cy) / ry) ** 2 + ((xx - cx) / rx) ** 2 < 1
        y0, x0 = rng.integers(0, H), rng.integers(0, W)
        m |= (yy >= y0) & (yy < y0 + rng.integers(1, 12)) & (xx >= x0) & (xx < x0 + rng.integers(1, 20))
        m ^= rng.random((H, W)) < 0.03
        out.append(m)
    return np.stack(out).astype(np.uint8)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", type=Path)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    m = masks(args.seed)
    rles = mask_utils.encode(np.asfortranarray(m.transpose(1, 2, 0)))
    np.save(args.out / "masks.npy", m)
    lines = [f"{int(mask_utils.area(r))} {r['counts'].decode()}" for r in rles]
    (args.out / "rle.txt").write_text("\n".join(lines) + "\n")
    np.save(args.out / "iou.npy", np.asarray(mask_utils.iou(rles, rles, [0] * len(rles)), dtype=np.float64))
    print(f"rle reference: {len(m)} masks {H}x{W} -> {args.out}")


if __name__ == "__main__":
    main()
