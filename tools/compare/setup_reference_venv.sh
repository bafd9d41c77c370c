#!/usr/bin/env bash
# A virtualenv for the Python reference trackers (ultralytics' BYTETracker), under the build tree.
#   tools/compare/setup_reference_venv.sh [VENV]   (default build/refvenv; needs scripts/setup.sh's .venv)
# ultralytics is installed without its dependency list (which would pull a second, 3 GB torch): the torch
# wheel of .venv is made importable through a .pth file, and only the modules the trackers import are added.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
venv=${1:-$root/build/refvenv}
"$root/scripts/setup.sh" >/dev/null
python3 -m venv "$venv"
pip=("$venv/bin/python" -m pip install -q --disable-pip-version-check)
"${pip[@]}" --no-deps ultralytics==8.4.190 torchvision==0.26.0
"${pip[@]}" numpy==2.4.6 scipy==1.17.1 lap==0.5.13 PyYAML==6.0.3 opencv-python-headless==5.0.0.93 pillow==13.0.0 \
  requests==2.34.2 psutil==7.2.2 tqdm==4.70.1 polars==2.1.0 typing_extensions==4.16.0 sympy==1.14.0 \
  networkx==3.6.1 Jinja2==3.1.6 fsspec==2026.9.0 filelock==4.2.11
site=$("$venv/bin/python" -c 'import sysconfig;print(sysconfig.get_paths()["purelib"])')
torch_site=$("$root/.venv/bin/python" -c 'import sysconfig;print(sysconfig.get_paths()["purelib"])')
echo "$torch_site" > "$site/zz_trackkit_torch.pth"
"$venv/bin/python" -c 'from ultralytics.trackers.byte_tracker import BYTETracker; import ultralytics; print("reference venv ready: ultralytics", ultralytics.__version__)'
