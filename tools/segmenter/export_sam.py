#!/usr/bin/env python3
"""Export SAM-family models to trackkit's encoder + decoder TorchScript pair (docs/segmenter.md).

    build/segvenv/bin/python tools/segmenter/export_sam.py OUT_DIR [--models vit_t,vit_b] [--seed 0]
                                                               [--checkpoint-vit_t FILE ...]

For each model writes OUT_DIR/<name>.encoder.pt, OUT_DIR/<name>.decoder.pt and OUT_DIR/<name>.state.pt (the
state dict, so the Python reference builds the very same model). Models are built by their PyPI packages:
  vit_t  MobileSAM (TinyViT-5M encoder, SAM's prompt encoder and mask decoder): `mobile_sam` (mobilesam-mirror)
  vit_b  SAM ViT-B: `segment_anything`
Weights: a checkpoint when given, else seeded random weights (torch.manual_seed(seed) before building): no
SAM-family weights can be had from PyPI (none of mobilesam-mirror, mobilesam-lite, efficientsam,
segment-anything, sam2 ships a checkpoint; see docs/segmenter.md).

The pair, each traced with the batch (frames / boxes) as a free dimension:
  encoder.forward(x)                  x float [B,3,S,S], normalised and padded (S = 1024) -> embeddings [B,256,64,64]
  decoder.forward(emb, index, boxes)  emb [B,256,64,64], index int64 [N] (frame of each box), boxes float [N,4]
                                      x1,y1,x2,y2 in resized-input pixels -> (low-res logits [N,T,256,256],
                                      IoU predictions [N,T]) for all T mask tokens (T = 4: token 0 is the single-mask
                                      output, 1..3 the multimask outputs, as SAM's MaskDecoder slices them)
Metadata: the extra file "segmenter.json" of each archive (family, variant, role, pair id, sizes, pixel
mean/std, mask threshold, weights).
"""
import argparse
import hashlib
import json
import sys
import warnings
from pathlib import Path

import torch
import torch.nn as nn

from box_decoder import BoxDecoder

warnings.filterwarnings("ignore")

SIZE = 1024
# EfficientViT-SAM (PyPI efficientsam: an EfficientViT encoder in front of SAM's prompt encoder and mask decoder):
# its predictor resizes the frame's long side to image_size[1] (512 for the L series) with PIL, normalises x / 255
# with SAM's mean / std over 255, pads to that square; boxes and masks keep SAM's 1024 geometry.
EFFICIENTVIT = {"efficientvit_sam_l0": "efficientvit-sam-l0", "efficientvit_sam_l1": "efficientvit-sam-l1"}


def traceable_patch_merging():
    """TinyViT's PatchMerging.forward takes the batch size as len(x), which tracing records as a constant: the same
    forward with x.shape[0], which the trace keeps symbolic (nothing else changes)."""
    from mobile_sam.modeling import tiny_vit_sam as tv

    def forward(self, x):
        if x.ndim == 3:
            h, w = self.input_resolution
            x = x.view(x.shape[0], h, w, -1).permute(0, 3, 1, 2)
        x = self.act(self.conv1(x))
        x = self.act(self.conv2(x))
        return self.conv3(x).flatten(2).transpose(1, 2)

    tv.PatchMerging.forward = forward


def traceable_lite_mla():
    """EfficientViT's LiteMLA computes its linear attention in float32 for half inputs and casts back with
    .to(qkv.dtype); tracing (in float32) records neither the branch nor the input's dtype, so an FP16 / BF16 model fed
    float32 into a half convolution. The same forward with the attention always in float32 and .type_as(x), which the
    trace keeps tied to the input (not qkv: for a float32 trace .float() returns qkv itself, and the tracer then ties
    qkv to the cast). FP32 arithmetic unchanged."""
    from efficientsam.models.nn import ops

    def forward(self, x):
        qkv = self.qkv(x)
        qkv = torch.cat([qkv] + [op(qkv) for op in self.aggreg], dim=1)
        h, w = list(qkv.size())[-2:]
        out = self.relu_linear_att(qkv.float()).type_as(x) if h * w > self.dim else self.relu_quadratic_att(qkv)
        return self.proj(out)

    ops.LiteMLA.forward = forward


def traceable_rel_pos():
    """SAM ViT's get_rel_pos builds its relative-position index with torch.arange on the CPU, which tracing records
    as a CPU tensor op (the export then fails on a GPU): the same index from tensor ops on the embeddings' own device
    (integers up to 2 * 64 - 1, exact in float16 too)."""
    import torch.nn.functional as F
    from segment_anything.modeling import image_encoder as ie

    def get_rel_pos(q_size, k_size, rel_pos):
        max_rel_dist = int(2 * max(q_size, k_size) - 1)
        if rel_pos.shape[0] != max_rel_dist:
            rel_pos = F.interpolate(rel_pos.reshape(1, rel_pos.shape[0], -1).permute(0, 2, 1), size=max_rel_dist,
                                    mode="linear").reshape(-1, max_rel_dist).permute(1, 0)
        count = torch.zeros_like(rel_pos[:, 0]) + 1  # on rel_pos's device and dtype
        q_coords = (count[:q_size].cumsum(0) - 1)[:, None] * max(k_size / q_size, 1.0)
        k_coords = (count[:k_size].cumsum(0) - 1)[None, :] * max(q_size / k_size, 1.0)
        relative = (q_coords - k_coords) + (k_size - 1) * max(q_size / k_size, 1.0)
        return rel_pos[relative.long()]

    ie.get_rel_pos = get_rel_pos


def fast_paths_module():
    import fast_paths  # beside this script
    return fast_paths


def build(variant, checkpoint, seed, fast_paths=False):
    if fast_paths:
        fp = fast_paths_module()  # GPU kernels behind a device branch; CPU arithmetic unchanged (fast_paths.py)
        fp.install()
    torch.manual_seed(seed)
    if variant in EFFICIENTVIT:
        from efficientsam.sam_model_zoo import create_efficientvit_sam_model
        traceable_lite_mla()
        model = create_efficientvit_sam_model(EFFICIENTVIT[variant], pretrained=False)
        if checkpoint:
            model.load_state_dict(torch.load(checkpoint, map_location="cpu"))
        return model.eval()
    if variant == "vit_t":
        from mobile_sam import sam_model_registry
        traceable_patch_merging()
    else:
        from segment_anything import sam_model_registry
        traceable_rel_pos()
    return sam_model_registry[variant](checkpoint=checkpoint).eval()


class Encoder(nn.Module):
    def __init__(self, sam):
        super().__init__()
        self.image_encoder = sam.image_encoder

    def forward(self, x):
        return self.image_encoder(x)


def check_portable(name, traced):
    """A traced graph holding a device constant (an op that made a tensor on the export's CPU) fails on a GPU."""
    found = [line.strip() for line in str(traced.inlined_graph).splitlines() if 'Device = prim::Constant' in line]
    if found:
        raise SystemExit(f"{name}: the trace holds device constants, it would not run on another device: {found[0]}")


def pair_id(model):
    digest = hashlib.sha256()
    for name, tensor in sorted(model.state_dict().items()):
        digest.update(name.encode())
        digest.update(tensor.detach().contiguous().cpu().numpy().tobytes())
    return digest.hexdigest()[:16]


def describe(sam, variant, checkpoint, seed, fast_paths=False):
    """(file stem, segmenter.json metadata) of a built model, as the C++ Segmenter reads it."""
    family = "mobile_sam" if variant == "vit_t" else "efficientvit_sam" if variant in EFFICIENTVIT else "sam"
    if variant in EFFICIENTVIT:  # EfficientViTSam.transform's Normalize, after ToTensor (/ 255)
        pixels = {"pixel_mean": [123.675 / 255, 116.28 / 255, 103.53 / 255],
                  "pixel_std": [58.395 / 255, 57.12 / 255, 57.375 / 255], "pixel_scale": 255.0,
                  "encoder_input_size": int(sam.image_size[1])}
    else:
        pixels = {"pixel_mean": [float(v) for v in sam.pixel_mean.flatten()],
                  "pixel_std": [float(v) for v in sam.pixel_std.flatten()]}
    meta = {"family": family, "variant": variant, "pair_id": pair_id(sam), "input_size": SIZE,
            "embedding_shape": [256, SIZE // 16, SIZE // 16], "low_res_size": SIZE // 4, **pixels,
            "mask_threshold": float(sam.mask_threshold),
            "mask_tokens": int(sam.mask_decoder.num_mask_tokens), "resize": "longest side, bilinear antialias",
            "weights": checkpoint if checkpoint else f"random (torch.manual_seed({seed}))",
            "gpu_kernels": "sdpa, layer_norm" if fast_paths else "as the package"}
    name = "mobile_sam" if variant == "vit_t" else variant if variant in EFFICIENTVIT else f"sam_{variant}"
    return name, meta


def export(variant, out, checkpoint, seed, fast_paths=False):
    sam = build(variant, checkpoint, seed, fast_paths)
    name, meta = describe(sam, variant, checkpoint, seed, fast_paths)
    encoder_size = meta.get("encoder_input_size", SIZE)
    torch.save(sam.state_dict(), out / f"{name}.state.pt")  # the package's own modules, for reference_sam.py
    if fast_paths:
        fast_paths_module().fold_batch_norms(sam)  # extra buffers: after the pair id and the saved state
    encoder, decoder = Encoder(sam).eval(), BoxDecoder(sam, fast_paths_module().attend_fn(fast_paths)).eval()
    torch.manual_seed(1234)
    x = torch.randn(2, 3, encoder_size, encoder_size)
    with torch.no_grad():
        enc = torch.jit.trace(encoder, x, check_trace=False)
        emb = enc(x)
        index = torch.tensor([1, 0, 1])
        boxes = torch.tensor([[10.0, 20.0, 300.0, 500.0], [0.0, 0.0, 1023.0, 700.0], [512.0, 100.0, 600.0, 400.0]])
        dec = torch.jit.trace(decoder, (emb, index, boxes), check_trace=False)
        check_portable(f"{variant} encoder", enc)
        check_portable(f"{variant} decoder", dec)
        # The traces must take other batch sizes and agree with the eager modules there.
        x1 = torch.randn(1, 3, encoder_size, encoder_size)
        report = {"encoder_max_diff_b1": float((enc(x1) - encoder(x1)).abs().max())}
        idx2, boxes2 = torch.tensor([0, 0]), torch.tensor([[5.0, 5.0, 50.0, 60.0], [100.0, 90.0, 800.0, 1000.0]])
        a, b = dec(emb[:1], idx2, boxes2), decoder(emb[:1], idx2, boxes2)
        report["decoder_max_diff_n2"] = max(float((p - q).abs().max()) for p, q in zip(a, b))
        # ... and SAM's own path: prompt encoder + mask decoder for one image's boxes.
        sparse, dense = sam.prompt_encoder(points=None, boxes=boxes2, masks=None)
        low, iou = sam.mask_decoder(emb[:1], sam.prompt_encoder.get_dense_pe(), sparse, dense, multimask_output=True)
        report["decoder_vs_sam_max_diff"] = max(float((a[0][:, 1:] - low).abs().max()),
                                                float((a[1][:, 1:] - iou).abs().max()))
    return save_pair(out, name, meta, enc, dec, report)


def save_pair(out, name, meta, encoder, decoder, report):
    """Writes the traced pair with its metadata (the archives' segmenter.json) and says what the checks found."""
    for role, module in (("encoder", encoder), ("decoder", decoder)):
        files = {"segmenter.json": json.dumps(dict(meta, role=role))}
        torch.jit.save(module, str(out / f"{name}.{role}.pt"), _extra_files=files)
    print(f"{name}: pair {meta['pair_id']}, {json.dumps(report)}")
    return dict(meta, checks=report)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", type=Path)
    ap.add_argument("--models", default="vit_t,vit_b")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--fast-paths", action="store_true", help="fast_paths.py: SDPA / layer_norm on CUDA")
    for v in ("vit_t", "vit_b", "vit_l", "vit_h", *EFFICIENTVIT):
        ap.add_argument(f"--checkpoint-{v}", default=None)
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    torch.set_num_threads(max(1, torch.get_num_threads()))
    report = {}
    for variant in args.models.split(","):
        report[variant] = export(variant, args.out, getattr(args, f"checkpoint_{variant}"), args.seed,
                                 args.fast_paths)
    (args.out / "export_report.json").write_text(json.dumps(report, indent=1))


if __name__ == "__main__":
    sys.exit(main())
