"""Running the frozen app and the source app the same way, as a user would (no virtualenv, no PYTHONPATH)."""
from __future__ import annotations

import importlib.util
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def clean_env(home: Path, **extra: str) -> dict[str, str]:
    """A user's environment: no virtualenv, no PYTHONPATH, no project variables; Qt offscreen."""
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8",
           "QT_QPA_PLATFORM": "offscreen", "TMPDIR": str(home)}
    env.update(extra)
    return env


@dataclass(frozen=True)
class Run:
    rc: int
    out: str
    err: str

    def text(self) -> str:
        return self.out + self.err


@dataclass(frozen=True)
class FrozenApp:
    folder: Path  # the built one-folder app, copied away from the build tree
    home: Path  # an empty directory to run in: no source tree and no virtualenv next to it

    @property
    def exe(self) -> Path:
        return self.folder / "layerscope"

    def run(self, args: list[str], cwd: Path | None = None, timeout: float = 600, wrap: list[str] | None = None,
            **env: str) -> Run:
        p = subprocess.run([*(wrap or []), str(self.exe), *args], cwd=cwd or self.home,
                           env=clean_env(self.home, **env), capture_output=True, text=True, timeout=timeout)
        return Run(p.returncode, p.stdout, p.stderr)


def run_source(args: list[str], cwd: Path, timeout: float = 600, wrap: list[str] | None = None, **env: str) -> Run:
    """The same command from the source tree, with the interpreter that runs the tests."""
    p = subprocess.run([*(wrap or []), sys.executable, str(ROOT / "app.py"), *args], cwd=cwd,
                       env=clean_env(cwd, **env), capture_output=True, text=True, timeout=timeout)
    return Run(p.returncode, p.stdout, p.stderr)


def load_build_module():  # noqa: ANN201 - the module packaging/build.py (not a package: loaded by path)
    spec = importlib.util.spec_from_file_location("layerscope_packaging_build", ROOT / "packaging" / "build.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
