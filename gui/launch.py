"""Starting the desktop app: `python app.py [MODEL.param] [--image IMG] [--screenshot OUT.png]`."""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from .main_window import MainWindow
from .state.session import Session
from .state.settings import Settings, default_path


def parse_args(argv: list[str], demo_model: Path, demo_image: Path) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="app.py", description="Layerscope desktop app")
    p.add_argument("model", nargs="?", help=f"ncnn .param to open (default: the demo, {demo_model.name})")
    p.add_argument("--image", help="image to run through the model once it is open")
    p.add_argument("--screenshot", help="open, run, save a screenshot of the window to this PNG, then exit")
    p.add_argument("--colour-by-time", action="store_true", help="start with the graph coloured by time")
    p.add_argument("--calibrate", metavar="DIR", help="after the run, calibrate int8 (KL) on the images in DIR "
                   "and compare FP32 with int8 on the image")
    p.add_argument("--compare-backends", action="store_true",
                   help="after the run, time every layer on the CPU and on Vulkan (Run > Compare CPU and Vulkan)")
    p.add_argument("--settings", help="settings file (default: the user's; tests pass their own)")
    args = p.parse_args(argv)
    if args.model is None:
        args.model = str(demo_model)
        args.image = args.image or str(demo_image)
    return args


def wait_until(app: QApplication, done, timeout_s: float) -> bool:  # noqa: ANN001 - predicate
    end = time.monotonic() + timeout_s
    while not done():
        if time.monotonic() > end:
            return False
        app.processEvents()
        time.sleep(0.01)
    return True


def run_gui(argv: list[str], demo_model: Path, demo_image: Path) -> int:
    args = parse_args(argv, demo_model, demo_image)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Layerscope")
    icon = demo_model.parents[1] / "icons" / "layerscope.png"  # resources/icons (packaging/render_icon.py)
    if icon.is_file():
        app.setWindowIcon(QIcon(str(icon)))
    settings = Settings(Path(args.settings) if args.settings else default_path())
    session = Session(settings)
    session.colour_by_time = args.colour_by_time
    window = MainWindow(session)
    window.act_heat.setChecked(args.colour_by_time)
    window.show()
    if args.image:
        session.set_image(Path(args.image))
    window.open_model(Path(args.model), then_run=args.image is not None)
    if not args.screenshot:
        return app.exec()
    busy = lambda: window.open_runner.busy or window.run_runner.busy or window._pending_run  # noqa: E731
    wait_until(app, lambda: not busy(), 600)
    if args.compare_backends and session.last_error is None and window.backends.compare():
        wait_until(app, lambda: not window.backends.runner.busy, 600)
    if args.calibrate and session.last_error is None and window.int8.calibrate(Path(args.calibrate)):
        lab_busy = lambda: (window.int8.calib_runner.busy or window.int8.compare_runner.busy  # noqa: E731
                            or window.int8._compare_again)
        wait_until(app, lambda: not lab_busy(), 600)
        window.int8.view_dock.raise_()
        window.int8.compare_dock.raise_()
        if session.int8_lab is not None:
            first = session.int8_lab.first_bad()
            window.int8.compare_view.show_blob(session.model.net.layers[first.index].spec.tops[0]
                                               if first else session.model.net.output_names()[0])
    unfinished = bool(args.image) and session.run is None and session.last_error is None
    if unfinished:
        print("layerscope: the run did not finish", file=sys.stderr)
    for _ in range(5):  # let the views repaint with the results
        app.processEvents()
    ok = window.grab().save(args.screenshot)
    print(f"layerscope: screenshot saved to {args.screenshot}" if ok else "layerscope: could not save the screenshot",
          file=sys.stderr)
    if session.last_error:
        print(f"layerscope: {session.last_error.splitlines()[0]}", file=sys.stderr)
    window.close()
    return 0 if ok and session.last_error is None and not unfinished else 1
