#!/usr/bin/env python3
"""Render packaging/layerscope.svg to the PNG the desktop entry uses: `python packaging/render_icon.py`.

The PNG is committed (desktops without SVG icon support need it); rerun this after editing the SVG.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SVG = HERE / "layerscope.svg"
PNG = HERE / "layerscope.png"
SIZE = 256


def render(svg: Path, size: int):  # noqa: ANN201 - a QImage; Qt is imported lazily
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841 - QPainter needs one
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise ValueError(f"{svg}: not a valid SVG")
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    return image


def main() -> int:
    if not render(SVG, SIZE).save(str(PNG)):
        print(f"render_icon: could not write {PNG}", file=sys.stderr)
        return 1
    print(f"wrote {PNG} ({SIZE}x{SIZE})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
