"""The main window driven as a user would (offscreen, pytest-qt): open by drop, run by drop, cancel,
selection across panels, search, colour by time, the blob grid, exporting, and errors."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

pytestmark = pytest.mark.gui
pytest.importorskip("pytestqt", reason="pytest-qt is not installed")
QtCore = pytest.importorskip("PySide6.QtCore", reason="PySide6 is not installed")

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl  # noqa: E402
from PySide6.QtGui import QDragEnterEvent, QDropEvent  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from gui.main_window import MainWindow  # noqa: E402
from gui.state.session import Session  # noqa: E402
from gui.state.settings import Settings  # noqa: E402
from gui.views.graph_view import heat_colour  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "resources" / "models" / "squeezenet_v1.1.param"
CAT = ROOT / "resources" / "images" / "chelsea.png"
RUN_TIMEOUT_MS = 180_000  # generous: a fresh machine builds its font cache on the first window


@pytest.fixture
def window(qtbot, tmp_path):
    session = Session(Settings(tmp_path / "settings.json"))
    session.repeats = 2
    win = MainWindow(session)
    qtbot.addWidget(win)
    win.show()
    return win


def drop(window: MainWindow, paths: list[Path]) -> None:
    """A real drag-enter + drop event pair, delivered as Qt delivers them."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    pos = QPointF(window.rect().center())
    enter = QDragEnterEvent(pos.toPoint(), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(window, enter)
    assert enter.isAccepted(), "the window refused the drag"
    event = QDropEvent(pos, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(window, event)


def idle(window: MainWindow) -> bool:
    return not (window.open_runner.busy or window.run_runner.busy or window._pending_run)


def open_and_run(qtbot, window: MainWindow) -> None:
    drop(window, [DEMO])
    qtbot.waitUntil(lambda: window.session.model is not None, timeout=RUN_TIMEOUT_MS)
    drop(window, [CAT])
    qtbot.waitUntil(lambda: idle(window) and (window.session.run is not None or window.session.last_error is not None),
                    timeout=RUN_TIMEOUT_MS)
    assert window.session.last_error is None, window.session.last_error


def test_open_by_drop_shows_the_graph_and_remembers_the_file(qtbot, window):
    drop(window, [DEMO])
    qtbot.waitUntil(lambda: window.session.model is not None, timeout=RUN_TIMEOUT_MS)
    net = window.session.model.net
    shown = {item.node.name for item in window.graph.nodes.values()}
    visible_layers = {layer.name for layer in net.layers if layer.spec.type not in ("Split", "Noop")}
    assert visible_layers <= shown
    assert "squeezenet_v1.1" in window.windowTitle()
    assert window.session.settings.recent_models[0] == str(DEMO.resolve()) or \
        Path(window.session.settings.recent_models[0]).resolve() == DEMO.resolve()


@pytest.mark.oracle
def test_run_by_drop_fills_timing_outputs_and_agrees_with_ncnn(qtbot, window):
    from tests.support.oracle import run_ncnn
    open_and_run(qtbot, window)
    session = window.session
    profile = session.run.profile
    assert window.timing.model.rowCount() == len(profile.layers) > 20
    assert all(r.timing.median >= 0 for r in profile.layers)
    # the top-1 label shown must be ncnn's top-1 on the same preprocessed input
    ref = run_ncnn(DEMO, DEMO.with_suffix(".bin"), {"data": session.input_array}, ["prob"])["prob"].ravel()
    labels = session.model.labels
    top_line = window.outputs.texts[1]
    assert labels[int(np.argmax(ref))] in top_line, (top_line, labels[int(np.argmax(ref))])
    assert "cat" in top_line.lower()  # Chelsea is a tabby cat


def test_cancel_stops_a_long_run_and_the_app_stays_usable(qtbot, window):
    drop(window, [DEMO])
    qtbot.waitUntil(lambda: window.session.model is not None, timeout=RUN_TIMEOUT_MS)
    window.repeats.setValue(1000)  # ~10 s of work: long enough to cancel mid-way
    with qtbot.waitSignal(window.run_runner.progress, timeout=RUN_TIMEOUT_MS):
        drop(window, [CAT])
    assert window.run_runner.busy and window.act_cancel.isEnabled()
    with qtbot.waitSignal(window.run_runner.cancelled, timeout=RUN_TIMEOUT_MS):
        window.act_cancel.trigger()
    assert window.session.run is None and "cancelled" in window.status.text().lower()
    assert window.act_run.isEnabled() and not window.act_cancel.isEnabled()
    window.repeats.setValue(1)
    window.act_run.trigger()
    qtbot.waitUntil(lambda: window.session.run is not None and idle(window), timeout=RUN_TIMEOUT_MS)


def test_selection_is_shared_by_graph_inspector_timing_and_blob_view(qtbot, window):
    open_and_run(qtbot, window)
    net = window.session.model.net
    conv = next(i for i, layer in enumerate(net.layers) if layer.name == "fire3/expand3x3")
    # click the node in the graph view
    node = window.graph.nodes[conv]
    window.graph.centerOn(node)
    point = window.graph.mapFromScene(node.sceneBoundingRect().center())
    qtbot.mouseClick(window.graph.viewport(), Qt.MouseButton.LeftButton, pos=point)
    assert window.session.selected_layer == conv
    assert node.selected
    assert "fire3/expand3x3" in window.inspector.title.text()
    rows = window.timing.table.selectionModel().selectedRows()
    assert len(rows) == 1 and window.timing.proxy.data(rows[0], Qt.ItemDataRole.UserRole) == conv
    assert window.blob_view.name == net.layers[conv].spec.tops[0]
    # and back: choosing a row in the timing table moves the graph selection
    other = next(i for i, layer in enumerate(net.layers) if layer.name == "conv1")
    row = next(r for r in range(window.timing.proxy.rowCount())
               if window.timing.proxy.data(window.timing.proxy.index(r, 0), Qt.ItemDataRole.UserRole) == other)
    rect = window.timing.table.visualRect(window.timing.proxy.index(row, 0))
    window.timing.table.scrollTo(window.timing.proxy.index(row, 0))
    rect = window.timing.table.visualRect(window.timing.proxy.index(row, 0))
    qtbot.mouseClick(window.timing.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.session.selected_layer == other
    assert window.graph.nodes[other].selected and not node.selected


def test_search_jumps_through_matches(qtbot, window):
    drop(window, [DEMO])
    qtbot.waitUntil(lambda: window.session.model is not None, timeout=RUN_TIMEOUT_MS)
    net = window.session.model.net
    window.search_box.setText("pooling")
    qtbot.keyClick(window.search_box, Qt.Key.Key_Return)
    pools = {i for i, layer in enumerate(net.layers) if layer.spec.type == "Pooling"}
    assert window.session.selected_layer in pools
    seen = {window.session.selected_layer}
    for _ in range(len(pools) - 1):
        qtbot.keyClick(window.search_box, Qt.Key.Key_Return)
        seen.add(window.session.selected_layer)
    assert seen == pools
    assert window.status.text() == f"{len(pools)} of {len(pools)} matches"
    window.search_box.setText("no-such-layer")
    qtbot.keyClick(window.search_box, Qt.Key.Key_Return)
    assert window.status.text() == "no match"


def test_colour_by_time_paints_the_slowest_layer_hottest(qtbot, window):
    open_and_run(qtbot, window)
    assert window.graph.heat_range is None
    window.act_heat.setChecked(True)
    profile = window.session.run.profile
    shown = [r for r in profile.layers if r.index in window.graph.nodes]
    slowest = max(shown, key=lambda r: r.timing.median)
    assert window.graph.nodes[slowest.index].heat == heat_colour(1.0)
    assert window.graph.heat_range == (min(r.timing.median for r in profile.layers),
                                       max(r.timing.median for r in profile.layers))
    fastest = min(shown, key=lambda r: r.timing.median)
    assert window.graph.nodes[fastest.index].heat.lightness() > window.graph.nodes[slowest.index].heat.lightness()
    window.act_heat.setChecked(False)
    assert all(item.heat is None for item in window.graph.nodes.values())


def test_blob_grid_shows_every_channel_and_saves(qtbot, window, tmp_path):
    open_and_run(qtbot, window)
    window.session.select_blob("fire2/squeeze1x1_fire2/relu_squeeze1x1")
    blob = window.session.blob("fire2/squeeze1x1_fire2/relu_squeeze1x1")
    assert blob is not None and blob.shape[0] == 16
    view = window.blob_view
    assert view.mosaic.channels == 16 and view.mosaic.total_channels == 16
    assert f"max {blob.max():.6g}" in view.stats.text() and f"min {blob.min():.6g}" in view.stats.text()
    zeros = 100.0 * np.count_nonzero(blob == 0) / blob.size  # ReLU output: many exact zeros
    assert f"zeros {zeros:.1f}%" in view.stats.text()
    view.channel.setValue(5)
    assert view.numbers.item(0, 0).text() == f"{blob[5, 0, 0]:.4g}"
    view.save_to(tmp_path / "b.npy", "npy")
    np.testing.assert_array_equal(np.load(tmp_path / "b.npy"), blob)
    view.save_to(tmp_path / "b.png", "png")
    assert (tmp_path / "b.png").stat().st_size > 1000


def test_export_report_from_the_app(qtbot, window, tmp_path):
    jsonschema = pytest.importorskip("jsonschema")
    assert not window.act_export.isEnabled()
    open_and_run(qtbot, window)
    assert window.act_export.isEnabled()
    files = window.export_report(tmp_path / "report")
    doc = json.loads(files["profile.json"].read_text())
    schema = json.loads((ROOT / "profiler" / "reports" / "profile.schema.json").read_text())
    jsonschema.validate(doc, schema)
    assert len(doc["layers"]) == len(window.session.run.profile.layers)
    assert "report.html" in window.status.text()


def test_a_truncated_model_shows_an_error_and_the_app_stays_usable(qtbot, window, tmp_path):
    bad = tmp_path / "broken.param"
    bad.write_text("7767517\n3 3\nInput data 0 1 data 0=227 1=227 2=3\nConvolution conv1 1 1 data")
    drop(window, [bad])
    qtbot.waitUntil(lambda: window.session.last_error is not None and idle(window), timeout=RUN_TIMEOUT_MS)
    assert window.error_banner.isVisible()
    assert "broken.param" in window.error_banner.text()
    assert window.session.model is None
    open_and_run(qtbot, window)  # the same window still works
    assert not window.error_banner.isVisible()


def test_a_corrupt_image_is_refused_clearly(qtbot, window, tmp_path):
    drop(window, [DEMO])
    qtbot.waitUntil(lambda: window.session.model is not None, timeout=RUN_TIMEOUT_MS)
    bad = tmp_path / "photo.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\nthis is not a png")
    drop(window, [bad])
    assert window.error_banner.isVisible() and "photo.png" in window.error_banner.text()
    assert window.session.run is None and idle(window)


def test_unknown_layer_type_is_drawn_marked_and_running_it_explains(qtbot, window, tmp_path):
    param = tmp_path / "odd.param"
    param.write_text("7767517\n3 3\nInput data 0 1 data 0=8 1=8 2=3\n"
                     "FancyOp fancy 1 1 data f 0=1\nReLU relu 1 1 f out\n")
    drop(window, [param])
    qtbot.waitUntil(lambda: window.session.model is not None, timeout=RUN_TIMEOUT_MS)
    fancy = next(item for item in window.graph.nodes.values() if item.node.name == "fancy")
    relu = next(item for item in window.graph.nodes.values() if item.node.name == "relu")
    assert not fancy.node.supported and relu.node.supported
    assert "unsupported" in window.status.text()
    drop(window, [CAT])
    qtbot.waitUntil(lambda: window.session.last_error is not None and idle(window), timeout=RUN_TIMEOUT_MS)
    assert "fancy" in window.error_banner.text() and "FancyOp" in window.error_banner.text()
    assert window.act_run.isEnabled()


def test_drop_of_an_unrelated_file_explains_what_to_drop(qtbot, window, tmp_path):
    other = tmp_path / "notes.txt"
    other.write_text("hello")
    drop(window, [other])
    assert window.error_banner.isVisible() and "notes.txt" in window.error_banner.text()
    assert ".param" in window.error_banner.text()


def test_preprocessing_is_remembered_per_model(qtbot, tmp_path):
    settings_path = tmp_path / "settings.json"
    session = Session(Settings(settings_path))
    assert session.open_model(DEMO)
    changed = session.preprocess.__class__(**{**session.preprocess.__dict__, "width": 113, "height": 97})
    session.set_preprocess(changed)
    again = Session(Settings(settings_path))
    assert again.open_model(DEMO)
    assert (again.preprocess.width, again.preprocess.height) == (113, 97)


def test_graph_click_on_an_edge_selects_its_blob(qtbot, window):
    open_and_run(qtbot, window)
    edge = next(e for e in window.graph.edges if e.blob == "pool1")
    window.graph.centerOn(edge.mid)
    point = window.graph.mapFromScene(edge.mid)
    qtbot.mouseClick(window.graph.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(point.x(), point.y()))
    assert window.session.selected_blob == "pool1"
    assert window.blob_view.name == "pool1"


def test_split_nodes_can_be_shown_and_hidden(qtbot, window):
    drop(window, [DEMO])
    qtbot.waitUntil(lambda: window.session.model is not None, timeout=RUN_TIMEOUT_MS)
    splits = {i for i, layer in enumerate(window.session.model.net.layers) if layer.spec.type == "Split"}
    assert splits and not splits & set(window.graph.nodes)  # hidden by default
    window.act_hide.setChecked(False)
    assert splits <= set(window.graph.nodes)
    window.act_hide.setChecked(True)
    assert not splits & set(window.graph.nodes)


def test_recent_models_menu_reopens_a_model(qtbot, window):
    drop(window, [DEMO])
    qtbot.waitUntil(lambda: window.session.model is not None, timeout=RUN_TIMEOUT_MS)
    window._fill_recent()
    actions = window.recent_menu.actions()
    assert actions and Path(actions[0].text()).resolve() == DEMO.resolve()
    window.session.model = None
    actions[0].trigger()
    qtbot.waitUntil(lambda: window.session.model is not None, timeout=RUN_TIMEOUT_MS)


def test_garbage_is_collected_on_the_gui_thread_only(qtbot, window):
    """Worker threads must never run Python's cycle collector (it would destroy Qt objects there)."""
    import gc
    assert not gc.isenabled()

    class Cycle:
        pass
    for _ in range(5000):
        a, b = Cycle(), Cycle()
        a.other, b.other = b, a
    assert gc.get_count()[0] > gc.get_threshold()[0]
    qtbot.waitUntil(lambda: gc.get_count()[0] < gc.get_threshold()[0], timeout=5000)
