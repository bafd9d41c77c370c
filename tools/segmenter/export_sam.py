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
import math
import sys
import warnings
from pathlib import Path

import torch
import torch.nn as nn

warnings.filterwarnings("ignore")

SIZE = 1024


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


def build(variant, checkpoint, seed):
    torch.manual_seed(seed)
    if variant == "vit_t":
        from mobile_sam import sam_model_registry
        traceable_patch_merging()
    else:
        from segment_anything import sam_model_registry
        traceable_rel_pos()
    model = sam_model_registry[variant](checkpoint=checkpoint)
    return model.eval()


class Encoder(nn.Module):
    def __init__(self, sam):
        super().__init__()
        self.image_encoder = sam.image_encoder

    def forward(self, x):
        return self.image_encoder(x)


class BoxDecoder(nn.Module):
    """SAM's box prompt encoding and mask decoder, batched over boxes of several frames.

    The same arithmetic as PromptEncoder._embed_boxes + MaskDecoder.predict_masks, except that each box takes its
    frame's embedding by index_select (SAM repeats one image's embedding with repeat_interleave), and that
    constants the prompt encoder builds on the fly (the dense positional encoding) are buffers, so the traced
    graph holds no device or dtype constants.
    """

    def __init__(self, sam):
        super().__init__()
        pe, dec = sam.prompt_encoder, sam.mask_decoder
        self.register_buffer("gaussian", pe.pe_layer.positional_encoding_gaussian_matrix.detach().clone())
        with torch.no_grad():
            self.register_buffer("image_pe", pe.get_dense_pe().detach().clone())  # [1,256,64,64]
        self.corner_a = nn.Parameter(pe.point_embeddings[2].weight.detach().clone())  # [1,256]
        self.corner_b = nn.Parameter(pe.point_embeddings[3].weight.detach().clone())
        self.no_mask = nn.Parameter(pe.no_mask_embed.weight.detach().clone().reshape(1, -1, 1, 1))
        self.output_tokens = nn.Parameter(torch.cat([dec.iou_token.weight, dec.mask_tokens.weight], 0).detach())
        self.transformer = dec.transformer
        self.output_upscaling = dec.output_upscaling
        self.hypernetworks = dec.output_hypernetworks_mlps
        self.iou_head = dec.iou_prediction_head
        self.input_size = float(pe.input_image_size[0])

    def forward(self, embeddings, index, boxes):
        # PromptEncoder._embed_boxes: corners shifted to pixel centres, normalised by the input size, random
        # Fourier features, plus the learned corner embeddings.
        coords = ((boxes + 0.5).reshape(-1, 2, 2) / self.input_size).type_as(self.gaussian)
        coords = (2 * coords - 1) @ self.gaussian
        coords = 2 * math.pi * coords
        corners = torch.cat([torch.sin(coords), torch.cos(coords)], dim=-1)
        corners = torch.cat([corners[:, :1] + self.corner_a, corners[:, 1:] + self.corner_b], dim=1)
        n = corners.shape[0]
        tokens = torch.cat([self.output_tokens.unsqueeze(0).expand(n, -1, -1), corners], dim=1)
        # MaskDecoder.predict_masks over every box at once.
        src = embeddings.index_select(0, index) + self.no_mask
        pos = self.image_pe.expand(n, -1, -1, -1)
        b, c, h, w = src.shape
        hs, src = self.transformer(src, pos, tokens)
        iou_token = hs[:, 0, :]
        mask_tokens = hs[:, 1:1 + len(self.hypernetworks), :]
        upscaled = self.output_upscaling(src.transpose(1, 2).reshape(b, c, h, w))
        hyper = torch.stack([mlp(mask_tokens[:, i, :]) for i, mlp in enumerate(self.hypernetworks)], dim=1)
        b, c, h, w = upscaled.shape
        masks = (hyper @ upscaled.reshape(b, c, h * w)).reshape(b, -1, h, w)
        return masks, self.iou_head(iou_token)


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


def export(variant, out, checkpoint, seed):
    sam = build(variant, checkpoint, seed)
    family = "mobile_sam" if variant == "vit_t" else "sam"
    meta = {"family": family, "variant": variant, "pair_id": pair_id(sam), "input_size": SIZE,
            "embedding_shape": [256, SIZE // 16, SIZE // 16], "low_res_size": SIZE // 4,
            "pixel_mean": [float(v) for v in sam.pixel_mean.flatten()],
            "pixel_std": [float(v) for v in sam.pixel_std.flatten()], "mask_threshold": float(sam.mask_threshold),
            "mask_tokens": int(sam.mask_decoder.num_mask_tokens), "resize": "longest side, bilinear antialias",
            "weights": checkpoint if checkpoint else f"random (torch.manual_seed({seed}))"}
    name = "mobile_sam" if variant == "vit_t" else f"sam_{variant}"
    encoder, decoder = Encoder(sam).eval(), BoxDecoder(sam).eval()
    torch.manual_seed(1234)
    x = torch.randn(2, 3, SIZE, SIZE)
    with torch.no_grad():
        enc = torch.jit.trace(encoder, x, check_trace=False)
        emb = enc(x)
        index = torch.tensor([1, 0, 1])
        boxes = torch.tensor([[10.0, 20.0, 300.0, 500.0], [0.0, 0.0, 1023.0, 700.0], [512.0, 100.0, 600.0, 400.0]])
        dec = torch.jit.trace(decoder, (emb, index, boxes), check_trace=False)
        check_portable(f"{variant} encoder", enc)
        check_portable(f"{variant} decoder", dec)
        # The traces must take other batch sizes and agree with the eager modules there.
        x1 = torch.randn(1, 3, SIZE, SIZE)
        report = {"encoder_max_diff_b1": float((enc(x1) - encoder(x1)).abs().max())}
        idx2, boxes2 = torch.tensor([0, 0]), torch.tensor([[5.0, 5.0, 50.0, 60.0], [100.0, 90.0, 800.0, 1000.0]])
        a, b = dec(emb[:1], idx2, boxes2), decoder(emb[:1], idx2, boxes2)
        report["decoder_max_diff_n2"] = max(float((p - q).abs().max()) for p, q in zip(a, b))
        # ... and SAM's own path: prompt encoder + mask decoder for one image's boxes.
        sparse, dense = sam.prompt_encoder(points=None, boxes=boxes2, masks=None)
        low, iou = sam.mask_decoder(emb[:1], sam.prompt_encoder.get_dense_pe(), sparse, dense, multimask_output=True)
        report["decoder_vs_sam_max_diff"] = max(float((a[0][:, 1:] - low).abs().max()),
                                                float((a[1][:, 1:] - iou).abs().max()))
    for role, module in (("encoder", enc), ("decoder", dec)):
        files = {"segmenter.json": json.dumps(dict(meta, role=role))}
        torch.jit.save(module, str(out / f"{name}.{role}.pt"), _extra_files=files)
    torch.save(sam.state_dict(), out / f"{name}.state.pt")
    print(f"{name}: pair {meta['pair_id']}, {json.dumps(report)}")
    return dict(meta, checks=report)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", type=Path)
    ap.add_argument("--models", default="vit_t,vit_b")
    ap.add_argument("--seed", type=int, default=0)
    for v in ("vit_t", "vit_b", "vit_l", "vit_h"):
        ap.add_argument(f"--checkpoint-{v}", default=None)
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    torch.set_num_threads(max(1, torch.get_num_threads()))
    report = {}
    for variant in args.models.split(","):
        report[variant] = export(variant, args.out, getattr(args, f"checkpoint_{variant}"), args.seed)
    (args.out / "export_report.json").write_text(json.dumps(report, indent=1))


if __name__ == "__main__":
    sys.exit(main())
