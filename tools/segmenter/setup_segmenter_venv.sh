#!/usr/bin/env bash
# A virtualenv for the segmenter's export and reference tools (export_sam.py, reference_sam.py, rle_reference.py).
#   tools/segmenter/setup_segmenter_venv.sh [VENV]   (default build/segvenv; needs scripts/setup.sh's .venv)
# The recipe of tools/detector/setup_export_venv.sh: packages without their dependency lists, pinned, and the
# torch wheel of .venv made importable through a .pth file. segment-anything (SAM ViT-B/L/H, SamPredictor),
# mobilesam-mirror (MobileSAM's `mobile_sam`: TinyViT + SAM's decoder) and the timm modules TinyViT imports;
# sam2 (SAM 2 / 2.1, SAM2ImagePredictor) with hydra-core / omegaconf / iopath for its configs; efficientsam
# (EfficientViT-SAM and its predictor); pycocotools for the RLE reference. None of these wheels holds weights (docs/segmenter.md). Idempotent.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
venv=${1:-$root/build/segvenv}
"$root/scripts/setup.sh" >/dev/null
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
pip=("$venv/bin/python" -m pip install -q --disable-pip-version-check --no-deps)
"${pip[@]}" segment-anything==1.0 mobilesam-mirror==1.0.0 timm==1.0.31 pycocotools==2.0.11 torchvision==0.26.0 \
  numpy==2.4.6 pillow==13.0.0 PyYAML==6.0.3 opencv-python-headless==5.0.0.93 typing_extensions==4.16.0 \
  sympy==1.14.0 mpmath==1.3.0 networkx==3.6.1 Jinja2==3.1.6 MarkupSafe==3.0.4 fsspec==2026.9.0 filelock==4.2.11 \
  hydra-core==1.3.2 omegaconf==2.3.0 antlr4-python3-runtime==4.9.3 iopath==0.1.10 portalocker==2.10.1 tqdm==4.67.1 \
  packaging==24.2 wheel==0.45.1 efficientsam==1.0.0
site=$("$venv/bin/python" -c 'import sysconfig;print(sysconfig.get_paths()["purelib"])')
torch_site=$("$root/.venv/bin/python" -c 'import sysconfig;print(sysconfig.get_paths()["purelib"])')
echo "$torch_site" > "$site/zz_trackkit_torch.pth"
# SAM 2 (PyPI sam2 1.1.0 is an sdist): built here without its CUDA extension (only the optional mask post-processing
# uses it, off in SAM2ImagePredictor's defaults), against .venv's torch (no build isolation).
"$venv/bin/python" -c 'import sam2' 2>/dev/null ||
  SAM2_BUILD_CUDA=0 "${pip[@]}" --no-build-isolation sam2==1.1.0
"$venv/bin/python" - <<'PY'
import warnings
warnings.filterwarnings("ignore")
import importlib.metadata as md, torch, segment_anything, mobile_sam, pycocotools.mask, sam2  # noqa: F401
print("segmenter venv ready: torch", torch.__version__, "| segment-anything", md.version("segment-anything"),
      "| mobilesam-mirror", md.version("mobilesam-mirror"), "| timm", md.version("timm"),
      "| pycocotools", md.version("pycocotools"), "| sam2", md.version("sam2"))
PY
