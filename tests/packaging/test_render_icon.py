"""The committed PNG icon is the rendering of the committed SVG (rerun packaging/render_icon.py after edits)."""
from __future__ import annotations

import importlib.util

import cv2
import numpy as np
import pytest

from .frozen import ROOT

pytestmark = pytest.mark.gui


def _render_icon_module():  # noqa: ANN202 - packaging/render_icon.py, loaded by path
    spec = importlib.util.spec_from_file_location("layerscope_render_icon", ROOT / "packaging" / "render_icon.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_png_is_the_svg_rendered_at_256(tmp_path):
    pytest.importorskip("PySide6.QtSvg")
    mod = _render_icon_module()
    out = tmp_path / "icon.png"
    assert mod.render(mod.SVG, mod.SIZE).save(str(out))
    committed = cv2.imread(str(mod.PNG), cv2.IMREAD_UNCHANGED)
    fresh = cv2.imread(str(out), cv2.IMREAD_UNCHANGED)
    assert committed.shape == fresh.shape == (256, 256, 4)
    # Same renderer, same SVG: the same pixels; a stale PNG differs in whole shapes, not in a few values.
    assert int(np.abs(committed.astype(int) - fresh.astype(int)).max()) == 0
    # Rounded corners are transparent, the middle opaque (what launchers draw on any background).
    assert committed[0, 0, 3] == 0 and committed[128, 128, 3] == 255


def test_invalid_svg_is_refused(tmp_path):
    pytest.importorskip("PySide6.QtSvg")
    bad = tmp_path / "bad.svg"
    bad.write_text("<svg")
    with pytest.raises(ValueError, match="bad.svg"):
        _render_icon_module().render(bad, 16)
