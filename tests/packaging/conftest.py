"""The `packaging` marker, and the frozen app built once per test session (it takes a minute or two)."""
from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess

import pytest

from .frozen import FrozenApp, load_build_module


def pytest_configure(config: pytest.Config) -> None:
    # Also listed in tests/conftest.py's REQUIRABLE once CI requires it; registering twice is harmless.
    config.addinivalue_line("markers", "packaging: builds the frozen app with PyInstaller (slow; "
                                       "needs requirements-packaging.txt)")


@pytest.fixture(scope="session")
def frozen_app(tmp_path_factory: pytest.TempPathFactory) -> FrozenApp:
    if importlib.util.find_spec("PyInstaller") is None:
        pytest.skip("PyInstaller is not installed (pip install -r requirements-packaging.txt)")
    packaging_build = load_build_module()
    base = tmp_path_factory.mktemp("frozen")
    try:
        built = packaging_build.build(base / "dist", base / "work", quiet=True)
    except (RuntimeError, subprocess.TimeoutExpired) as e:
        pytest.fail(f"the frozen app did not build: {e}")
    # Move it away from the build tree and run it from an empty folder, as a user who downloaded it would.
    user = tmp_path_factory.mktemp("user")
    folder = user / "layerscope"
    shutil.copytree(built, folder, symlinks=True)
    shutil.rmtree(base)
    home = user / "home"
    home.mkdir()
    assert not any(p.name in ("app.py", "pyproject.toml", ".venv") for p in user.iterdir())
    assert os.access(folder / "layerscope", os.X_OK)
    return FrozenApp(folder, home)
