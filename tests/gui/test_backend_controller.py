"""The backend switch and the CPU-vs-Vulkan view, on lavapipe: runs go where the user chose, a
Vulkan that cannot be used falls back to the CPU with a message, and the comparison fills its dock."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

pytestmark = [pytest.mark.gui, pytest.mark.vulkan]
pytest.importorskip("pytestqt", reason="pytest-qt is not installed")

from gui.main_window import MainWindow  # noqa: E402
from gui.state.backends import BackendChoice  # noqa: E402
from gui.state.session import Session  # noqa: E402
from gui.state.settings import Settings  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "resources" / "models" / "squeezenet_v1.1.param"
CAT = ROOT / "resources" / "images" / "chelsea.png"
TIMEOUT_MS = 240_000


@pytest.fixture
def window(qtbot, tmp_path):
    session = Session(Settings(tmp_path / "settings.json"))
    session.repeats = 1
    win = MainWindow(session)
    qtbot.addWidget(win)
    win.show()
    if not any(c.kind == "vulkan" and c.available for c in win.backends.choices):
        pytest.skip(f"no Vulkan device: {[c.reason for c in win.backends.choices if c.reason]}")
    assert session.open_model(DEMO)
    session.set_preprocess(replace(session.preprocess, width=67, height=67))  # lavapipe is slow
    session.set_image(CAT)
    return win


def _wait_run(qtbot, window) -> None:
    qtbot.waitUntil(lambda: not window.run_runner.busy and (window.session.run is not None
                                                            or window.session.last_error is not None),
                    timeout=TIMEOUT_MS)


def test_choosing_vulkan_runs_layers_on_the_gpu(qtbot, window):
    vulkan_index = next(i for i, c in enumerate(window.backends.choices) if c.kind == "vulkan")
    window.backends.combo.setCurrentIndex(vulkan_index)
    assert window.session.backend.kind == "vulkan"
    window.run_model()
    _wait_run(qtbot, window)
    assert window.session.last_error is None, window.session.last_error
    profile = window.session.run.profile
    assert profile.backend == "vulkan" and "device" in profile.environment
    assert {r.backend for r in profile.layers if r.type == "Convolution"} == {"vulkan"}
    # the GPU's answer is the CPU engine's answer (67×67 is too small for SqueezeNet to see the cat)
    import numpy as np
    ex = window.session.model.net.create_extractor()
    ex.input("data", window.session.input_array)
    cpu = ex.extract("prob")
    np.testing.assert_allclose(window.session.run.blobs["prob"], cpu, rtol=1e-4, atol=1e-6)
    label = window.session.model.labels[int(np.argmax(cpu))]
    assert label in window.outputs.texts[1]


def test_unusable_vulkan_falls_back_to_the_cpu_with_a_message(qtbot, window):
    window.session.set_backend(BackendChoice("vulkan", 99, "Vulkan: no such device"))
    window.run_model()
    _wait_run(qtbot, window)
    assert window.session.run is not None  # the CPU ran it
    assert window.session.run.profile.backend == "cpu"
    assert window.error_banner.isVisible() and "Vulkan was not used" in window.error_banner.text()


def test_compare_cpu_and_vulkan_fills_the_backends_dock(qtbot, window):
    assert window.backends.compare()
    qtbot.waitUntil(lambda: window.backends.view.comparison is not None or window.session.last_error is not None,
                    timeout=TIMEOUT_MS)
    c = window.backends.view.comparison
    assert c is not None, window.session.last_error
    assert c.cpu.backend == "cpu" and c.vulkan.backend == "vulkan"
    assert window.backends.view.model.rowCount() == len(c.cpu.layers) > 20
    conv = [r for r in c.rows if r.type == "Convolution"]
    assert all(r.ran_on == "vulkan" and r.vulkan_ms is not None and r.vulkan_ms > 0 for r in conv)
    assert "Vulkan" in window.backends.view.summary.text() and "upload" in window.backends.view.summary.text()
