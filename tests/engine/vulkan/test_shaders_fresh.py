"""Every committed .spv is what glslc makes of its .comp today (fixed flags, no debug info)."""
from __future__ import annotations

import pytest

from engine.vulkan.compile_shaders import SHADER_DIR, compile_shader, glslc, sources

pytestmark = pytest.mark.glslc


@pytest.fixture(scope="module")
def compiler() -> str:
    exe = glslc()
    if exe is None:
        pytest.skip("glslc is not installed (Debian: apt-get install glslc)")
    return exe


def test_there_are_shaders_and_each_has_its_spv():
    names = {p.stem for p in sources()}
    assert names, "no shaders found"
    assert names == {p.stem for p in SHADER_DIR.glob("*.spv")}, "a .comp without .spv or a stray .spv"


@pytest.mark.parametrize("source", sources(), ids=lambda p: p.name)
def test_spv_is_fresh(compiler, source):
    fresh = compile_shader(source)
    assert fresh[:4] == b"\x03\x02\x23\x07", "not SPIR-V"
    committed = source.with_suffix(".spv").read_bytes()
    assert committed == fresh, (f"{source.with_suffix('.spv').name} is stale: run "
                                "`python -m engine.vulkan.compile_shaders` and commit the .spv")


def test_compilation_is_deterministic(compiler):
    src = sources()[0]
    assert compile_shader(src) == compile_shader(src)
