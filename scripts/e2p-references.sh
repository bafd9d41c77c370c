#!/usr/bin/env bash
# EquirectToPinhole's test references in the build tree: a venv with py360convert 1.0.4 (PyPI) and the outputs of
# tools/compare/e2p_reference.py in BUILD/e2p-ref (a few seconds; redone only when the script changes).
#   scripts/e2p-references.sh [BUILD_DIR]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${1:-${TRACKKIT_BUILD:-$root/build}}
data=${TRACKKIT_DATA:-$(cd "$root/.." && pwd)/shared/data}
if [ ! -f "$data/equirect/py360_room_1024x512.jpg" ]; then
  echo "e2p-references: no $data/equirect; the e2p reference tests will skip"
  exit 0
fi
venv=$build/e2pvenv
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import py360convert, cv2, PIL' 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/python" -m pip install -q --disable-pip-version-check py360convert==1.0.4 numpy==2.4.6 scipy==1.17.1 \
    pillow==13.0.0 opencv-python-headless==5.0.0.93
fi
stamp=$build/e2p-ref/.script.sha256
want=$(sha256sum "$root/tools/compare/e2p_reference.py" | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  "$venv/bin/python" "$root/tools/compare/e2p_reference.py" "$data" "$build/e2p-ref"
  echo "$want" > "$stamp"
fi
