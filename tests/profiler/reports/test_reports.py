"""The report bundle: JSON against its schema, CSV, Chrome trace rules, hostile names, atomic writes,
and the HTML in a real headless Chromium (no console errors, no network, a screenshot we look at)."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import jsonschema
import numpy as np
import pytest

from engine import Net
from profiler import reports
from profiler.reports import build_bundle, json_report, write_report
from profiler.timing import profile_model
from tests.support.browser import load_page

HOSTILE = """7767517
5 6
Input            data                   0 1 data 0=16 1=12 2=3
Convolution      conv<script>alert(1)</script>  1 1 data a 0=4 1=3 4=1 5=1 6=108 9=1
Split            "quoted"&amp;          1 2 a a1 a2
Convolution      c2'                    1 1 a1 <b>blob</b> 0=4 1=1 6=16
ReLU             r                      1 1 <b>blob</b> out</td>
"""


@pytest.fixture(scope="module")
def bundle():
    net = Net()
    net.opt.lightmode = False
    net.load_param_text(HOSTILE, "hostile.param")
    net.load_synthetic_weights("random", seed=1)
    x = np.random.default_rng(0).standard_normal((3, 12, 16)).astype(np.float32)
    result = profile_model(net, {"data": x}, repeats=4, capture_blobs=True)
    return build_bundle(net, result.profile, result.blobs, "hostile <model>")


def test_json_validates_against_the_schema_and_carries_every_layer(bundle):
    doc = json.loads(json_report.render(bundle))
    jsonschema.Draft202012Validator(json_report.load_schema()).validate(doc)
    assert doc["schema_version"] == "1.0"
    assert [layer["name"] for layer in doc["layers"]] == [r.name for r in bundle.profile.layers]
    assert all(len(layer["time_ms"]["samples"]) == 4 for layer in doc["layers"])
    assert doc["run"]["wall_ms"]["median"] == pytest.approx(bundle.profile.wall.median)


def test_schema_rejects_a_broken_document(bundle):
    doc = json.loads(json_report.render(bundle))
    doc["layers"][0]["time_ms"]["median"] = -1
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(json_report.load_schema()).validate(doc)


def test_csv_parses_with_one_row_per_layer(bundle):
    rows = list(csv.DictReader(io.StringIO(reports.csv_report.render(bundle))))
    assert [r["name"] for r in rows] == [r.name for r in bundle.profile.layers]
    assert rows[0]["name"] == "conv<script>alert(1)</script>"
    for row, rec in zip(rows, bundle.profile.layers):
        assert float(row["median_ms"]) == pytest.approx(rec.timing.median, abs=1e-6)  # 6 decimals = 1 ns


def test_trace_has_the_required_fields_and_no_overlap_per_track(bundle):
    doc = json.loads(reports.trace.render(bundle))
    events = doc["traceEvents"]
    complete = [e for e in events if e["ph"] == "X"]
    for e in complete:
        assert {"name", "ph", "ts", "dur", "pid", "tid"} <= set(e) and e["dur"] >= 0
    assert {e["name"] for e in events if e["ph"] == "M"} >= {"process_name", "thread_name"}
    runs = [e for e in complete if e.get("cat") == "run"]
    assert len(runs) == bundle.profile.repeats
    by_track: dict[tuple[int, int], list[dict]] = {}
    for e in complete:
        by_track.setdefault((e["pid"], e["tid"]), []).append(e)
    for track in by_track.values():
        track.sort(key=lambda e: e["ts"])
        for a, b in zip(track, track[1:]):
            assert a["ts"] + a["dur"] <= b["ts"] + 1e-6, (a, b)
    layers_per_run = len(bundle.profile.layers)
    assert len(complete) == len(runs) * (1 + layers_per_run)


def test_hostile_names_appear_as_text_in_html(bundle):
    html = reports.html_report.render(bundle)
    assert "<script>alert(1)</script>" not in html
    assert "conv&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>blob</b>" not in html and "out</td>" not in html
    assert html.count("<script>") == 1  # only the report's own inline sorter


def test_write_is_atomic_a_failing_renderer_leaves_the_old_report(bundle, tmp_path, monkeypatch):
    write_report(bundle, tmp_path)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}

    def boom(_):
        raise RuntimeError("disk full")
    monkeypatch.setitem(reports.FILES, "trace.json", boom)
    with pytest.raises(RuntimeError):
        write_report(bundle, tmp_path)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


@pytest.mark.browser
def test_the_browser_check_catches_console_errors_and_requests(tmp_path):
    bad = tmp_path / "bad.html"
    bad.write_text('<!DOCTYPE html><img src="http://example.invalid/x.png"><script>console.error("boom")</script>')
    page = load_page(bad)
    assert any("boom" in m for m in page.console)
    assert page.requests == ["http://example.invalid/x.png"]


@pytest.mark.browser
def test_report_opens_in_chromium_without_errors_or_network(bundle, tmp_path):
    files = write_report(bundle, tmp_path / "report")
    shot = Path(tmp_path / "report.png")
    page = load_page(files["report.html"], screenshot=shot)
    assert page.console == [] and page.requests == []
    assert page.screenshot is not None and page.screenshot.stat().st_size > 20_000
