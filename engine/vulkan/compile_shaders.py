"""Compile shaders/*.comp to the committed .spv files: `python -m engine.vulkan.compile_shaders`.

Fixed flags and no debug info make the output depend only on the source and the glslc version,
so tests/engine/vulkan/test_shaders_fresh.py can compare bytes.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

SHADER_DIR = Path(__file__).parent / "shaders"
FLAGS = ("-fshader-stage=compute", "--target-env=vulkan1.1", "-O", "-Werror")


def glslc() -> str | None:
    return shutil.which("glslc")


def compile_shader(source: Path) -> bytes:
    exe = glslc()
    if exe is None:
        raise RuntimeError("glslc is not installed (Debian: apt-get install glslc)")
    # stdin input keeps the file's path out of the output; -I finds common.glsl
    proc = subprocess.run([exe, *FLAGS, "-I", str(SHADER_DIR), "-o", "-", "-"], input=source.read_bytes(),
                          capture_output=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"glslc failed on {source.name}:\n{proc.stderr.decode(errors='replace')}")
    return proc.stdout


def sources() -> list[Path]:
    return sorted(SHADER_DIR.glob("*.comp"))


def main() -> int:
    for src in sources():
        out = src.with_suffix(".spv")
        data = compile_shader(src)
        if not out.exists() or out.read_bytes() != data:
            out.write_bytes(data)
            print(f"compiled {src.name} -> {out.name} ({len(data)} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
