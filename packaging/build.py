#!/usr/bin/env python3
"""Build the one-folder Linux app with PyInstaller.

    .venv/bin/python -m pip install -r requirements-packaging.txt
    .venv/bin/python packaging/build.py                 -> dist/layerscope/layerscope
    .venv/bin/python packaging/build.py --dist DIR      -> DIR/layerscope/layerscope

Prints the folder, its size and whether a libvulkan slipped in (it must not: the system's loader is used).
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "packaging" / "layerscope.spec"
APP_NAME = "layerscope"
# Shipped beside the executable so that a user can install the downloaded folder: `./install.sh`.
INSTALL_FILES = ("install.sh", "layerscope.desktop", "layerscope-mime.xml", "layerscope.svg", "layerscope.png")


def folder_size(folder: Path) -> int:
    """Bytes of regular files under folder (symlinks not followed, so nothing counts twice)."""
    return sum(p.lstat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def bundled_vulkan_loaders(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("libvulkan*"))


def build(dist: Path, work: Path, python: str = sys.executable, quiet: bool = False, timeout_s: float = 1800) -> Path:
    """Run PyInstaller on the spec; returns the app folder. Raises RuntimeError with PyInstaller's log tail."""
    cmd = [python, "-m", "PyInstaller", "--noconfirm", "--clean", "--distpath", str(dist),
           "--workpath", str(work), "--log-level", "WARN", str(SPEC)]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    proc = subprocess.run(cmd, cwd=ROOT, env=env, text=True, capture_output=quiet, timeout=timeout_s)
    if proc.returncode != 0:
        tail = (proc.stderr or "")[-4000:] if quiet else "(see the output above)"
        raise RuntimeError(f"PyInstaller failed (exit {proc.returncode}) on {SPEC}:\n{tail}")
    app = dist / APP_NAME
    if not (app / APP_NAME).is_file():
        raise RuntimeError(f"PyInstaller finished but {app / APP_NAME} is missing")
    for name in INSTALL_FILES:
        shutil.copy2(ROOT / "packaging" / name, app / name)
    return app


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--dist", default=str(ROOT / "dist"), help="output folder (default: dist/)")
    p.add_argument("--work", default=str(ROOT / "build" / "pyinstaller"), help="PyInstaller's work folder")
    args = p.parse_args(argv)
    try:
        app = build(Path(args.dist).resolve(), Path(args.work).resolve())
    except RuntimeError as e:
        print(f"build: {e}", file=sys.stderr)
        return 1
    loaders = bundled_vulkan_loaders(app)
    print(f"built {app / APP_NAME}")
    print(f"size: {folder_size(app) / 2**20:.0f} MiB in {sum(1 for _ in app.rglob('*'))} entries")
    if loaders:
        print(f"error: a Vulkan loader was bundled (it would hide the system's): {loaders}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
