"""`app.py compare` as a user runs it: the per-layer table, the bound and its exit code, usage errors,
progress only on a terminal."""
from __future__ import annotations

import os
import pty
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from engine.int8.simulate import int8_net
from engine.int8.table import write_table
from engine.model_files import read_preprocess
from profiler.cli import main
from profiler.compare import compare_image, compare_set
from tests.profiler.compare.support import (CAT, COFFEE, SQUEEZENET, maxabs_table, small_inputs, squeezenet,
                                            squeezenet_input, write_small)

ROOT = Path(__file__).resolve().parents[3]


def app(*args: str, **kw) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["OMP_NUM_THREADS"] = "2"
    return subprocess.run([sys.executable, str(ROOT / "app.py"), *args], cwd=ROOT, env=env, text=True,
                          timeout=600, **({"capture_output": True} | kw))


@pytest.fixture(scope="module")
def squeeze(tmp_path_factory):
    net = squeezenet()
    x = squeezenet_input()
    table = maxabs_table(net, x)
    path = tmp_path_factory.mktemp("sq") / "squeezenet.table"
    write_table(table, path)
    return net, table, path, compare_image(net, int8_net(net, table), x, str(CAT))


@pytest.fixture()
def small(tmp_path):
    param, net = write_small(tmp_path / "m")
    x = small_inputs(1)[0]
    np.save(tmp_path / "x.npy", x)
    write_table(maxabs_table(net, x), tmp_path / "small.table")
    return param, tmp_path / "x.npy", tmp_path / "small.table"


def table_lines(out: str) -> dict[tuple[str, str], list[str]]:
    """(layer, blob) -> the printed cells of the one-image table."""
    rows = {}
    for line in out.splitlines():
        cells = line.split()
        if len(cells) >= 9 and cells[0].isdigit():
            rows[(cells[1], cells[3])] = cells
    return rows


def test_help() -> None:
    done = app("compare", "--help")
    assert done.returncode == 0 and "usage: app.py compare" in done.stdout
    for flag in ("--table", "--image", "--images", "--max-error", "--isolated", "--quiet"):
        assert flag in done.stdout


def test_the_table_matches_the_library_and_the_bound_sets_the_exit_code(squeeze) -> None:
    _net, _table, path, lib = squeeze
    # a bound between two layers' cosines: the first row below it is the one to name
    conv1 = lib.row("conv1").accumulated.cosine
    bound = (conv1 + 1.0) / 2  # conv1 itself is below it, so conv1 (the first layer) crosses
    done = app("compare", str(SQUEEZENET), "--table", str(path), "--image", str(CAT), "--max-error",
               f"cosine={bound!r}")
    assert done.returncode == 1, done.stderr
    assert done.stderr == ""  # not a terminal: no progress bar
    assert f"first layer with cosine < {bound:g}: conv1 (Convolution)" in done.stdout
    printed = table_lines(done.stdout)
    assert len(printed) == len(lib.rows)
    for r in lib.rows:
        cells = printed[(r.layer, r.blob)]
        assert cells[2] == r.type and (cells[4] == "int8") == r.quantised
        assert float(cells[-5]) == pytest.approx(r.accumulated.cosine, abs=5e-7)
        assert float(cells[-4]) == pytest.approx(r.accumulated.snr_db, abs=5e-3)


def test_no_crossing_exits_zero_and_isolated_shows_int8_layers(squeeze, capsys) -> None:
    _net, _table, path, lib = squeeze
    code = main(["compare", str(SQUEEZENET), "--table", str(path), "--image", str(CAT), "--isolated",
                 "--max-error", "snr=10"])
    out = capsys.readouterr().out
    assert code == 0 and "first layer with snr_db < 10: none" in out
    printed = table_lines(out)
    assert len(printed) == len(lib.quantised) == 26
    for r in lib.rows:
        if r.quantised:
            assert float(printed[(r.layer, r.blob)][-5]) == pytest.approx(r.isolated.cosine, abs=5e-7)


def test_a_folder_of_images_names_the_worst(squeeze, tmp_path, capsys) -> None:
    net, table, path, _lib = squeeze
    folder = tmp_path / "imgs"
    folder.mkdir()
    for img in (CAT, COFFEE):
        shutil.copy(img, folder / img.name)
    lib = compare_set(net, int8_net(net, table), sorted(folder.iterdir()),
                      read_preprocess(SQUEEZENET.with_suffix(".preprocess.json")), isolated=False)
    prob = lib.rows[-1].accumulated["cosine"]
    code = main(["compare", str(SQUEEZENET), "--table", str(path), "--images", str(folder), "--max-error",
                 f"cosine={float(np.nextafter(prob.worst, 2))!r}"])
    out = capsys.readouterr().out
    assert code == 1
    last = [line for line in out.splitlines() if line.split()[:2] == ["74", "prob"]][0].split()
    assert float(last[-7]) == pytest.approx(prob.mean, abs=5e-7)
    assert float(last[-6]) == pytest.approx(prob.worst, abs=5e-7)
    assert last[-1] == Path(prob.worst_image).name
    assert "on some input:" in out


@pytest.mark.parametrize("args, message", [
    ([], "give an --image"),
    (["--image", "X", "--max-error", "cosine"], "METRIC=VALUE"),
    (["--image", "X", "--max-error", "psnr=3"], "unknown error metric"),
    (["--image", "X", "--keep-fp32", "nope"], "no layer 'nope'"),
    (["--images", "/nonexistent/folder"], "not a folder"),
])
def test_usage_errors_exit_2(small, capsys, args, message) -> None:
    param, x, table = small
    args = [str(x) if a == "X" else a for a in args]
    assert main(["compare", str(param), "--table", str(table), *args]) == 2
    assert message in capsys.readouterr().err


def test_table_errors_exit_2(small, squeeze, tmp_path, capsys) -> None:
    param, x, table = small
    assert main(["compare", str(param), "--table", str(tmp_path / "none.table"), "--image", str(x)]) == 2
    assert "none.table" in capsys.readouterr().err
    assert main(["compare", str(param), "--table", str(squeeze[2]), "--image", str(x)]) == 2  # another model's
    assert "layer 'conv1'" in (err := capsys.readouterr().err) and "64 weight scales" in err  # same name, wrong size
    other = tmp_path / "other.table"
    other.write_text("fire2/squeeze1x1_param_0 1 2\nfire2/squeeze1x1 3\n")
    assert main(["compare", str(param), "--table", str(other), "--image", str(x)]) == 2
    err = capsys.readouterr().err
    assert "quantises no layer" in err and "does not have: fire2/squeeze1x1" in err
    garbage = tmp_path / "bad.table"
    garbage.write_text("conv1 abc\n")
    assert main(["compare", str(param), "--table", str(garbage), "--image", str(x)]) == 2
    assert "bad.table" in capsys.readouterr().err


def test_progress_on_a_terminal_only(small) -> None:
    param, x, table = small
    for quiet, expect in ((False, True), (True, False)):
        master, slave = pty.openpty()
        try:
            done = app("compare", str(param), "--table", str(table), "--image", str(x), *(["--quiet"] if quiet else []),
                       capture_output=False, stdout=subprocess.PIPE, stderr=slave)
            os.close(slave)
            chunks = []
            while True:
                try:
                    data = os.read(master, 4096)
                except OSError:
                    break
                if not data:
                    break
                chunks.append(data)
        finally:
            os.close(master)
        assert done.returncode == 0
        assert ("comparing" in b"".join(chunks).decode()) is expect
        assert "fc" in done.stdout
