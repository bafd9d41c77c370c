"""The classes a pickled deepcam-cn/yolov5-face model needs (its `models.common` / `models.yolo`), written here so
that the checkpoint loads without the upstream repository on sys.path.

`yolov5n-0.5_face.pt` is a pickled dict whose "model" is a `models.yolo.Model`; pickletools names the classes it
rebuilds: models.yolo.{Model, Detect} and models.common.{Conv, StemBlock, ShuffleV2Block, C3, Bottleneck, Concat}
(plus torch.nn modules). Unpickling never calls __init__: objects get their attributes from the pickle, so the
classes below keep upstream's class names, attribute names and forward methods (upstream: models/common.py and
models/yolo.py, GPL-3.0; the same code is on PyPI as yolov5-face 0.0.2, which tools/faces checks this module
against). Only the inference path is kept: no training, export_cat or augmentation branches.
"""
import pickle
import types

import torch
import torch.nn as nn


def autopad(k, p=None):  # kernel, padding
    # Pad to 'same'
    if p is None:
        p = k // 2 if isinstance(k, int) else [x // 2 for x in k]
    return p


def channel_shuffle(x, groups):
    # upstream reads x.data.size(): the same numbers, but a trace would freeze them (batch and input size)
    batchsize, num_channels, height, width = x.size()
    channels_per_group = num_channels // groups
    x = x.view(batchsize, groups, channels_per_group, height, width)
    x = torch.transpose(x, 1, 2).contiguous()
    return x.view(batchsize, -1, height, width)


class Conv(nn.Module):
    # Standard convolution: conv (no bias), BatchNorm, SiLU
    def __init__(self, c1, c2, k=1, s=1, p=None, g=1, act=True):
        super().__init__()
        self.conv = nn.Conv2d(c1, c2, k, s, autopad(k, p), groups=g, bias=False)
        self.bn = nn.BatchNorm2d(c2)
        self.act = nn.SiLU() if act is True else (act if isinstance(act, nn.Module) else nn.Identity())

    def forward(self, x):
        return self.act(self.bn(self.conv(x)))

    def fuseforward(self, x):
        return self.act(self.conv(x))


class StemBlock(nn.Module):
    def __init__(self, c1, c2, k=3, s=2, p=None, g=1, act=True):
        super().__init__()
        self.stem_1 = Conv(c1, c2, k, s, p, g, act)
        self.stem_2a = Conv(c2, c2 // 2, 1, 1, 0)
        self.stem_2b = Conv(c2 // 2, c2, 3, 2, 1)
        self.stem_2p = nn.MaxPool2d(kernel_size=2, stride=2, ceil_mode=True)
        self.stem_3 = Conv(c2 * 2, c2, 1, 1, 0)

    def forward(self, x):
        stem_1_out = self.stem_1(x)
        stem_2a_out = self.stem_2a(stem_1_out)
        stem_2b_out = self.stem_2b(stem_2a_out)
        stem_2p_out = self.stem_2p(stem_1_out)
        return self.stem_3(torch.cat((stem_2b_out, stem_2p_out), 1))


class Bottleneck(nn.Module):
    # Standard bottleneck
    def __init__(self, c1, c2, shortcut=True, g=1, e=0.5):
        super().__init__()
        c_ = int(c2 * e)
        self.cv1 = Conv(c1, c_, 1, 1)
        self.cv2 = Conv(c_, c2, 3, 1, g=g)
        self.add = shortcut and c1 == c2

    def forward(self, x):
        return x + self.cv2(self.cv1(x)) if self.add else self.cv2(self.cv1(x))


class C3(nn.Module):
    # CSP Bottleneck with 3 convolutions
    def __init__(self, c1, c2, n=1, shortcut=True, g=1, e=0.5):
        super().__init__()
        c_ = int(c2 * e)
        self.cv1 = Conv(c1, c_, 1, 1)
        self.cv2 = Conv(c1, c_, 1, 1)
        self.cv3 = Conv(2 * c_, c2, 1)
        self.m = nn.Sequential(*[Bottleneck(c_, c_, shortcut, g, e=1.0) for _ in range(n)])

    def forward(self, x):
        return self.cv3(torch.cat((self.m(self.cv1(x)), self.cv2(x)), dim=1))


class ShuffleV2Block(nn.Module):
    def __init__(self, inp, oup, stride):
        super().__init__()
        if not (1 <= stride <= 3):
            raise ValueError("illegal stride value")
        self.stride = stride
        branch_features = oup // 2
        if self.stride > 1:
            self.branch1 = nn.Sequential(
                self.depthwise_conv(inp, inp, kernel_size=3, stride=self.stride, padding=1),
                nn.BatchNorm2d(inp),
                nn.Conv2d(inp, branch_features, kernel_size=1, stride=1, padding=0, bias=False),
                nn.BatchNorm2d(branch_features),
                nn.SiLU(),
            )
        else:
            self.branch1 = nn.Sequential()
        self.branch2 = nn.Sequential(
            nn.Conv2d(inp if self.stride > 1 else branch_features, branch_features, 1, 1, 0, bias=False),
            nn.BatchNorm2d(branch_features),
            nn.SiLU(),
            self.depthwise_conv(branch_features, branch_features, kernel_size=3, stride=self.stride, padding=1),
            nn.BatchNorm2d(branch_features),
            nn.Conv2d(branch_features, branch_features, kernel_size=1, stride=1, padding=0, bias=False),
            nn.BatchNorm2d(branch_features),
            nn.SiLU(),
        )

    @staticmethod
    def depthwise_conv(i, o, kernel_size, stride=1, padding=0, bias=False):
        return nn.Conv2d(i, o, kernel_size, stride, padding, bias=bias, groups=i)

    def forward(self, x):
        if self.stride == 1:
            x1, x2 = x.chunk(2, dim=1)
            out = torch.cat((x1, self.branch2(x2)), dim=1)
        else:
            out = torch.cat((self.branch1(x), self.branch2(x)), dim=1)
        return channel_shuffle(out, 2)


class Concat(nn.Module):
    # Concatenate a list of tensors along dimension
    def __init__(self, dimension=1):
        super().__init__()
        self.d = dimension

    def forward(self, x):
        return torch.cat(x, self.d)


class Detect(nn.Module):
    """Upstream's detection layer. Pickled attributes: nc, no (= nc + 5 + 10), nl, na, grid (list, cached per
    level), stride, buffers anchors (in strides) and anchor_grid (in pixels), m (1x1 output convs)."""

    stride = None
    export_cat = False

    def forward(self, x):
        z = []  # inference output
        for i in range(self.nl):
            x[i] = self.m[i](x[i])  # conv
            bs, _, ny, nx = x[i].shape  # x(bs,48,20,20) to x(bs,3,20,20,16)
            x[i] = x[i].view(bs, self.na, self.no, ny, nx).permute(0, 1, 3, 4, 2).contiguous()
            if not self.training:  # inference
                if self.grid[i].shape[2:4] != x[i].shape[2:4]:
                    self.grid[i] = self._make_grid(nx, ny).to(x[i].device)
                y = torch.full_like(x[i], 0)
                class_range = list(range(5)) + list(range(15, 15 + self.nc))
                y[..., class_range] = x[i][..., class_range].sigmoid()
                y[..., 5:15] = x[i][..., 5:15]
                y[..., 0:2] = (y[..., 0:2] * 2.0 - 0.5 + self.grid[i].to(x[i].device)) * self.stride[i]  # xy
                y[..., 2:4] = (y[..., 2:4] * 2) ** 2 * self.anchor_grid[i]  # wh
                # landmarks x1 y1 .. x5 y5: raw offsets (no sigmoid) in anchor units from the cell's corner
                corner = self.grid[i].to(x[i].device) * self.stride[i]
                for k in range(5, 15, 2):
                    y[..., k : k + 2] = y[..., k : k + 2] * self.anchor_grid[i] + corner
                z.append(y.view(bs, -1, self.no))
        return x if self.training else (torch.cat(z, 1), x)

    @staticmethod
    def _make_grid(nx=20, ny=20):
        yv, xv = torch.meshgrid([torch.arange(ny), torch.arange(nx)], indexing="ij")
        return torch.stack((xv, yv), 2).view((1, 1, ny, nx, 2)).float()


class Model(nn.Module):
    """Upstream's Model: `model` is an nn.Sequential whose layers carry i (index), f (input layer(s), -1 the
    previous one) and type; `save` lists the layers whose outputs later layers read."""

    def forward(self, x, augment=False, profile=False):
        return self.forward_once(x)

    def forward_once(self, x):
        y = []  # outputs
        for m in self.model:
            if m.f != -1:  # if not from previous layer
                x = y[m.f] if isinstance(m.f, int) else [x if j == -1 else y[j] for j in m.f]
            x = m(x)
            y.append(x if m.i in self.save else None)
        return x

    def fuse(self):
        """Conv2d() + BatchNorm2d() layers of every Conv fused, as upstream's Model.fuse (ShuffleV2Block's
        Sequential BatchNorms stay separate, as upstream leaves them)."""
        for m in self.model.modules():
            if type(m) is Conv and hasattr(m, "bn"):
                m.conv = fuse_conv_and_bn(m.conv, m.bn)
                delattr(m, "bn")
                m.forward = m.fuseforward
            elif type(m) is nn.Upsample:
                m.recompute_scale_factor = None  # torch 1.11.0 compatibility
        return self


def fuse_conv_and_bn(conv, bn):
    # Upstream's utils/torch_utils.py fuse_conv_and_bn: https://tehnokv.com/posts/fusing-batchnorm-and-conv/
    fusedconv = nn.Conv2d(conv.in_channels, conv.out_channels, kernel_size=conv.kernel_size, stride=conv.stride,
                          padding=conv.padding, groups=conv.groups, bias=True)
    fusedconv = fusedconv.requires_grad_(False).to(conv.weight.device)
    w_conv = conv.weight.clone().view(conv.out_channels, -1)
    w_bn = torch.diag(bn.weight.div(torch.sqrt(bn.eps + bn.running_var)))
    fusedconv.weight.copy_(torch.mm(w_bn, w_conv).view(fusedconv.weight.size()))
    b_conv = torch.zeros(conv.weight.size(0), device=conv.weight.device) if conv.bias is None else conv.bias
    b_bn = bn.bias - bn.weight.mul(bn.running_mean).div(torch.sqrt(bn.running_var + bn.eps))
    fusedconv.bias.copy_(torch.mm(w_bn, b_conv.reshape(-1, 1)).reshape(-1) + b_bn)
    return fusedconv


def mapped_unpickler(classes):
    """A pickle module for torch.load whose Unpickler resolves the checkpoint's `models.common` / `models.yolo`
    classes through `classes` ({(module, name): class}); any other `models.*` class is an error naming it."""

    class Unpickler(pickle.Unpickler):
        def find_class(self, module, name):
            if module.startswith("models."):
                if (module, name) not in classes:
                    raise pickle.UnpicklingError(f"checkpoint needs {module}.{name}, which this loader lacks")
                return classes[(module, name)]
            return super().find_class(module, name)

    return types.SimpleNamespace(Unpickler=Unpickler, load=pickle.load, __name__="mapped_pickle")


CHECKPOINT_CLASSES = {
    ("models.common", c.__name__): c for c in (Conv, StemBlock, ShuffleV2Block, C3, Bottleneck, Concat)
} | {("models.yolo", c.__name__): c for c in (Model, Detect)}


def load_checkpoint(path, classes=None):
    """The checkpoint dict (its "model" a Model, FP16 as saved) with the classes mapped onto `classes`
    (default: this module's)."""
    return torch.load(path, map_location="cpu", weights_only=False,
                      pickle_module=mapped_unpickler(classes or CHECKPOINT_CLASSES))


def load_model(path, fuse=True):
    """The model as upstream's attempt_load leaves it: float32, Conv+BN fused (unless fuse=False), eval mode."""
    model = load_checkpoint(path)["model"].float()
    return (model.fuse() if fuse else model).eval()
