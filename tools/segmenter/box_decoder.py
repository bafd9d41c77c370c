"""SAM's box prompt encoder + mask decoder over N boxes of B frames in one call (exported by export_sam.py).

Adapted from segment-anything (Apache-2.0): their forward code re-laid out (see NOTICE.md).

The arithmetic is SamPredictor's (PromptEncoder._embed_boxes, MaskDecoder.predict_masks, TwoWayTransformer), laid
out so that work that depends only on the frame is done once per frame, not once per box:
  - the image tokens (embedding + no-mask embedding) and, in the first transformer layer, the projections of the
    image side (token->image keys and values, image->token queries) are computed on the B frames and gathered
    per box with index_select. SAM repeats the frame's embedding per box (repeat_interleave) and projects every
    copy; the first layer's image side does not depend on the box yet, so the values are the same.
  - the dense positional encoding is a [1,hw,C] buffer broadcast over boxes (SAM: a copy per box).
From the first layer's image->token update on, the image side depends on the box and runs per box, as in SAM.
Constants the prompt encoder builds on the fly are buffers, so the traced graph holds no device or dtype constants.
"""
import math

import torch
import torch.nn as nn


def attend_math(q, k, v):
    """SAM's Attention: softmax(q k^T / sqrt(c)) v over [B,heads,tokens,c] (fast_paths.attend on CUDA)."""
    attn = q @ k.permute(0, 1, 3, 2)
    attn = attn / math.sqrt(q.shape[3])
    return torch.softmax(attn, dim=-1) @ v


def attend_sdpa(q, k, v):
    """The same attention as one fused kernel (for compiled exports: TorchInductor keeps it a single call)."""
    return torch.nn.functional.scaled_dot_product_attention(q, k, v)


class BoxDecoder(nn.Module):
    def __init__(self, sam, attend=attend_math):
        super().__init__()
        self.adopt(sam.prompt_encoder, sam.mask_decoder, attend)
        dec = sam.mask_decoder
        self.output_tokens = nn.Parameter(torch.cat([dec.iou_token.weight, dec.mask_tokens.weight], 0).detach())

    def adopt(self, pe, dec, attend):
        """The prompt encoder's constants and the mask decoder's modules both SAM generations share."""
        self.attend = attend
        self.register_buffer("gaussian", pe.pe_layer.positional_encoding_gaussian_matrix.detach().clone())
        with torch.no_grad():  # [1,C,h,w] -> [1,hw,C], as TwoWayTransformer flattens it
            self.register_buffer("image_pe", pe.get_dense_pe().detach().flatten(2).permute(0, 2, 1).contiguous())
        self.corner_a = nn.Parameter(pe.point_embeddings[2].weight.detach().clone())  # [1,256]
        self.corner_b = nn.Parameter(pe.point_embeddings[3].weight.detach().clone())
        self.no_mask = nn.Parameter(pe.no_mask_embed.weight.detach().clone().reshape(1, -1, 1, 1))
        self.transformer = dec.transformer
        self.output_upscaling = dec.output_upscaling
        self.hypernetworks = dec.output_hypernetworks_mlps
        self.iou_head = dec.iou_prediction_head
        self.input_size = float(pe.input_image_size[0])

    def prompt_tokens(self, boxes):
        """PromptEncoder._embed_boxes (corners shifted to pixel centres, normalised, random Fourier features, plus
        the learned corner embeddings) after the output tokens: [N, 1 + mask tokens + 2, C]."""
        coords = ((boxes + 0.5).reshape(-1, 2, 2) / self.input_size).type_as(self.gaussian)
        coords = (2 * coords - 1) @ self.gaussian
        coords = 2 * math.pi * coords
        corners = torch.cat([torch.sin(coords), torch.cos(coords)], dim=-1)
        corners = torch.cat([corners[:, :1] + self.corner_a, corners[:, 1:] + self.corner_b], dim=1)
        n = corners.shape[0]
        return torch.cat([self.output_tokens.unsqueeze(0).expand(n, -1, -1), corners], dim=1)

    def heads(self, attention, x):
        return attention._separate_heads(x, attention.num_heads)

    def attention_out(self, attention, q, k, v):
        return attention.out_proj(attention._recombine_heads(self.attend(q, k, v)))

    def first_layer(self, tokens, image, index):
        """TwoWayAttentionBlock with skip_first_layer_pe (SAM's first layer); image [B,hw,C] per frame."""
        layer = self.transformer.layers[0]
        queries = layer.norm1(layer.self_attn(q=tokens, k=tokens, v=tokens))
        image_pe = image + self.image_pe  # k = keys + key_pe, the same for every box of a frame
        t2i = layer.cross_attn_token_to_image
        k = self.heads(t2i, t2i.k_proj(image_pe).index_select(0, index))
        v = self.heads(t2i, t2i.v_proj(image).index_select(0, index))
        q = self.heads(t2i, t2i.q_proj(queries + tokens))
        queries = layer.norm2(queries + self.attention_out(t2i, q, k, v))
        queries = layer.norm3(queries + layer.mlp(queries))
        i2t = layer.cross_attn_image_to_token
        q = self.heads(i2t, i2t.q_proj(image_pe).index_select(0, index))
        k = self.heads(i2t, i2t.k_proj(queries + tokens))
        v = self.heads(i2t, i2t.v_proj(queries))
        keys = layer.norm4(image.index_select(0, index) + self.attention_out(i2t, q, k, v))
        return queries, keys

    def two_way(self, embeddings, index, tokens):
        """TwoWayTransformer over every box: (output tokens [N,T,C], image tokens [N,hw,C])."""
        image = (embeddings + self.no_mask).flatten(2).permute(0, 2, 1)  # [B,hw,C] per frame
        queries, keys = self.first_layer(tokens, image, index)
        t = self.transformer
        for layer in t.layers[1:]:
            queries, keys = layer(queries=queries, keys=keys, query_pe=tokens, key_pe=self.image_pe)
        attn_out = t.final_attn_token_to_image(q=queries + tokens, k=keys + self.image_pe, v=keys)
        return t.norm_final_attn(queries + attn_out), keys

    def masks(self, hs, upscaled, first):
        """Hypernetwork masks and IoU predictions from the output tokens (iou token at `first`)."""
        mask_tokens = hs[:, first + 1:first + 1 + len(self.hypernetworks), :]
        hyper = torch.stack([mlp(mask_tokens[:, i, :]) for i, mlp in enumerate(self.hypernetworks)], dim=1)
        n, c, h, w = upscaled.shape
        masks = (hyper @ upscaled.reshape(n, c, h * w)).reshape(n, -1, h, w)
        return masks, self.iou_head(hs[:, first, :])

    def forward(self, embeddings, index, boxes):
        hs, keys = self.two_way(embeddings, index, self.prompt_tokens(boxes))
        # MaskDecoder.predict_masks after the transformer.
        n, c, h, w = index.shape[0], embeddings.shape[1], embeddings.shape[2], embeddings.shape[3]
        return self.masks(hs, self.output_upscaling(keys.transpose(1, 2).reshape(n, c, h, w)), 0)
