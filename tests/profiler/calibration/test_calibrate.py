from __future__ import annotations

import threading

import numpy as np
import pytest

from engine.int8.table import format_table, write_table
from profiler.calibration import (
    CalibrationCancelled,
    CalibrationError,
    aciq_threshold,
    calibrate,
    clipped_fraction,
    kl_threshold,
    percentile_threshold,
)
from tests.profiler.calibration.support import tiny_inputs, tiny_net


def ncnn2int8_reader(text: str) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """ncnn2int8's read_int8scale_table, line for line: strtok on spaces, the first token the key,
    %f for the rest, stop at the first empty line; `_param_` anywhere in the key means weights."""
    weights, blobs = {}, {}
    for line in text.split("\n"):
        tokens = [t for t in line.split(" ") if t]
        if not tokens:
            break
        key, values = tokens[0][:255], [float(np.float32(float(t))) for t in tokens[1:]]
        (weights if "_param_" in key else blobs)[key] = values
    return weights, blobs


def test_every_method_is_exposed_per_blob() -> None:
    net = tiny_net()
    xs = tiny_inputs(4)
    r = calibrate(net, xs, "kl", all_methods=True, percentile=99.0)
    assert [b.layer for b in r.blobs] == ["conv1", "dw", "conv2", "fc"]
    dw, conv2 = r.blob("dw"), r.blob("conv2")
    # the Split copies c1a / c1b carry the same values: the same statistics and thresholds
    assert np.array_equal(dw.histogram, conv2.histogram) and dw.thresholds == conv2.thresholds
    for b in r.blobs:
        st = r.stats.blobs[b.blob]
        assert set(b.thresholds) == {"kl", "aciq", "max", "percentile"}
        threshold, curve = kl_threshold(st.histogram, st.absmax)
        assert b.thresholds["kl"] == threshold == b.threshold and np.array_equal(b.kl_curve, curve)
        assert b.kl_curve.shape == (1920,) and b.kl_candidates().shape == (1920,)
        assert b.thresholds["aciq"] == aciq_threshold(st.absmax, st.elements)
        assert b.thresholds["percentile"] == percentile_threshold(st.histogram, st.absmax, 99.0)
        assert b.thresholds["max"] == st.absmax
        assert b.clipped_fraction == clipped_fraction(st.histogram, st.absmax, threshold)
        assert b.scale == float(np.float32(127) / np.float32(threshold))
        assert r.table.blob(b.layer)[0] == np.float32(b.scale)


@pytest.mark.parametrize("method", ["aciq", "max", "percentile"])
def test_method_picks_its_threshold(method: str) -> None:
    r = calibrate(tiny_net(), tiny_inputs(3), method)
    for b in r.blobs:
        assert b.threshold == b.thresholds[method] and "kl" not in b.thresholds  # no KL search unless asked
        assert b.kl_curve is None
    if method == "max":
        assert all(b.clipped_fraction == 0 for b in r.blobs)


def test_table_reads_like_ncnn2int8_reads_it(tmp_path) -> None:
    r = calibrate(tiny_net(), tiny_inputs(3), "kl")
    path = tmp_path / "t.table"
    write_table(r.table, path)
    weights, blobs = ncnn2int8_reader(path.read_text())
    assert list(blobs) == ["conv1", "dw", "conv2", "fc"]
    assert list(weights) == ["conv1_param_0", "dw_param_0", "conv2_param_0", "fc_param_0"]
    for layer in blobs:
        assert np.array_equal(np.float32(blobs[layer]), r.table.blob(layer))
        assert np.array_equal(np.float32(weights[f"{layer}_param_0"]), r.table.weight(layer))
    assert format_table(r.table).count("\n\n") == 0  # an empty line would end ncnn2int8's reading


def test_errors_and_cancel() -> None:
    net = tiny_net()
    with pytest.raises(CalibrationError, match="unknown calibration method"):
        calibrate(net, tiny_inputs(1), "mse")
    with pytest.raises(CalibrationError, match="no calibration samples"):
        calibrate(net, [], "kl")
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(CalibrationCancelled):
        calibrate(net, tiny_inputs(2), "kl", cancel=cancel)


def test_all_zero_blob_gets_scale_one_and_a_note() -> None:
    r = calibrate(tiny_net(), [np.zeros((3, 7, 9), np.float32)] * 2, "kl")
    assert r.blob("conv1").scale == 1.0 and r.table.blob("conv1")[0] == 1.0
    assert any("conv1" in n and "all zeros" in n for n in r.notes)


def test_table_with_hand_thresholds_and_fp32_layers() -> None:
    from profiler.calibration import table_with

    r = calibrate(tiny_net(), tiny_inputs(3), "kl", all_methods=True)
    t = table_with(r, {"dw": r.blob("dw").thresholds["aciq"], "fc": 2.0}, keep_fp32=["conv2"])
    assert list(t.blob_scales) == ["conv1", "dw", "fc"] and "conv2" not in t.weight_scales
    assert t.blob("conv1")[0] == np.float32(r.blob("conv1").scale)
    assert t.blob("dw")[0] == np.float32(127) / np.float32(r.blob("dw").thresholds["aciq"])
    assert t.blob("fc")[0] == np.float32(63.5)
    with pytest.raises(CalibrationError, match="nope"):
        table_with(r, {"nope": 1.0})
