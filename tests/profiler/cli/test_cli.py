"""The headless CLI as a user runs it: real subprocesses of `python app.py ...`."""
from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
DEMO = ROOT / "resources" / "models" / "squeezenet_v1.1.param"
CAT = ROOT / "resources" / "images" / "chelsea.png"


def app(*args: str, cwd: Path | None = None, display: bool = False) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env["OMP_NUM_THREADS"] = "2"
    return subprocess.run([sys.executable, str(ROOT / "app.py"), *args], cwd=cwd or ROOT, env=env,
                          capture_output=True, text=True, timeout=600)


@pytest.mark.parametrize("command", ["run", "bench", "profile", "calibrate", "compare"])
def test_every_subcommand_has_help(command):
    done = app(command, "--help")
    assert done.returncode == 0
    assert f"usage: app.py {command}" in done.stdout


def test_profile_demo_writes_the_bundle_and_says_where(tmp_path):
    done = app("profile", "--demo", "--runs", "2", "--out", str(tmp_path / "rep"))
    assert done.returncode == 0, done.stderr
    report = tmp_path / "rep" / "report.html"
    assert f"report: {report.resolve()}" in done.stdout
    for name in ("report.html", "profile.json", "layers.csv", "trace.json"):
        assert (tmp_path / "rep" / name).stat().st_size > 0
    doc = json.loads((tmp_path / "rep" / "profile.json").read_text())
    rows = list(csv.DictReader((tmp_path / "rep" / "layers.csv").open()))
    assert len(rows) == len(doc["layers"]) > 20
    assert done.stderr == ""  # stderr is not a terminal: no progress bar noise


def test_app_without_a_display_runs_the_headless_demo(tmp_path):
    done = app(cwd=tmp_path)  # no DISPLAY: the headless demo, report in ./layerscope-report
    assert done.returncode == 0, done.stderr
    assert "no display available" in done.stderr
    report = tmp_path / "layerscope-report" / "report.html"
    assert report.is_file() and f"report: {report.resolve()}" in done.stdout


def test_run_prints_the_top5_of_the_demo():
    done = app("run", str(DEMO), "--image", str(CAT), "--threads", "2")
    assert done.returncode == 0, done.stderr
    assert "prob" in done.stdout and "cat" in done.stdout.lower()


def test_bench_without_ncnn_prints_our_median(tmp_path):
    done = app("bench", f"{DEMO}@3,67,67", "--runs", "5", "--warmup", "1", "--no-ncnn")
    assert done.returncode == 0, done.stderr
    assert "squeezenet_v1.1" in done.stdout and "ms" in done.stdout


def test_missing_model_is_a_usage_error_in_one_line(tmp_path):
    done = app("profile", str(tmp_path / "nope.param"), "--out", str(tmp_path / "o"))
    assert done.returncode != 0
    assert "nope.param" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "o").exists()


def test_hostile_model_file_fails_cleanly(tmp_path):
    bad = tmp_path / "bad.param"
    bad.write_text("7767517\n2 2\nInput data 0 1 data 0=8 1=8 2=3\nConvolution c 1 1 data out 0=4 1=3 6=1000000000000\n")
    done = app("run", str(bad))
    assert done.returncode != 0
    assert "bad.param" in done.stderr and "Traceback" not in done.stderr


def test_profile_failure_keeps_the_previous_report(tmp_path):
    out = tmp_path / "rep"
    assert app("profile", "--demo", "--runs", "1", "--out", str(out)).returncode == 0
    before = (out / "profile.json").read_text()
    bad = tmp_path / "bad.param"
    bad.write_text("7767517\n2 2\nInput data 0 1 data\nFancyOp f 1 1 data out\n")
    done = app("profile", str(bad), "--shape", "3,8,8", "--runs", "1", "--out", str(out))
    assert done.returncode != 0 and "FancyOp" in done.stderr
    assert (out / "profile.json").read_text() == before
