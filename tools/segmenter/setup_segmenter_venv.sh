#!/usr/bin/env bash
# A virtualenv for the segmenter's export and reference tools (export_sam.py, reference_sam.py, rle_reference.py).
#   tools/segmenter/setup_segmenter_venv.sh [VENV]   (default build/segvenv; needs scripts/setup.sh's .venv)
# The recipe of tools/detector/setup_export_venv.sh: packages without their dependency lists, pinned, and the
# torch wheel of .venv made importable through a .pth file. segment-anything (SAM ViT-B/L/H, SamPredictor),
# mobilesam-mirror (MobileSAM's `mobile_sam`: TinyViT + SAM's decoder) and the timm modules TinyViT imports;
# pycocotools for the RLE reference. None of these wheels holds weights (docs/segmenter.md). Idempotent.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
venv=${1:-$root/build/segvenv}
"$root/scripts/setup.sh" >/dev/null
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
pip=("$venv/bin/python" -m pip install -q --disable-pip-version-check --no-deps)
"${pip[@]}" segment-anything==1.0 mobilesam-mirror==1.0.0 timm==1.0.31 pycocotools==2.0.11 torchvision==0.26.0 \
  numpy==2.4.6 pillow==13.0.0 PyYAML==6.0.3 opencv-python-headless==5.0.0.93 typing_extensions==4.16.0 \
  sympy==1.14.0 mpmath==1.3.0 networkx==3.6.1 Jinja2==3.1.6 MarkupSafe==3.0.4 fsspec==2026.9.0 filelock==4.2.11
site=$("$venv/bin/python" -c 'import sysconfig;print(sysconfig.get_paths()["purelib"])')
torch_site=$("$root/.venv/bin/python" -c 'import sysconfig;print(sysconfig.get_paths()["purelib"])')
echo "$torch_site" > "$site/zz_trackkit_torch.pth"
"$venv/bin/python" - <<'PY'
import warnings
warnings.filterwarnings("ignore")
import importlib.metadata as md, torch, segment_anything, mobile_sam, pycocotools.mask  # noqa: F401
print("segmenter venv ready: torch", torch.__version__, "| segment-anything", md.version("segment-anything"),
      "| mobilesam-mirror", md.version("mobilesam-mirror"), "| timm", md.version("timm"),
      "| pycocotools", md.version("pycocotools"))
PY
