"""Our kl / aciq calibration of SqueezeNet against the tables ncnn2table wrote on the same images
(tests/fixtures/int8/README.md says how they were made)."""
from __future__ import annotations

from pathlib import Path

import pytest

from engine.int8.table import read_table
from profiler.calibration import blob_thresholds, collect, list_samples, weight_scales
from profiler.calibration.collect import NUM_BINS
from profiler.calibration.kl import kl_threshold_bin
from profiler.cli.common import open_model

ROOT = Path(__file__).resolve().parents[3]
FIXTURES = ROOT / "tests" / "fixtures" / "int8"
MODEL = ROOT / "resources" / "models" / "squeezenet_v1.1.param"


@pytest.fixture(scope="module")
def ours():
    model = open_model(MODEL)
    stats = collect(model.net, list_samples(FIXTURES / "images"), model.preprocess)
    return model, stats


def fixture_lines(method: str) -> dict[str, list[str]]:
    text = (FIXTURES / f"squeezenet_v1.1_{method}.table").read_text()
    return {parts[0]: parts[1:] for parts in (line.split() for line in text.splitlines()) if parts}


@pytest.mark.parametrize("method", ["kl", "aciq"])
def test_thresholds_agree_with_ncnn2table(ours, method: str) -> None:
    model, stats = ours
    ref = read_table(FIXTURES / f"squeezenet_v1.1_{method}.table")  # ncnn2table's output loads here
    assert len(ref.blob_scales) == len(stats.targets) == 26
    for t in stats.targets:
        s = stats.blobs[t.blob]
        theirs = 127.0 / float(ref.blob(t.layer)[0])
        ths, curve = blob_thresholds(s, (method,))
        assert ths[method] == pytest.approx(theirs, rel=0.01), t.layer  # the bound
        if method == "kl":
            # stronger: the same histogram bin wins (theirs back to a bin index, up to %f rounding)
            their_bin = theirs * NUM_BINS / s.absmax - 0.5
            assert abs(their_bin - kl_threshold_bin(curve)) < 0.05, t.layer


@pytest.mark.parametrize("method", ["kl", "aciq"])
def test_weight_scales_print_exactly_as_ncnn2table(ours, method: str) -> None:
    model, stats = ours
    lines = fixture_lines(method)
    for t in stats.targets:
        scales = weight_scales(model.net.layers[t.layer_index], method)
        assert [f"{float(v):f}" for v in scales] == lines[f"{t.layer}_param_0"], t.layer
