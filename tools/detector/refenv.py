"""Shared set-up for the detector export/reference tools: an offline ultralytics, the pickled yolov5 classes.

Import this module before torch, ultralytics or yolov5.
"""
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(os.environ.get("TRACKKIT_DATA", ROOT.parent / "shared" / "data"))
# ultralytics: never download, keep its settings file under build/ instead of ~/.config.
os.environ.setdefault("YOLO_CONFIG_DIR", str(ROOT / "build" / "ultralytics-config"))
os.environ.setdefault("YOLO_OFFLINE", "1")
os.environ.setdefault("YOLO_VERBOSE", "False")
# yolov5.pt is a pickled model object: torch>=2.6 loads weights_only by default, which refuses it. yolov5's own
# attempt_load() calls torch.load(path) without the argument, so the reference path needs the old default.
os.environ.setdefault("TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD", "1")

import warnings  # noqa: E402

warnings.filterwarnings("ignore", category=FutureWarning)
warnings.filterwarnings("ignore", category=UserWarning, module="yolov5")

_yolov5_ready = False


def import_yolov5():
    """Import the PyPI yolov5 package and alias its modules under the top-level names the checkpoints pickle.

    yolov5n.pt refers to `models.yolo.DetectionModel`, `models.common.Conv`, ... (the layout of the yolov5 repo).
    The PyPI package holds the same code as `yolov5.models.*`/`yolov5.utils.*`; yolov5/models/yolo.py also appends
    the package folder to sys.path, which would import a second copy of every class as `models.*` (and then
    isinstance(m, yolov5.models.yolo.Detect) is False for the unpickled head). Aliasing the loaded modules makes
    both names one module.
    """
    global _yolov5_ready
    if _yolov5_ready:
        return
    import importlib

    for name in ("yolov5.models.yolo", "yolov5.models.common", "yolov5.models.experimental",
                 "yolov5.utils.general", "yolov5.utils.torch_utils", "yolov5.utils.dataloaders",
                 "yolov5.utils.augmentations", "yolov5.utils.plots", "yolov5.utils.metrics",
                 "yolov5.utils.autoanchor", "yolov5.utils.downloads"):
        importlib.import_module(name)
    # The PyPI package first asks the Hugging Face hub about every weights path (network, and the
    # huggingface_hub module it needs is not installed): local files only here.
    def _no_hub(*args, **kwargs):
        return None

    for name in ("yolov5.utils.downloads", "yolov5.models.common"):
        if hasattr(sys.modules[name], "attempt_download_from_hub"):
            sys.modules[name].attempt_download_from_hub = _no_hub
    for name, mod in list(sys.modules.items()):
        if name.startswith(("yolov5.models", "yolov5.utils")):
            sys.modules[name[len("yolov5."):]] = mod
    _yolov5_ready = True


def ultralytics_letterbox_input(image_bgr, shape=(640, 640)):
    """BGR uint8 HWC -> float [1,3,H,W] RGB /255 through ultralytics' LetterBox (fixed size, as predict rect=False)."""
    import torch
    from ultralytics.data.augment import LetterBox

    lb = LetterBox(shape, auto=False)(image=image_bgr)
    return torch.from_numpy(lb[..., ::-1].copy()).permute(2, 0, 1)[None].float() / 255
