"""The ctypes mirrors cannot drift from the C headers: every struct's size and field offsets against the frozen
layouts of capi/src/abi_layout.hpp and against the headers as a C compiler lays them out; every tk_ function of the
headers has a prototype with its number of parameters."""
import ctypes
import importlib.util
import os
import re
import shutil

import pytest
from conftest import BUILD, REPO

from trackkit import _lib, _structs

LAYOUT = REPO / "capi" / "src" / "abi_layout.hpp"
HEADERS = REPO / "capi" / "include" / "trackkit"


def frozen_layouts():
    """{struct: (first-layout size, {field: offset})} from abi_layout.hpp."""
    text = LAYOUT.read_text()
    sizes = dict(re.findall(r"FirstLayout<(\w+)> \{\s*static constexpr size_t size = (\d+);", text))
    layouts = {name: (int(size), {}) for name, size in sizes.items()}
    for name, field, offset in re.findall(r"static_assert\(offsetof\((\w+), (\w+)\) == (\d+)\);", text):
        layouts[name][1][field] = int(offset)
    return layouts


def python_offsets(cls):
    return {name: getattr(cls, name).offset for name, _ in cls._fields_}


def test_every_struct_of_the_frozen_layout_is_mirrored_with_its_offsets():
    layouts = frozen_layouts()
    mirrored = {cls.__name__: cls for cls in _structs.ABI_STRUCTS}
    assert len(layouts) >= 18
    assert sorted(layouts) == sorted(mirrored), "structs in abi_layout.hpp and in trackkit/_structs.py differ"
    for name, (size, offsets) in layouts.items():
        cls = mirrored[name]
        # Fields in the same order (a dict keeps insertion order) at the same offsets; a grown struct only appends.
        assert list(python_offsets(cls))[:len(offsets)] == list(offsets), name
        assert python_offsets(cls) == {**python_offsets(cls), **offsets}, name
        assert ctypes.sizeof(cls) >= size, f"{name}: sizeof {ctypes.sizeof(cls)} < first layout {size}"


def test_abi_1_0_struct_sizes_equal_the_first_layout():
    # Every struct still has its first layout (1.1 only added structs): the Python mirrors are exactly that size.
    for name, (size, _) in frozen_layouts().items():
        assert ctypes.sizeof(getattr(_structs, name)) == size, name


def _compiled_layouts(structs):
    """Sizes and offsets of `structs` [(name, fields)] as the C compiler lays out the current headers (the
    measurement of tools/abi/freeze_layout.py)."""
    compiler = shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
    dlpack = BUILD / "include" / "dlpack" / "dlpack.h"
    if compiler is None or not dlpack.exists():
        pytest.skip(f"no C compiler or no {dlpack} to compile the headers with")
    spec = importlib.util.spec_from_file_location("freeze_layout", REPO / "tools" / "abi" / "freeze_layout.py")
    freeze = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(freeze)
    os.environ.setdefault("TRACKKIT_DLPACK_INCLUDE", str(BUILD / "include"))
    return freeze.measure(compiler, [(name, fields, None) for name, fields in structs])


@pytest.mark.parametrize("group", ["trackkit", "dlpack"])
def test_mirrors_equal_the_compiled_headers(group):
    classes = _structs.ABI_STRUCTS if group == "trackkit" else _structs.DLPACK_STRUCTS
    structs = [(cls.__name__, [name for name, _ in cls._fields_]) for cls in classes]
    measured = _compiled_layouts(structs)
    for cls in classes:
        assert ctypes.sizeof(cls) == measured[(cls.__name__, "size")], cls.__name__
        for field, offset in python_offsets(cls).items():
            assert offset == measured[(cls.__name__, field)], f"{cls.__name__}.{field}"


def header_functions():
    """{tk_ function: number of parameters} of every TK_API declaration in the headers."""
    found = {}
    for header in [HEADERS / "trackkit.h", *sorted((HEADERS / "c").glob("*.h"))]:
        text = re.sub(r"/\*.*?\*/", "", header.read_text(), flags=re.S)
        for name, parameters in re.findall(r"TK_API\s+[^;(]*?\b(tk_\w+)\s*\(([^;]*?)\)\s*;", text, flags=re.S):
            parameters = parameters.strip()
            found[name] = 0 if parameters in ("", "void") else parameters.count(",") + 1
    return found


def test_every_header_function_has_a_prototype_with_its_parameters():
    declared = header_functions()
    assert len(declared) > 100
    prototypes = _lib._PROTOTYPES
    assert sorted(declared) == sorted(prototypes), "tk_ functions of the headers and of trackkit/_lib.py differ"
    for name, count in declared.items():
        assert len(prototypes[name][1]) == count, name
        assert getattr(_lib.lib, name).argtypes == prototypes[name][1], name
