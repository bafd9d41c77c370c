"""SAM 2's box prompt encoder + mask decoder over N boxes of B frames in one call (exported by export_sam2.py).

Adapted from sam2 (Apache-2.0): their forward code re-laid out (see NOTICE.md).

box_decoder.BoxDecoder's layout (frame-level work once per frame, boxes gathered with index_select) with SAM 2's
differences, each the arithmetic of SAM2ImagePredictor._predict with a box and no points:
  - the box enters as two points labelled 2 and 3 plus a padding point (SAM2's PromptEncoder._embed_points with
    pad=True): corners + 0.5 normalised by the input size through the random Fourier features, plus the corner
    embeddings; the padding point's token is the not-a-point embedding;
  - output tokens start with the object-score token (pred_obj_scores), so the IoU token is the second;
  - mask upscaling adds the high-resolution features (conv_s1 / conv_s0 maps from the encoder) of the box's frame;
  - token 0 of the output is SAM 2's single-mask output as MaskDecoder gives it with multimask_output=False in eval
    (dynamic_multimask_via_stability: token 0, or the best multimask token when token 0 is unstable); tokens 1..3
    are the multimask outputs.
"""
import torch
import torch.nn as nn

from box_decoder import BoxDecoder


class Sam2BoxDecoder(BoxDecoder):
    def __init__(self, sam2, attend):
        nn.Module.__init__(self)
        pe, dec = sam2.sam_prompt_encoder, sam2.sam_mask_decoder
        self.adopt(pe, dec, attend)
        self.stability_delta = float(dec.dynamic_multimask_stability_delta)  # single_mask's settings
        self.stability_thresh = float(dec.dynamic_multimask_stability_thresh)
        self.not_a_point = nn.Parameter(pe.not_a_point_embed.weight.detach().clone())  # [1,C]
        tokens = ([dec.obj_score_token.weight] if dec.pred_obj_scores else []) + [dec.iou_token.weight,
                                                                                  dec.mask_tokens.weight]
        self.output_tokens = nn.Parameter(torch.cat(tokens, 0).detach())
        self.first = 1 if dec.pred_obj_scores else 0

    def prompt_tokens(self, boxes):
        coords = (boxes.reshape(-1, 2, 2) + 0.5) / self.input_size
        coords = (2 * coords.type_as(self.gaussian) - 1) @ self.gaussian
        coords = 2 * 3.141592653589793 * coords
        corners = torch.cat([torch.sin(coords), torch.cos(coords)], dim=-1)
        n = corners.shape[0]
        pad = (torch.zeros_like(corners[:, :1]) + self.not_a_point)
        sparse = torch.cat([corners[:, :1] + self.corner_a, corners[:, 1:] + self.corner_b, pad], dim=1)
        return torch.cat([self.output_tokens.unsqueeze(0).expand(n, -1, -1), sparse], dim=1)

    def forward(self, embeddings, index, boxes, feat_s0, feat_s1):
        hs, keys = self.two_way(embeddings, index, self.prompt_tokens(boxes))
        n, c, h, w = index.shape[0], embeddings.shape[1], embeddings.shape[2], embeddings.shape[3]
        dc1, ln1, act1, dc2, act2 = self.output_upscaling
        upscaled = act1(ln1(dc1(keys.transpose(1, 2).reshape(n, c, h, w)) + feat_s1.index_select(0, index)))
        upscaled = act2(dc2(upscaled) + feat_s0.index_select(0, index))
        masks, iou = self.masks(hs, upscaled, self.first)
        single, single_iou = self.single_mask(masks, iou)
        return torch.cat([single, masks[:, 1:]], 1), torch.cat([single_iou, iou[:, 1:]], 1)

    def single_mask(self, masks, iou):
        """MaskDecoder._dynamic_multimask_via_stability: token 0 when its stability score (mask area above +delta
        over area above -delta) reaches the threshold, else the multimask token of the highest IoU prediction. The
        best token is taken with gather (SAM 2 indexes with torch.arange, a device constant in a trace)."""
        multi, multi_iou = masks[:, 1:], iou[:, 1:]
        best = torch.argmax(multi_iou, dim=-1)
        best_logits = multi.gather(1, best[:, None, None, None].expand(-1, 1, multi.shape[2], multi.shape[3]))
        best_iou = multi_iou.gather(1, best[:, None])
        single, single_iou = masks[:, 0:1], iou[:, 0:1]
        flat = single.flatten(-2)
        area_i = torch.sum(flat > self.stability_delta, dim=-1).float()
        area_u = torch.sum(flat > -self.stability_delta, dim=-1).float()
        stable = torch.where(area_u > 0, area_i / area_u, 1.0) >= self.stability_thresh
        return (torch.where(stable[..., None, None].expand_as(single), single, best_logits),
                torch.where(stable.expand_as(single_iou), single_iou, best_iou))
