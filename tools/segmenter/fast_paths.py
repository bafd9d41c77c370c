"""Export-time rewrites that give the GPU faster kernels and leave the CPU arithmetic exactly as it is.

Adapted from segment-anything, sam2 and MobileSAM (Apache-2.0): their forward code re-laid out (see NOTICE.md).

Each rewrite routes a module's hot spot through a small TorchScript function that branches on the device: on CUDA it
uses a fused kernel (scaled_dot_product_attention, layer_norm over channels), on the CPU it runs the package's own
ops in the package's order, so CPU FP32 outputs stay bit identical to the Python predictors. The functions are
scripted, so the traced export keeps the branch (a trace alone would freeze the export machine's device).
Used by export_sam.py (--fast-paths, the default) and export_sam2.py.
"""
import math
from typing import List

import torch
import torch.nn.functional as F
from torch import Tensor


@torch.jit.script
def attend(q: Tensor, k: Tensor, v: Tensor) -> Tensor:
    """SAM's decoder attention over [B,heads,tokens,c] (segment_anything / mobile_sam transformer.Attention)."""
    if q.is_cuda:
        return F.scaled_dot_product_attention(q, k, v)
    attn = q @ k.permute(0, 1, 3, 2)
    attn = attn / math.sqrt(float(q.shape[3]))
    attn = torch.softmax(attn, dim=-1)
    return attn @ v


@torch.jit.script
def attend_biased(q: Tensor, k: Tensor, v: Tensor, bias: Tensor, scale: float) -> Tensor:
    """TinyViT's window attention with its relative-position bias (mobile_sam tiny_vit_sam.Attention)."""
    if q.is_cuda:
        return F.scaled_dot_product_attention(q, k, v, attn_mask=bias.to(q.dtype).expand(q.shape[0], -1, -1, -1),
                                              scale=scale)
    attn = (q @ k.transpose(-2, -1)) * scale + bias
    attn = attn.softmax(dim=-1)
    return attn @ v


@torch.jit.script
def layer_norm_2d(x: Tensor, weight: Tensor, bias: Tensor, eps: float) -> Tensor:
    """SAM's LayerNorm2d (normalise over channels of NCHW)."""
    if x.is_cuda:  # one reduction pass for both moments (layer_norm over 64-channel rows measured 4x slower)
        var, mean = torch.var_mean(x, dim=1, keepdim=True, correction=0)
        return torch.addcmul(bias[:, None, None], (x - mean) * torch.rsqrt(var + eps), weight[:, None, None])
    u = x.mean(1, keepdim=True)
    s = (x - u).pow(2).mean(1, keepdim=True)
    x = (x - u) / torch.sqrt(s + eps)
    return weight[:, None, None] * x + bias[:, None, None]


@torch.jit.script
def conv_bn(x: Tensor, weight: Tensor, mean: Tensor, var: Tensor, gamma: Tensor, beta: Tensor, eps: float,
            fused_weight: Tensor, fused_bias: Tensor, stride: List[int], padding: List[int], dilation: List[int],
            groups: int) -> Tensor:
    """TinyViT's Conv2d_BN (a bias-free conv, then BatchNorm in eval): on CUDA one conv with the BatchNorm folded
    into its weights and bias (Conv2d_BN.fuse's arithmetic), saving a pass over every activation."""
    if x.is_cuda:
        return F.conv2d(x, fused_weight, fused_bias, stride, padding, dilation, groups)
    y = F.conv2d(x, weight, None, stride, padding, dilation, groups)
    return F.batch_norm(y, mean, var, gamma, beta, False, 0.0, eps)


def _conv_bn_forward(self, x):
    c, bn = self.c, self.bn
    return conv_bn(x, c.weight, bn.running_mean, bn.running_var, bn.weight, bn.bias, float(bn.eps), self.fused_weight,
                   self.fused_bias, list(c.stride), list(c.padding), list(c.dilation), int(c.groups))


def fold_batch_norms(model):
    """Registers each Conv2d_BN's folded weights (buffers fused_weight, fused_bias) once the weights are loaded."""
    for module in model.modules():
        if type(module).__name__ == "Conv2d_BN":
            bn = module.bn
            scale = bn.weight / (bn.running_var + bn.eps) ** 0.5
            with torch.no_grad():
                module.register_buffer("fused_weight", module.c.weight * scale[:, None, None, None])
                module.register_buffer("fused_bias", bn.bias - bn.running_mean * scale)


def _decoder_attention_forward(self, q, k, v):
    q, k, v = self.q_proj(q), self.k_proj(k), self.v_proj(v)
    q = self._separate_heads(q, self.num_heads)
    k = self._separate_heads(k, self.num_heads)
    v = self._separate_heads(v, self.num_heads)
    return self.out_proj(self._recombine_heads(attend(q, k, v)))


def _tinyvit_attention_forward(self, x):
    b, n, _ = x.shape
    x = self.norm(x)
    q, k, v = self.qkv(x).view(b, n, self.num_heads, -1).split([self.key_dim, self.key_dim, self.d], dim=3)
    q, k, v = q.permute(0, 2, 1, 3), k.permute(0, 2, 1, 3), v.permute(0, 2, 1, 3)
    x = attend_biased(q, k, v, self.ab, float(self.scale)).transpose(1, 2).reshape(b, n, self.dh)
    return self.proj(x)


def _layer_norm_2d_forward(self, x):
    return layer_norm_2d(x, self.weight, self.bias, float(self.eps))


def install(packages=("segment_anything", "mobile_sam", "efficientsam.segment_anything")):
    """Patches the classes of the given packages (those importable); returns the names of what was patched."""
    import importlib
    done = []
    for package in packages:
        try:
            transformer = importlib.import_module(f"{package}.modeling.transformer")
            common = importlib.import_module(f"{package}.modeling.common")
        except ImportError:
            continue
        transformer.Attention.forward = _decoder_attention_forward
        common.LayerNorm2d.forward = _layer_norm_2d_forward
        done += [f"{package}.Attention", f"{package}.LayerNorm2d"]
        if package == "mobile_sam":
            tiny_vit = importlib.import_module("mobile_sam.modeling.tiny_vit_sam")
            tiny_vit.Attention.forward = _tinyvit_attention_forward
            tiny_vit.Conv2d_BN.forward = _conv_bn_forward  # needs fold_batch_norms(model) after loading
            done += ["mobile_sam.TinyViT.Attention", "mobile_sam.TinyViT.Conv2d_BN"]
    return done


def attend_fn(fast):
    """The decoder attention box_decoder.BoxDecoder uses: with the CUDA branch, or SAM's math alone."""
    if fast:
        return attend
    from box_decoder import attend_math
    return attend_math
