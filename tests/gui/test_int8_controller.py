"""The int8 lab in the window: calibrate, histograms with thresholds, drag a threshold / keep a layer in
fp32 and watch the comparison re-run, the graph coloured by error, FP32 | int8 | diff, saving."""
from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

pytestmark = pytest.mark.gui
pytest.importorskip("pytestqt", reason="pytest-qt is not installed")

from PySide6.QtCore import Qt  # noqa: E402

from engine import Net  # noqa: E402
from engine.int8.table import format_table, read_table  # noqa: E402
from gui.main_window import MainWindow  # noqa: E402
from gui.state.session import Session  # noqa: E402
from gui.state.settings import Settings  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "resources" / "models" / "squeezenet_v1.1.param"
IMAGES = ROOT / "resources" / "images"
TIMEOUT_MS = 180_000


@pytest.fixture(scope="module")
def calibrated(qapp, tmp_path_factory):
    """One window, opened on the demo, run on the cat, calibrated with KL on the bundled images."""
    tmp = tmp_path_factory.mktemp("int8")
    folder = tmp / "calib"
    folder.mkdir()
    for image in IMAGES.glob("*.png"):
        shutil.copy(image, folder / image.name)
    session = Session(Settings(tmp / "settings.json"))
    session.repeats = 1
    window = MainWindow(session)
    window.show()
    session.set_image(IMAGES / "chelsea.png")
    window.open_model(DEMO, then_run=True)
    _wait(qapp, lambda: session.run is not None or session.last_error is not None)
    assert session.last_error is None, session.last_error
    assert window.int8.calibrate(folder, "kl")
    _wait(qapp, lambda: session.int8_lab is not None and session.int8_lab.comparison is not None
          and not window.int8.compare_runner.busy or session.last_error is not None)
    assert session.last_error is None, session.last_error
    yield window, tmp
    window.close()


def _wait(app, done, timeout_ms: int = TIMEOUT_MS) -> None:
    from pytestqt.qtbot import QtBot
    QtBot(app).waitUntil(done, timeout=timeout_ms)


def _idle(window) -> bool:
    return not window.int8.compare_runner.busy and not window.int8._compare_again


def test_calibration_fills_histogram_thresholds_and_comparison(calibrated):
    window, _ = calibrated
    lab, view = window.session.int8_lab, window.int8.view
    convs = [layer.name for layer in lab.net.layers if layer.spec.type == "Convolution"]
    assert lab.layers() == convs and len(convs) == 26
    assert view.layer_box.count() == 26
    blob = lab.blob(view.layer)
    assert blob.histogram.shape == (2048,) and blob.histogram.sum() > 0
    for method in ("kl", "aciq", "max", "percentile"):
        assert method in blob.thresholds
    assert blob.thresholds["kl"] <= blob.thresholds["max"] == pytest.approx(blob.absmax)
    assert view.chosen_line is not None and view.chosen_line.value() == pytest.approx(blob.threshold)
    rows = lab.comparison.comparison.rows
    assert view.error_table.rowCount() == len([r for r in rows if r.accumulated is not None]) > 26
    assert set(lab.comparison.comparison.quantised) == set(convs)
    assert "bound" in view.summary.text()


def test_dragging_a_threshold_reruns_the_comparison(qtbot, calibrated):
    window, _ = calibrated
    lab, view = window.session.int8_lab, window.int8.view
    layer = "conv1"
    view.show_layer(layer)
    before = lab.comparison
    dragged = lab.blob(layer).absmax * 0.05  # a harsh clip: conv1's output must get worse
    view.chosen_line.setValue(dragged)
    view.chosen_line.sigPositionChangeFinished.emit(view.chosen_line)
    assert lab.method(layer) == "manual" and lab.threshold(layer) == pytest.approx(dragged)
    qtbot.waitUntil(lambda: lab.comparison is not before and _idle(window), timeout=TIMEOUT_MS)
    scale = lab.comparison.table.blob(layer)[0]
    assert scale == pytest.approx(127.0 / dragged, rel=1e-6)
    old, new = before.comparison.row(layer).accumulated, lab.comparison.comparison.row(layer).accumulated
    assert new.cosine < old.cosine
    assert "manual" in view.info.text() and "clipped" in view.info.text()
    lab.choices[layer].threshold = None  # back to the calibration's choice for the other tests
    view.show_layer(layer)


def test_keeping_a_layer_in_fp32_removes_it_from_the_int8_graph(qtbot, calibrated):
    window, _ = calibrated
    lab, view = window.session.int8_lab, window.int8.view
    view.show_layer("fire2/squeeze1x1")
    before = lab.comparison
    view.fp32_box.setChecked(True)
    qtbot.waitUntil(lambda: lab.comparison is not before and _idle(window), timeout=TIMEOUT_MS)
    assert "fire2/squeeze1x1" not in lab.comparison.comparison.quantised
    assert "fire2/squeeze1x1" not in lab.comparison.table.blob_scales
    view.fp32_box.setChecked(False)
    qtbot.waitUntil(lambda: "fire2/squeeze1x1" in lab.comparison.comparison.quantised and _idle(window),
                    timeout=TIMEOUT_MS)


def test_graph_coloured_by_int8_error(calibrated):
    window, _ = calibrated
    window.int8.act_error.setChecked(True)
    lab = window.session.int8_lab
    errors = {r.index: 1 - r.accumulated.cosine for r in lab.comparison.comparison.rows if r.accumulated}
    worst = max((i for i in errors if i in window.graph.nodes), key=lambda i: errors[i])
    assert window.graph.nodes[worst].heat is not None
    assert window.graph.legend_title.startswith("int8 error")
    assert not window.session.colour_by_time
    window.int8.act_error.setChecked(False)
    assert all(item.heat is None for item in window.graph.nodes.values())


def test_compare_view_shows_fp32_int8_and_difference(calibrated):
    window, _ = calibrated
    window.session.select_blob("fire9/concat")
    view = window.int8.compare_view
    fp32, int8 = view.pair("fire9/concat")
    assert fp32.shape == int8.shape == (512, 14, 14)
    np.testing.assert_array_equal(fp32, window.session.run.blobs["fire9/concat"])
    assert not np.array_equal(fp32, int8)  # int8 really differs
    assert all(image.image is not None for image in view.images)
    assert view.plots[1].getViewBox().state["linkedViews"][0] is not None  # zoom linked
    assert "FP32" in view.outputs.text() and "int8" in view.outputs.text()


def test_saved_table_and_int8_model_load_back(calibrated):
    window, tmp = calibrated
    lab = window.session.int8_lab
    assert window.int8.save_table(tmp / "out.table")
    assert format_table(read_table(tmp / "out.table")) == format_table(lab.table())
    assert window.int8.save_model(tmp / "q.param")
    net = Net()
    net.opt.use_int8_inference = True
    net.load_param(tmp / "q.param")
    net.load_model(tmp / "q.bin")
    ex = net.create_extractor()
    ex.input("data", window.session.input_array)
    np.testing.assert_allclose(ex.extract("prob"), lab.comparison.int8_blobs["prob"], rtol=1e-5, atol=1e-7)


def test_a_folder_without_images_is_refused_clearly(calibrated, tmp_path):
    window, _ = calibrated
    assert not window.int8.calibrate(tmp_path, "kl")
    assert "no images" in window.session.last_error
    window.session.last_error = None
    window.hide_error()


def test_export_report_carries_the_int8_section(calibrated):
    window, tmp = calibrated
    import json
    files = window.export_report(tmp / "report")
    doc = json.loads(files["profile.json"].read_text())
    assert doc["int8"] is not None
    html = files["report.html"].read_text()
    assert "FP32 vs int8" in html


@pytest.mark.models
def test_image_to_image_model_shows_both_output_images(qtbot, tmp_path):
    import cv2
    from tests.support.zoo import model_files
    param = model_files("realesr-animevideov3-x2")["param"]
    folder = tmp_path / "calib"
    folder.mkdir()
    photo = cv2.imread(str(IMAGES / "coffee.png"))
    for i, (y, x) in enumerate([(100, 200), (180, 300)]):
        cv2.imwrite(str(folder / f"crop{i}.png"), photo[y:y + 24, x:x + 32])
    session = Session(Settings(tmp_path / "settings.json"))
    session.repeats = 1
    window = MainWindow(session)
    qtbot.addWidget(window)
    window.show()
    session.set_image(folder / "crop0.png")
    window.open_model(param, then_run=True)
    qtbot.waitUntil(lambda: session.run is not None or session.last_error is not None, timeout=TIMEOUT_MS)
    assert window.int8.calibrate(folder, "kl")
    qtbot.waitUntil(lambda: (session.int8_lab is not None and session.int8_lab.comparison is not None
                             and not window.int8.compare_runner.busy) or session.last_error is not None,
                    timeout=TIMEOUT_MS)
    assert session.last_error is None, session.last_error
    view = window.int8.compare_view
    out = session.model.net.output_names()[0]
    assert view.output_image_captions == [f"FP32 '{out}'", f"int8 '{out}'"]
    assert "max |int8 - FP32|" in view.outputs.text()
