#!/usr/bin/env python3
"""Export SAM 2 / 2.1 image models to trackkit's encoder + decoder TorchScript pair (docs/segmenter.md).

    build/segvenv/bin/python tools/segmenter/export_sam2.py OUT_DIR [--models sam2.1_hiera_t,sam2_hiera_t]
                                                                [--seed 0] [--checkpoint-<model> FILE]

Models are built by the `sam2` package (PyPI sam2 1.1.0, code and Hydra configs, no weights) with build_sam2 and its
config (configs/sam2.1/sam2.1_hiera_t.yaml, configs/sam2/sam2_hiera_t.yaml), as SAM2ImagePredictor uses them. Weights:
a checkpoint when given, else seeded random weights (torch.manual_seed(seed) before building).

Writes OUT_DIR/<model>.encoder.pt, .decoder.pt and .state.pt (the state dict, for reference_sam2.py):
  encoder.forward(x)    x float [B,3,1024,1024] (SAM2Transforms: /255, square antialiased bilinear resize, normalised)
                        -> (image embedding [B,256,64,64] with no_mem_embed added as SAM2ImagePredictor.set_image
                            does, high-res features [B,32,256,256] (conv_s0) and [B,64,128,128] (conv_s1))
  decoder.forward(emb, index, boxes, feat_s0, feat_s1)  boxes [N,4] x1,y1,x2,y2 in input pixels
                        -> (low-res logits [N,4,256,256], IoU predictions [N,4]): token 0 SAM 2's single-mask output,
                           1..3 the multimask outputs (sam2_decoder.py)
"""
import argparse
import json
import sys
import warnings
from pathlib import Path

import torch
import torch.nn as nn

from export_sam import check_portable, pair_id, save_pair
from sam2_decoder import Sam2BoxDecoder

warnings.filterwarnings("ignore")

SIZE = 1024
CONFIGS = {"sam2.1_hiera_t": "configs/sam2.1/sam2.1_hiera_t.yaml", "sam2_hiera_t": "configs/sam2/sam2_hiera_t.yaml"}


def build(name, checkpoint, seed):
    from sam2.build_sam import build_sam2
    torch.manual_seed(seed)
    return build_sam2(CONFIGS[name], ckpt_path=checkpoint, device="cpu", mode="eval")


class NoPositions(nn.Module):
    def forward(self, x):
        return x[:, :0]


class Sam2Encoder(nn.Module):
    """SAM2Base.forward_image (trunk, FPN neck, conv_s0 / conv_s1 on the two high-resolution levels) and the
    no_mem_embed SAM2ImagePredictor.set_image adds to the lowest-resolution level ([HW,B,C] + [1,1,C] there: the same
    per-channel add on [B,C,h,w])."""

    def __init__(self, model):
        super().__init__()
        self.model = model
        # The neck's sine position encodings feed only the video memory, not the image predictor; computed, they
        # would put CPU constants (torch.arange on the export machine) into the trace.
        model.image_encoder.neck.position_encoding = NoPositions()

    def forward(self, x):
        fpn = self.model.forward_image(x)["backbone_fpn"][-self.model.num_feature_levels:]
        return fpn[-1] + self.model.no_mem_embed.reshape(1, -1, 1, 1), fpn[0], fpn[1]


def sam2_reference_decode(model, emb, s0, s1, boxes, multimask):
    """SAM2ImagePredictor._predict's prompt encoder + mask decoder for one image's boxes (input pixels)."""
    labels = torch.tensor([[2, 3]], dtype=torch.int).repeat(boxes.shape[0], 1)
    sparse, dense = model.sam_prompt_encoder(points=(boxes.reshape(-1, 2, 2), labels), boxes=None, masks=None)
    low, iou, _, _ = model.sam_mask_decoder(image_embeddings=emb, image_pe=model.sam_prompt_encoder.get_dense_pe(),
                                            sparse_prompt_embeddings=sparse, dense_prompt_embeddings=dense,
                                            multimask_output=multimask, repeat_image=boxes.shape[0] > 1,
                                            high_res_features=[s0, s1])
    return low, iou


def export(name, out, checkpoint, seed):
    model = build(name, checkpoint, seed)
    meta = {"family": "sam2", "variant": name, "pair_id": pair_id(model), "input_size": SIZE,
            "embedding_shape": [256, SIZE // 16, SIZE // 16], "low_res_size": SIZE // 4,
            "high_res_shapes": [[32, SIZE // 4, SIZE // 4], [64, SIZE // 8, SIZE // 8]],
            "pixel_mean": [0.485, 0.456, 0.406], "pixel_std": [0.229, 0.224, 0.225], "pixel_scale": 255.0,
            "mask_threshold": 0.0, "mask_tokens": int(model.sam_mask_decoder.num_mask_tokens),
            "resize": "square, bilinear antialias (float)", "postprocess": "direct",
            "weights": checkpoint if checkpoint else f"random (torch.manual_seed({seed}))",
            "gpu_kernels": "as the package (SDPA)"}
    torch.save(model.state_dict(), out / f"{name}.state.pt")
    encoder = Sam2Encoder(model).eval()
    decoder = Sam2BoxDecoder(model, torch.nn.functional.scaled_dot_product_attention).eval()
    torch.manual_seed(1234)
    x = torch.randn(2, 3, SIZE, SIZE)
    with torch.no_grad():
        enc = torch.jit.trace(encoder, x, check_trace=False)
        emb, s0, s1 = enc(x)
        index = torch.tensor([1, 0, 1])
        boxes = torch.tensor([[10.0, 20.0, 300.0, 500.0], [0.0, 0.0, 1023.0, 700.0], [512.0, 100.0, 600.0, 400.0]])
        dec = torch.jit.trace(decoder, (emb, index, boxes, s0, s1), check_trace=False)
        check_portable(f"{name} encoder", enc)
        check_portable(f"{name} decoder", dec)
        x1 = torch.randn(1, 3, SIZE, SIZE)
        report = {"encoder_max_diff_b1": max(float((a - b).abs().max()) for a, b in zip(enc(x1), encoder(x1)))}
        idx2, boxes2 = torch.tensor([0, 0]), torch.tensor([[5.0, 5.0, 50.0, 60.0], [100.0, 90.0, 800.0, 1000.0]])
        a = dec(emb[:1], idx2, boxes2, s0[:1], s1[:1])
        report["decoder_max_diff_n2"] = max(float((p - q).abs().max())
                                            for p, q in zip(a, decoder(emb[:1], idx2, boxes2, s0[:1], s1[:1])))
        diffs = []
        for multimask, tokens in ((False, slice(0, 1)), (True, slice(1, 4))):
            low, iou = sam2_reference_decode(model, emb[:1], s0[:1], s1[:1], boxes2, multimask)
            diffs += [float((a[0][:, tokens] - low).abs().max()), float((a[1][:, tokens] - iou).abs().max())]
        report["decoder_vs_sam2_max_diff"] = max(diffs)
    return save_pair(out, name, meta, enc, dec, report)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", type=Path)
    ap.add_argument("--models", default="sam2.1_hiera_t")
    ap.add_argument("--seed", type=int, default=0)
    for name in CONFIGS:
        ap.add_argument(f"--checkpoint-{name}", default=None)
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    report = {}
    for name in args.models.split(","):
        report[name] = export(name, args.out, getattr(args, f"checkpoint_{name}"), args.seed)
    (args.out / "export_sam2_report.json").write_text(json.dumps(report, indent=1))


if __name__ == "__main__":
    sys.exit(main())
