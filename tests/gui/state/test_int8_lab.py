"""The int8 lab's Qt-free state: per-layer choices make the table that ncnn2int8 would read."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from engine import Net
from engine.preprocess import Preprocess
from gui.state.int8_lab import Int8Lab
from profiler.calibration.calibrate import calibrate

ROOT = Path(__file__).resolve().parents[3]
DEMO = ROOT / "resources" / "models" / "squeezenet_v1.1.param"
IMAGES = sorted((ROOT / "resources" / "images").glob("*.png"))


@pytest.fixture(scope="module")
def lab() -> Int8Lab:
    net = Net()
    net.load_param(DEMO)
    net.load_model(DEMO.with_suffix(".bin"))
    spec = Preprocess(227, 227, (104.0, 117.0, 123.0), (1.0, 1.0, 1.0), "BGR")
    return Int8Lab(net, calibrate(net, IMAGES, "kl", spec, all_methods=True))


def test_untouched_lab_gives_the_calibration_table(lab):
    table = lab.table()
    for blob in lab.result.blobs:
        assert table.blob(blob.layer)[0] == np.float32(blob.scale)
        np.testing.assert_array_equal(table.weight(blob.layer), lab.result.weight_scales[blob.layer])
        assert lab.method(blob.layer) == "kl" and lab.threshold(blob.layer) == blob.threshold


def test_method_manual_threshold_and_fp32_choices(lab):
    layer = "fire3/expand3x3"
    blob = lab.blob(layer)
    lab.set_method(layer, "aciq")
    assert lab.threshold(layer) == blob.thresholds["aciq"]
    assert lab.table().blob(layer)[0] == pytest.approx(127.0 / blob.thresholds["aciq"], rel=1e-6)
    lab.set_threshold(layer, blob.absmax * 10)  # dragged past the end: clamped to max |x|
    assert lab.method(layer) == "manual" and lab.threshold(layer) == pytest.approx(blob.absmax)
    assert lab.clipped(layer) == 0.0
    lab.set_threshold(layer, blob.absmax / 4)
    assert 0.0 < lab.clipped(layer) < 1.0
    lab.set_fp32(layer, True)
    table = lab.table()
    assert layer not in table.blob_scales and layer not in table.weight_scales
    assert len(table.blob_scales) == len(lab.layers()) - 1
    with pytest.raises(ValueError, match="unknown method"):
        lab.set_method(layer, "magic")
