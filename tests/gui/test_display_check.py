"""The pre-Qt display check: a missing xcb dependency becomes a clear message instead of Qt aborting."""
from __future__ import annotations

import ctypes

import pytest

from gui import display_check


@pytest.fixture
def x11(monkeypatch, tmp_path):
    plugin = tmp_path / "libqxcb.so"
    plugin.write_bytes(b"")
    monkeypatch.setattr(display_check, "_xcb_plugin", lambda: plugin)
    monkeypatch.setattr(display_check.sys, "platform", "linux")
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    return plugin


def test_a_missing_library_is_named_with_the_packages_to_install(monkeypatch, x11):
    def refuse(path):
        raise OSError(f"{path}: libxcb-icccm.so.4: cannot open shared object file: No such file or directory")
    monkeypatch.setattr(ctypes, "CDLL", refuse)
    problem = display_check.display_problem()
    assert "libxcb-icccm.so.4" in problem and "sudo apt install" in problem and "libxcb-icccm4" in problem


def test_a_loadable_plugin_is_no_problem(monkeypatch, x11):
    monkeypatch.setattr(ctypes, "CDLL", lambda path: object())
    assert display_check.display_problem() is None


@pytest.mark.parametrize("env", [{"QT_QPA_PLATFORM": "offscreen"}, {"DISPLAY": ""}])
def test_not_asked_when_qt_will_not_use_x11(monkeypatch, x11, env):
    def boom(path):
        raise AssertionError("must not load the plugin")
    monkeypatch.setattr(ctypes, "CDLL", boom)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    assert display_check.display_problem() is None
