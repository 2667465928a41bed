"""Can Qt open a window on this X11 display? Asked before Qt is imported, because a platform plugin that
cannot load makes Qt abort the whole process. Qt-free (importing Qt here would defeat the purpose)."""
from __future__ import annotations

import ctypes
import importlib.util
import os
import re
import sys
from pathlib import Path

# Debian/Ubuntu packages Qt 6's xcb plugin needs beyond a bare X11 client (what `ldd libqxcb.so` lists).
XCB_PACKAGES = ("libxcb-icccm4 libxcb-keysyms1 libxcb-cursor0 libxcb-image0 libxcb-render-util0 "
                "libxkbcommon-x11-0 libxcb-xkb1 libxcb-randr0 libxcb-shape0 libxcb-xinerama0 libxcb-xfixes0")


def _xcb_plugin() -> Path | None:
    spec = importlib.util.find_spec("PySide6")
    for root in (spec.submodule_search_locations or []) if spec else []:
        plugin = Path(root) / "Qt" / "plugins" / "platforms" / "libqxcb.so"
        if plugin.is_file():
            return plugin
    return None


def display_problem() -> str | None:
    """None when Qt can use the display (or it is not X11); otherwise what is missing and how to fix it."""
    platform = os.environ.get("QT_QPA_PLATFORM", "")
    if sys.platform != "linux" or platform not in ("", "xcb") or not os.environ.get("DISPLAY"):
        return None
    if os.environ.get("WAYLAND_DISPLAY") and platform == "":
        return None  # Qt picks Wayland first there
    plugin = _xcb_plugin()
    if plugin is None:
        return None
    try:
        ctypes.CDLL(str(plugin))
    except OSError as e:
        missing = re.search(r"(lib[\w.+-]+\.so[\w.]*): cannot open", str(e))
        what = missing.group(1) if missing else str(e)
        return (f"Qt cannot open a window on this X11 display: the system library {what} is missing. "
                f"Install Qt's X11 dependencies (Debian/Ubuntu: sudo apt install {XCB_PACKAGES}), "
                "or use the headless commands (python app.py profile --demo).")
    return None
