"""The int8 part of the report: histograms of the calibrated blobs with thresholds, the per-layer
FP32-vs-int8 error table, the JSON (against its schema) and the HTML (escaped, opens in Chromium)."""
from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import numpy as np
import pytest

from engine import Net
from engine.int8.simulate import int8_net
from engine.int8.table import write_table
from profiler.compare import BlobMetrics, compare_image
from profiler.int8_report import _metrics, build_section
from profiler.reports import build_bundle, html_report, json_report, write_report
from profiler.timing import profile_model
from tests.profiler.compare.support import (CAT, SMALL, SQUEEZENET, fp32_blobs, maxabs_table, small_inputs,
                                            squeezenet, squeezenet_input)
from tests.support.browser import load_page

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def squeeze():
    net = squeezenet()
    net.opt.lightmode = False
    x = squeezenet_input()
    table = maxabs_table(net, x)
    section = build_section(net, x, table, "squeezenet.table")
    return net, x, table, section


def test_one_histogram_per_int8_layer_with_ncnn2table_bins(squeeze) -> None:
    net, x, table, section = squeeze
    assert [h.layer for h in section.histograms] == list(section.quantised)
    assert len(section.histograms) == 26
    first = section.histograms[0]
    assert (first.layer, first.blob) == ("conv1", "data")
    a = np.abs(x.astype(np.float64)).ravel()
    absmax = a.max()
    assert first.absmax == absmax
    nz = a[a != 0]
    # ncnn2table's bin: int(|x| / absmax * 2048), the top value clamped into bin 2047. The input is whole
    # pixel values minus whole means, far from bin edges, so float64 here gives float32's bins.
    want = np.bincount(np.minimum((nz / absmax * 2048).astype(int), 2047), minlength=2048)
    assert np.array_equal(first.counts, want)
    blobs = fp32_blobs(net, x)
    for h in section.histograms:
        v = np.abs(blobs[h.blob])
        assert h.absmax == pytest.approx(float(v.max()), rel=1e-7) and h.counts.sum() == np.count_nonzero(v)
        assert h.thresholds["table"] == pytest.approx(127 / float(table.blob(h.layer)[0]), rel=1e-6)
        assert h.thresholds["max"] == h.absmax
        assert 0 < h.thresholds["kl"] <= h.absmax and 0 < h.thresholds["aciq"]
        # the table was made from this input's max; 127 / float32(127 / max) may land an ulp below it,
        # which clips a sliver (2048 bins x ~1e-7 relative) of the top bin's share at most
        assert 0.0 <= h.clipped_fraction <= h.counts[-1] / h.counts.sum() * 1e-3


def test_errors_are_the_comparison(squeeze) -> None:
    net, x, table, section = squeeze
    again = compare_image(net, int8_net(net, table), x)
    assert section.comparison.rows == again.rows
    doc = section.to_document()
    assert [(e["layer"], e["blob"]) for e in doc["errors"]] == [(r.layer, r.blob) for r in again.rows]
    conv1 = doc["errors"][0]
    assert conv1["accumulated"]["cosine"] == again.rows[0].accumulated.cosine and conv1["quantised"]
    assert doc["errors"][1]["isolated"] is None  # relu_conv1 runs fp32
    assert "26 layers run int8" in doc["summary"] and "prob" in doc["summary"]


def test_infinite_snr_becomes_null_in_json() -> None:
    m = _metrics(BlobMetrics(1.0, math.inf, 0.0, 0.0, 0.0, 4))
    assert m == {"cosine": 1.0, "snr_db": None, "max_abs": 0.0, "mean_abs": 0.0, "rel_l2": 0.0, "elements": 4}
    json.dumps(m, allow_nan=False)


@pytest.fixture(scope="module")
def bundle(squeeze):
    net, x, _table, section = squeeze
    result = profile_model(net, {"data": x}, repeats=1, warmup=0, capture_blobs=True)
    return build_bundle(net, result.profile, result.blobs, "squeezenet_v1.1", int8=section)


def test_json_validates_and_the_schema_holds_the_int8_part(bundle) -> None:
    validator = jsonschema.Draft202012Validator(json_report.load_schema())
    doc = json.loads(json_report.render(bundle))
    validator.validate(doc)
    assert len(doc["int8"]["histograms"]) == 26 and len(doc["int8"]["histograms"][0]["counts"]) == 2048
    broken = json.loads(json_report.render(bundle))
    broken["int8"]["histograms"][0]["counts"] = [1, 2, 3]
    with pytest.raises(jsonschema.ValidationError):
        validator.validate(broken)
    broken = json.loads(json_report.render(bundle))
    broken["int8"]["errors"][0]["accumulated"]["cosine"] = 1.5
    with pytest.raises(jsonschema.ValidationError):
        validator.validate(broken)


def test_html_draws_every_histogram_and_the_error_table(bundle) -> None:
    html = html_report.render(bundle)
    int8_part = html[html.index("<h2>int8"):]
    assert int8_part.count('<svg class="hist"') == 26
    for name in ("conv1", "fire9/expand3x3", "conv10", "prob"):
        assert f"<td>{name}</td>" in int8_part
    assert int8_part.count("<line ") == 26 * 4  # table, max, kl, aciq thresholds on every histogram
    chart = int8_part[int8_part.index('aria-label="SNR of int8'):int8_part.index("</svg>")]
    assert chart.count("dB accumulated</title>") == 82 and chart.count("dB isolated</title>") == 26


HOSTILE = SMALL.replace("conv2 ", "<script>alert(2)</script> ").replace(" fc ", ' "fc"&amp; ')


def test_hostile_names_are_text(tmp_path) -> None:
    net = Net()
    net.load_param_text(HOSTILE, "hostile.param")
    net.load_synthetic_weights("random", seed=3)
    x = small_inputs(1)[0]
    section = build_section(net, x, maxabs_table(net, x), "<b>t</b>.table")
    result = profile_model(net, {"data": x}, repeats=1, warmup=0, capture_blobs=True)
    html = html_report.render(build_bundle(net, result.profile, result.blobs, "hostile", int8=section))
    assert "<script>alert(2)" not in html and "&lt;script&gt;alert(2)&lt;/script&gt;" in html
    assert "<b>t</b>" not in html and '"fc"&amp;' not in html


@pytest.mark.browser
def test_report_with_int8_opens_in_chromium(bundle, tmp_path) -> None:
    files = write_report(bundle, tmp_path / "report")
    page = load_page(files["report.html"], screenshot=tmp_path / "shot.png")
    assert page.console == [] and page.requests == []
    assert page.screenshot is not None


def _app(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["OMP_NUM_THREADS"] = "2"
    return subprocess.run([sys.executable, str(ROOT / "app.py"), *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=600)


def test_profile_with_a_table_end_to_end(squeeze, tmp_path) -> None:
    table = tmp_path / "sq.table"
    write_table(squeeze[2], table)
    done = _app("profile", str(SQUEEZENET), "--image", str(CAT), "--runs", "1", "--warmup", "0", "--table",
                str(table), "--out", str(tmp_path / "rep"))
    assert done.returncode == 0, done.stderr
    doc = json.loads((tmp_path / "rep" / "profile.json").read_text())
    jsonschema.Draft202012Validator(json_report.load_schema()).validate(doc)
    assert doc["int8"]["table"] == str(table) and len(doc["int8"]["errors"]) == 82
    bad = tmp_path / "bad.table"
    bad.write_text("conv1_param_0 1 2\nconv1 5\n")  # 2 weight scales for 64 channels
    done = _app("profile", str(SQUEEZENET), "--image", str(CAT), "--runs", "1", "--table", str(bad),
                "--out", str(tmp_path / "rep2"))
    assert done.returncode == 2 and "bad.table" not in done.stdout and "conv1" in done.stderr
    assert "2 weight scales" in done.stderr and not (tmp_path / "rep2").exists()
