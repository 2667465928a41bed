#!/usr/bin/env python3
"""Layerscope entry point.

    python app.py                      the desktop app on the bundled demo model
    python app.py MODEL.param [--image IMG]
    python app.py run|bench|profile ...   headless commands (see --help of each)
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
DEMO_MODEL = ROOT / "resources" / "models" / "squeezenet_v1.1.param"
DEMO_IMAGE = ROOT / "resources" / "images" / "chelsea.png"


def display_available() -> bool:
    if os.environ.get("QT_QPA_PLATFORM", "") in ("offscreen", "minimal"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")) or sys.platform != "linux"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    from profiler.cli import SUBCOMMANDS, main as cli_main
    if argv and argv[0] in SUBCOMMANDS:
        return cli_main(argv)
    if not display_available() and any(a.startswith("--screenshot") for a in argv):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"  # a screenshot needs no screen
    me = Path(sys.executable).name if getattr(sys, "frozen", False) else "python app.py"
    if not display_available():
        print(f"layerscope: no display available; running the headless demo instead ({me} profile --demo)",
              file=sys.stderr)
        return cli_main(["profile", "--demo"])
    from gui.display_check import display_problem
    problem = display_problem()
    if problem:  # Qt would abort the process; say why and still do something useful
        print(f"layerscope: {problem}\nlayerscope: running the headless demo instead ({me} profile --demo)",
              file=sys.stderr)
        return cli_main(["profile", "--demo"])
    from gui.launch import run_gui
    return run_gui(argv, DEMO_MODEL, DEMO_IMAGE)


if __name__ == "__main__":
    sys.exit(main())
