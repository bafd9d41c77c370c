"""8K equirectangular JPEGs for split360's end-to-end figures: the top eye (2048x1024) of the shared
gvr_andes_stereo_tb.jpg upscaled to 7680x3840 (bicubic), turned by k x 45 degrees for k = 0..7, repeated to N files.

  python3 tools/e2p/make_8k_frames.py SOURCE.jpg OUTDIR N
"""
import shutil
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from PIL import Image

WIDTH, HEIGHT = 7680, 3840


def make(args):
    source, out, k = args
    image = Image.open(source).crop((0, 0, 2048, 1024)).resize((WIDTH, HEIGHT), Image.BICUBIC)
    shift = WIDTH // 8 * k  # a turn of k x 45 degrees is a cyclic shift of the columns
    turned = Image.new("RGB", image.size)
    turned.paste(image.crop((shift, 0, WIDTH, HEIGHT)), (0, 0))
    turned.paste(image.crop((0, 0, shift, HEIGHT)), (WIDTH - shift, 0))
    turned.save(out / f"u{k}.jpg", quality=90)


def main():
    source, out, n = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
    out.mkdir(parents=True, exist_ok=True)
    with ProcessPoolExecutor(8) as pool:
        list(pool.map(make, [(source, out, k) for k in range(8)]))
    for i in range(n):
        shutil.copy(out / f"u{i % 8}.jpg", out / f"frame_{i:05d}.jpg")
    for k in range(8):
        (out / f"u{k}.jpg").unlink()
    print(f"{n} 8K JPEGs ({(out / 'frame_00000.jpg').stat().st_size / 1e6:.1f} MB each)")


if __name__ == "__main__":
    main()
