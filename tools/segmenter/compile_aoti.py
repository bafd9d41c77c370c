#!/usr/bin/env python3
"""Compile SAM-family models into trackkit's encoder + decoder AOTInductor packages for the GPU this runs on.

    python3 tools/segmenter/compile_aoti.py OUT_DIR [--models vit_t] [--precisions fp16] [--roles encoder,decoder]
                                            [--seed 0] [--checkpoint-vit_t FILE ...]

Writes OUT_DIR/<name>.<precision>.encoder.pt2 and .decoder.pt2: the same two functions as export_sam.py's
TorchScript pair (same inputs, outputs, metadata and pair id for the same weights), exported with torch.export and
compiled by TorchInductor (fused elementwise kernels, Triton / cuBLAS / cuDNN chosen ahead of time). The C++
Segmenter loads a path ending in ".pt2" as such a package (docs/segmenter.md). A package runs only on the GPU
architecture, precision and torch version it was compiled with, so compile on the machine that runs it (CUDA; a
few minutes a model). Roles can be compiled in separate processes at once (--roles encoder / --roles decoder).

Dynamic sizes are bounded so that every kernel indexes in 32 bits: at most MAX_FRAMES frames an encoder call
(trackkit splits larger batches) and MAX_BOXES boxes over at most DECODER_MAX_FRAMES frames a decoder call; the
bounds go into the metadata, which trackkit reads.
"""
import argparse
import json
import sys
import time
import warnings
from pathlib import Path

import torch

import export_sam
from box_decoder import BoxDecoder, attend_sdpa

warnings.filterwarnings("ignore")

MAX_FRAMES = 64           # TinyViT's largest activation: 256 channels x 256 x 256 a frame (2^24)
MAX_BOXES = 1000          # the decoder's largest per-box tensor: 32 x 256 x 256 upscaled features (2^21)
DECODER_MAX_FRAMES = 1024  # the embeddings: 256 x 64 x 64 a frame (2^20)
DTYPES = {"fp32": torch.float32, "fp16": torch.float16, "bf16": torch.bfloat16}


def compile_role(role, module, example, dynamic, meta, path):
    from torch.export import export
    start = time.time()
    program = export(module, example, dynamic_shapes=dynamic)
    files = {"segmenter.json": json.dumps(dict(meta, role=role)), "trackkit.precision": meta["precision"]}
    # Freezing lets Inductor fold the weights into the graph (TinyViT's BatchNorms into its convolutions).
    try:
        torch._inductor.aoti_compile_and_package(program, package_path=str(path),
                                                 inductor_configs={"aot_inductor.metadata": files, "freezing": True})
    except Exception as e:  # noqa: BLE001 - any failure of the frozen compile: the plain one
        print(f"{path.name}: compiling with freezing failed ({str(e).splitlines()[0]}), compiling without", flush=True)
        torch._inductor.aoti_compile_and_package(program, package_path=str(path),
                                                 inductor_configs={"aot_inductor.metadata": files})
    print(f"{path.name}: compiled in {time.time() - start:.0f} s", flush=True)


def compile_model(variant, out, checkpoint, seed, precision, roles):
    from torch.export import Dim
    sam = export_sam.build(variant, checkpoint, seed)  # the package's own modules: Inductor does the fusing
    name, meta = export_sam.describe(sam, variant, checkpoint, seed)
    dtype = DTYPES[precision]
    meta.update(precision=precision, backend="aotinductor", gpu_kernels="TorchInductor",
                compiled_on=torch.cuda.get_device_name(), torch=torch.__version__, max_frames=MAX_FRAMES,
                max_boxes=MAX_BOXES)
    size = meta.get("encoder_input_size", export_sam.SIZE)
    # Both wrappers are built on the FP32 model (the decoder computes its positional-encoding buffer then, as the
    # TorchScript export does), then moved; .eval() after the move: TinyViT caches its attention biases (a plain
    # attribute) on the device and dtype it is on then.
    encoder, decoder = export_sam.Encoder(sam), BoxDecoder(sam, attend_sdpa)
    encoder, decoder = encoder.to("cuda", dtype).eval(), decoder.to("cuda", dtype).eval()
    torch.manual_seed(1234)
    x = torch.randn(2, 3, size, size, device="cuda", dtype=dtype)
    with torch.no_grad():
        if "encoder" in roles:
            compile_role("encoder", encoder, (x,), {"x": {0: Dim("frames", min=1, max=MAX_FRAMES)}}, meta,
                         out / f"{name}.{precision}.encoder.pt2")
        if "decoder" in roles:
            emb = encoder(x)
            index = torch.tensor([1, 0, 1], device="cuda")
            boxes = torch.tensor([[10.0, 20.0, 300.0, 500.0], [0.0, 0.0, 1023.0, 700.0], [512.0, 100.0, 600.0, 400.0]],
                                 device="cuda")  # float32, as trackkit passes them
            n = Dim("boxes", min=1, max=MAX_BOXES)
            dynamic = {"embeddings": {0: Dim("frames", min=1, max=DECODER_MAX_FRAMES)}, "index": {0: n},
                       "boxes": {0: n}}
            compile_role("decoder", decoder, (emb, index, boxes), dynamic, dict(meta, max_frames=DECODER_MAX_FRAMES),
                         out / f"{name}.{precision}.decoder.pt2")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", type=Path)
    ap.add_argument("--models", default="vit_t")
    ap.add_argument("--precisions", default="fp16")
    ap.add_argument("--roles", default="encoder,decoder")
    ap.add_argument("--seed", type=int, default=0)
    for v in ("vit_t", "vit_b", "vit_l", "vit_h", *export_sam.EFFICIENTVIT):
        ap.add_argument(f"--checkpoint-{v}", default=None)
    args = ap.parse_args()
    if not torch.cuda.is_available():
        raise SystemExit("compile_aoti.py compiles for the GPU it runs on: no CUDA device here")
    args.out.mkdir(parents=True, exist_ok=True)
    for variant in args.models.split(","):
        for precision in args.precisions.split(","):
            compile_model(variant, args.out, getattr(args, f"checkpoint_{variant}"), args.seed, precision,
                          args.roles.split(","))


if __name__ == "__main__":
    sys.exit(main())
