#!/usr/bin/env bash
# A virtualenv for the embedder's model conversion and Python references (tools/embedder/*.py).
#   tools/embedder/setup_venv.sh [VENV]   (default build/embedvenv; needs scripts/setup.sh's .venv)
# As tools/detector/setup_export_venv.sh: packages without their dependency lists (facenet-pytorch would pin an
# old torch), the torch wheel of .venv made importable through a .pth file, and only the modules the tools import,
# at pinned versions. Idempotent: pip skips what is there.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
venv=${1:-$root/build/embedvenv}
"$root/scripts/setup.sh" >/dev/null
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
pip=("$venv/bin/python" -m pip install -q --disable-pip-version-check --no-deps)
# Conversion: onnx2torch (ONNX -> torch.fx modules, then TorchScript); facenet-pytorch for InceptionResnetV1.
"${pip[@]}" onnx==1.23.2 onnx2torch==1.5.15 protobuf==7.36.2 ml_dtypes==0.5.4 facenet-pytorch==2.6.0 \
  typing_extensions==4.16.0 sympy==1.14.0 mpmath==1.3.0 networkx==3.6.1 Jinja2==3.1.6 MarkupSafe==3.0.4 \
  fsspec==2026.9.0 filelock==4.2.11 numpy==2.4.6 torchvision==0.26.0 pillow==13.0.0 requests==2.34.2 \
  charset-normalizer==3.5.2 idna==3.20 urllib3==2.8.0 certifi==2026.10.18 tqdm==4.70.1
# References: ONNX Runtime on crops cut with OpenCV; scikit-learn / scipy clustering and scores.
"${pip[@]}" onnxruntime==1.31.1 flatbuffers==25.12.19 coloredlogs==15.0.1 humanfriendly==10.0 packaging==26.3 \
  opencv-python-headless==5.0.0.93 scikit-learn==1.9.1 scipy==1.17.1 joblib==1.6.0 threadpoolctl==3.8.0 cloudpickle==3.1.2 narwhals==2.28.0
site=$("$venv/bin/python" -c 'import sysconfig;print(sysconfig.get_paths()["purelib"])')
torch_site=$("$root/.venv/bin/python" -c 'import sysconfig;print(sysconfig.get_paths()["purelib"])')
echo "$torch_site" > "$site/zz_trackkit_torch.pth"
"$venv/bin/python" - <<'PY'
import importlib.metadata as md, warnings
warnings.filterwarnings("ignore")
import torch, onnx, onnx2torch, onnxruntime, cv2, sklearn, scipy
from facenet_pytorch import InceptionResnetV1
print("embedder venv ready: torch", torch.__version__, "| onnx", onnx.__version__, "| onnx2torch",
      md.version("onnx2torch"), "| onnxruntime", onnxruntime.__version__, "| opencv", cv2.__version__,
      "| scikit-learn", sklearn.__version__, "| facenet-pytorch", md.version("facenet-pytorch"))
PY
