"""`app.py calibrate` as a user runs it (subprocesses), on a tiny model written to disk."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from engine import Net
from engine.int8.table import read_table
from profiler.calibration import calibrate, list_samples
from profiler.cli import calibrate_cmd
from profiler.cli.common import CliError
from tests.profiler.calibration.support import write_images, write_tiny

ROOT = Path(__file__).resolve().parents[3]


def app(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["OMP_NUM_THREADS"] = "2"
    return subprocess.run([sys.executable, str(ROOT / "app.py"), *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)


@pytest.fixture()
def tiny(tmp_path: Path) -> tuple[Path, Path]:
    param, _ = write_tiny(tmp_path / "model")
    images = tmp_path / "images"
    write_images(images, 3)
    np.save(images / "extra.npy", np.random.default_rng(5).normal(0, 60, (3, 7, 9)).astype(np.float32))
    return param, images


def test_help() -> None:
    done = app("calibrate", "--help")
    assert done.returncode == 0 and "usage: app.py calibrate" in done.stdout
    assert "--int8-model" in done.stdout and "percentile" in done.stdout


@pytest.mark.parametrize("method", ["kl", "aciq", "max", "percentile"])
def test_writes_the_same_table_as_the_library(tiny, tmp_path: Path, method: str) -> None:
    param, images = tiny
    out = tmp_path / "out.table"
    done = app("calibrate", str(param), "--images", str(images), "--method", method, "--table", str(out))
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""  # not a terminal: no progress bar
    assert f"table: {out.resolve()}" in done.stdout and "4 layers calibrated" in done.stdout
    umask = os.umask(0)
    os.umask(umask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~umask  # not the 0600 of a temporary file
    table = read_table(out)
    net = Net()
    net.load_param(param)
    net.load_model(param.with_suffix(".bin"))
    from engine.preprocess import Preprocess
    expected = calibrate(net, list_samples(images), method, Preprocess(width=9, height=7)).table
    assert list(table.blob_scales) == ["conv1", "dw", "conv2", "fc"]
    for layer in expected.blob_scales:  # written with 9 significant digits: float32 round trip
        assert np.array_equal(table.blob(layer), expected.blob(layer))
        assert np.array_equal(table.weight(layer), expected.weight(layer))


def test_usage_errors_exit_2_and_write_nothing(tiny, tmp_path: Path) -> None:
    param, images = tiny
    out = tmp_path / "out.table"
    empty = tmp_path / "empty"
    empty.mkdir()
    done = app("calibrate", str(param), "--images", str(empty), "--table", str(out))
    assert done.returncode == 2 and "no images or .npy files" in done.stderr and not out.exists()
    done = app("calibrate", str(param), "--images", str(images), "--table", str(out), "--method", "mse")
    assert done.returncode == 2 and "invalid choice" in done.stderr
    done = app("calibrate", str(param), "--images", str(images), "--table", str(tmp_path / "no" / "t.table"))
    assert done.returncode == 2 and "does not exist" in done.stderr
    done = app("calibrate", str(tmp_path / "missing.param"), "--images", str(images), "--table", str(out))
    assert done.returncode == 1 and "missing.param" in done.stderr and not out.exists()


def test_a_broken_sample_fails_and_keeps_the_old_table(tiny, tmp_path: Path) -> None:
    param, images = tiny
    out = tmp_path / "out.table"
    out.write_text("conv1 1.0\n")
    (images / "zz_broken.png").write_bytes(b"\x89PNG garbage")
    done = app("calibrate", str(param), "--images", str(images), "--table", str(out))
    assert done.returncode == 1 and "zz_broken.png" in done.stderr
    assert "Traceback" not in done.stderr
    assert out.read_text() == "conv1 1.0\n"


def test_int8_model_paths_and_missing_exporter(monkeypatch, tmp_path: Path) -> None:
    assert calibrate_cmd.int8_paths(str(tmp_path / "m")) == (tmp_path / "m.param", tmp_path / "m.bin")
    assert calibrate_cmd.int8_paths(str(tmp_path / "m.param")) == (tmp_path / "m.param", tmp_path / "m.bin")
    monkeypatch.setattr(calibrate_cmd, "_load_exporter", lambda: None)
    with pytest.raises(CliError, match="write_int8_model is not available"):
        calibrate_cmd.write_int8(None, None, str(tmp_path / "m"))
    assert list(tmp_path.iterdir()) == []


def test_int8_model_is_written_and_loads(tiny, tmp_path: Path) -> None:
    pytest.importorskip("engine.int8.export")
    param, images = tiny
    out = tmp_path / "q"
    done = app("calibrate", str(param), "--images", str(images), "--table", str(tmp_path / "t.table"),
               "--int8-model", str(out), "--quiet")
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "q.bin").stat().st_mode & 0o077 == (tmp_path / "t.table").stat().st_mode & 0o077
    net = Net()
    net.load_param(tmp_path / "q.param")
    net.load_model(tmp_path / "q.bin")
    conv1 = next(layer for layer in net.layers if layer.name == "conv1")
    assert conv1.weights["weight_data"].dtype == np.int8 and conv1.int8_scale_term > 0
    ex = net.create_extractor()
    ex.input("data", np.zeros((3, 7, 9), np.float32))
    assert ex.extract("out").shape == (5,)
