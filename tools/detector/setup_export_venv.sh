#!/usr/bin/env bash
# A virtualenv for the detector export and reference tools (export_yolo.py, reference_detect.py).
#   tools/detector/setup_export_venv.sh [VENV]   (default build/exportvenv; needs scripts/setup.sh's .venv)
# Same recipe as tools/compare/setup_reference_venv.sh: ultralytics (and here the PyPI `yolov5` package) are
# installed without their dependency lists (which would pull a second, 3 GB torch plus tensorboard, boto3,
# sahi, roboflow, huggingface-hub...); the torch wheel of .venv is made importable through a .pth file, and
# only the modules their import paths need are added, at pinned versions. Idempotent: pip skips what is there.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
venv=${1:-$root/build/exportvenv}
"$root/scripts/setup.sh" >/dev/null
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
pip=("$venv/bin/python" -m pip install -q --disable-pip-version-check)
# The two reference packages and torchvision (ops.nms), without dependencies.
"${pip[@]}" --no-deps ultralytics==8.4.190 yolov5==7.0.14 torchvision==0.26.0
# ultralytics' runtime needs (as the reference venv) ...
"${pip[@]}" --no-deps numpy==2.4.6 scipy==1.17.1 PyYAML==6.0.3 opencv-python-headless==5.0.0.93 pillow==13.0.0 \
  requests==2.34.2 charset-normalizer==3.5.2 idna==3.20 urllib3==2.8.0 certifi==2026.10.18 \
  psutil==7.2.2 tqdm==4.70.1 polars==2.1.0 polars-runtime-32==2.1.0 typing_extensions==4.16.0 sympy==1.14.0 \
  mpmath==1.3.0 networkx==3.6.1 Jinja2==3.1.6 MarkupSafe==3.0.4 fsspec==2026.9.0 filelock==4.2.11 \
  lap==0.5.13
# ... plus what yolov5's import path (models.common -> utils.general/plots) needs: pandas, matplotlib, seaborn.
"${pip[@]}" --no-deps pandas==3.1.1 matplotlib==3.11.2 seaborn==0.13.2 contourpy==1.3.3 cycler==0.12.1 \
  fonttools==4.68.0 kiwisolver==1.5.1 packaging==26.3 pyparsing==3.3.3 python-dateutil==4.0.0 tzdata==2026.6
site=$("$venv/bin/python" -c 'import sysconfig;print(sysconfig.get_paths()["purelib"])')
torch_site=$("$root/.venv/bin/python" -c 'import sysconfig;print(sysconfig.get_paths()["purelib"])')
echo "$torch_site" > "$site/zz_trackkit_torch.pth"
# Offline, quiet ultralytics: its settings file and font/asset downloads stay under the venv.
export YOLO_CONFIG_DIR="$venv/ultralytics-config" YOLO_OFFLINE=1
"$venv/bin/python" - <<'PY'
import importlib.metadata as md, warnings
warnings.filterwarnings("ignore")
import torch, torchvision, ultralytics, numpy, cv2
import yolov5.models.yolo, yolov5.utils.general  # the classes yolov5n.pt unpickles to, and NMS/scale_boxes
print("export venv ready: torch", torch.__version__, "| torchvision", torchvision.__version__,
      "| ultralytics", ultralytics.__version__, "| yolov5", md.version("yolov5"), "| numpy", numpy.__version__,
      "| opencv", cv2.__version__, "| pandas", md.version("pandas"))
PY
