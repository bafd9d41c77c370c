"""ctest's entry to the Python suite (tests/CMakeLists.txt, test python/pytest): runs pytest on this folder, or
exits 77 (ctest: skipped) where this Python lacks pytest or numpy >= 2.1 (scripts/setup.sh installs both).

    python tests/python/run_suite.py [pytest arguments]
"""
import os
import sys

try:
    import numpy
    import pytest
except ImportError as missing:
    print(f"SKIPPED: {missing.name} is not installed for {sys.executable} (scripts/setup.sh installs it)")
    sys.exit(77)
if tuple(int(part) for part in numpy.__version__.split(".")[:2]) < (2, 1):
    print(f"SKIPPED: numpy {numpy.__version__} has no versioned DLPack (trackkit needs >= 2.1)")
    sys.exit(77)

# -p no:cacheprovider: nothing written into the source tree.
sys.exit(pytest.main(["-q", "-rs", "-p", "no:cacheprovider", os.path.dirname(os.path.abspath(__file__)),
                      *sys.argv[1:]]))
