"""House rules from docs/architecture.md that a test can hold: the Qt wall and the file-size budget."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QT_FREE = ["engine", "engine.layers", "engine.preprocess", "engine.model_files", "profiler", "profiler.cli"]
OPTIONAL_QT_FREE = ["gui.state", "gui.graph_layout"]


def test_engine_profiler_and_gui_state_never_import_qt():
    modules = QT_FREE + [m for m in OPTIONAL_QT_FREE if (ROOT / m.replace(".", "/")).exists()
                         or (ROOT / (m.replace(".", "/") + ".py")).exists()]
    code = ("import sys, importlib\n"
            f"for m in {modules!r}: importlib.import_module(m)\n"
            "import engine.registry as r; r.supported_types()\n"
            "bad = sorted(k for k in sys.modules if k.split('.')[0] in ('PySide6', 'shiboken6', 'pyqtgraph'))\n"
            "print(','.join(bad))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"Qt was imported by the Qt-free rooms: {out.stdout}"


def test_no_python_file_is_over_500_lines():
    tracked = subprocess.run(["git", "ls-files", "*.py"], cwd=ROOT, capture_output=True, text=True).stdout.split()
    files = tracked or [str(p.relative_to(ROOT)) for p in ROOT.rglob("*.py") if ".venv" not in p.parts]
    too_long = {f: n for f in files if (p := ROOT / f).exists() and (n := len(p.read_text().splitlines())) > 500}
    assert not too_long, f"split these by responsibility: {too_long}"
