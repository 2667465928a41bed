"""Accumulated and isolated FP32-vs-int8 comparisons, checked against independent runs and int8 sums done
by hand (exact integers), on a small model where int8 blobs flow through a Split, and on SqueezeNet."""
from __future__ import annotations

import math
import threading

import numpy as np
import pytest

from engine import Net
from engine.int8.simulate import int8_net
from profiler.compare import (BlobMetrics, Bound, CompareCancelled, CompareError, ImageComparison, LayerError,
                              blob_metrics, check_same_topology, compare_image, float_blobs, fp32_reference)
from profiler.compare.compare import _Pair
from tests.profiler.compare.support import (fp32_blobs, hand_int8_pointwise, maxabs_table, small_inputs, small_net,
                                            squeezenet, squeezenet_input)

RTOL = 1e-5  # hand sums are exact; only the float32 dequantisation (1/(s_in*s_w), + bias) differs


def assert_metrics_close(got: BlobMetrics, want: BlobMetrics) -> None:
    for k in ("cosine", "snr_db", "max_abs", "mean_abs", "rel_l2"):
        assert got.get(k) == pytest.approx(want.get(k), rel=RTOL), k
    assert got.elements == want.elements


@pytest.fixture(scope="module")
def small():
    net = small_net()
    x = small_inputs(1)[0]
    table = maxabs_table(net, x)
    twin = int8_net(net, table)
    return net, twin, table, x, compare_image(net, twin, x, "x0")


def test_rows_follow_execution_order_one_per_top(small) -> None:
    net, twin, _table, _x, result = small
    assert [(r.layer, r.blob) for r in result.rows] == [
        ("conv1", "c1"), ("sp", "c1a"), ("sp", "c1b"), ("conv2", "c2"), ("dw", "d1"), ("add", "e"), ("gap", "p"),
        ("fc", "out")]
    assert [r.index for r in result.rows] == [1, 2, 2, 3, 4, 5, 6, 7]
    assert set(result.quantised) == {"conv1", "conv2", "dw", "fc"}
    assert [r.quantised for r in result.rows] == [True, False, False, True, True, False, False, True]
    # isolated only where a layer runs int8
    assert [r.isolated is not None for r in result.rows] == [r.quantised for r in result.rows]
    assert all(r.accumulated is not None for r in result.rows)


def test_accumulated_int8_blobs_are_dequantised_with_the_table_scale(small) -> None:
    net, twin, table, x, result = small
    ex = twin.create_extractor()
    ex.input("data", x)
    raw = {b: np.asarray(ex.extract(b, raw=True)) for b in ("c1", "c1a", "c1b", "out")}
    assert raw["c1"].dtype == np.int8 and raw["c1a"].dtype == np.int8  # conv1 requantises for conv2 and dw
    ref = fp32_blobs(net, x)
    scale = float(table.blob("conv2")[0])  # conv1's top scale is its first consumer's bottom scale
    for blob in ("c1", "c1a", "c1b"):
        want = blob_metrics(ref[blob], raw[blob].astype(np.float64) / scale)
        got = next(r for r in result.rows if r.blob == blob).accumulated
        assert_metrics_close(got, want)
    assert 0.99 < result.row("conv1").accumulated.cosine < 1.0  # int8 is close, not equal
    assert_metrics_close(result.row("fc").accumulated, blob_metrics(ref["out"], raw["out"]))


def test_isolated_pointwise_layers_match_int8_sums_done_by_hand(small) -> None:
    net, _twin, table, x, result = small
    ref = fp32_blobs(net, x)
    conv2, fc = net.layers[3], net.layers[7]
    want = hand_int8_pointwise(ref["c1a"], conv2.weights["weight_data"].reshape(8, 8), conv2.weights["bias_data"],
                               float(table.blob("conv2")[0]), table.weight("conv2")).reshape(8, 8, 10)
    assert_metrics_close(result.row("conv2").isolated, blob_metrics(ref["c2"], want))
    want = hand_int8_pointwise(ref["p"], fc.weights["weight_data"].reshape(5, 8), fc.weights["bias_data"],
                               float(table.blob("fc")[0]), table.weight("fc")).reshape(5)
    assert_metrics_close(result.row("fc").isolated, blob_metrics(ref["out"], want))


def test_float_blobs_dequantise_through_the_split(small) -> None:
    net, twin, table, x, _ = small
    ex = twin.create_extractor()
    ex.input("data", x)
    raw = {b.name: np.asarray(ex.extract(b.name, raw=True)) for b in twin.blobs}
    floats = float_blobs(twin, x)
    assert set(floats) == set(raw)
    scale = np.float32(table.blob("conv2")[0])
    for name, a in raw.items():
        if name in ("c1", "c1a", "c1b"):
            assert a.dtype == np.int8 and np.array_equal(floats[name], a.astype(np.float32) / scale)
        else:
            assert a.dtype == np.float32 and np.array_equal(floats[name], a)
    assert list(float_blobs(twin, x, ["c1b", "out"])) == ["c1b", "out"]


def test_first_quantised_layer_isolated_equals_accumulated(small) -> None:
    result = small[4]
    conv1 = result.row("conv1")
    assert conv1.isolated == conv1.accumulated  # both see the fp32 model input
    assert conv1.accumulated.cosine < 1.0


def test_keep_fp32_layers_are_not_int8(small) -> None:
    net, _twin, table, x, _ = small
    twin = int8_net(net, table, keep_fp32=("conv2", "dw"))
    result = compare_image(net, twin, x)
    assert set(result.quantised) == {"conv1", "fc"}
    assert result.row("conv2").isolated is None and not result.row("conv2").quantised


def test_modes_can_be_skipped(small) -> None:
    net, twin, _table, x, full = small
    acc = compare_image(net, twin, x, accumulated=True, isolated=False)
    iso = compare_image(net, twin, x, accumulated=False, isolated=True)
    assert all(r.isolated is None for r in acc.rows) and all(r.accumulated is None for r in iso.rows)
    assert [r.accumulated for r in acc.rows] == [r.accumulated for r in full.rows]
    assert [r.isolated for r in iso.rows] == [r.isolated for r in full.rows]


def test_an_fp32_reference_is_reused_across_twins(small, monkeypatch) -> None:
    net, twin, table, x, full = small
    ref = fp32_reference(net, x, "x0")
    runs = []
    original = _Pair._go
    monkeypatch.setattr(_Pair, "_go", lambda self, n, *a: (runs.append(n), original(self, n, *a)))
    again = compare_image(net, twin, ref)
    assert runs == [twin] and again == full  # only the int8 net ran; same rows, same image name
    fewer = compare_image(net, int8_net(net, table, keep_fp32=("fc",)), ref, "other")
    assert fewer.image == "other" and fewer.row("fc").accumulated.cosine > full.row("fc").accumulated.cosine
    assert fewer.row("conv1") == full.row("conv1")  # upstream of fc nothing changed


def _row(i: int, name: str, cosine: float, quantised: bool = True) -> LayerError:
    m = BlobMetrics(cosine, 30.0, 0.1, 0.01, 0.02, 10)
    return LayerError(i, name, "Convolution", name, quantised, m, m if quantised else None)


def test_first_crossing_is_the_first_in_execution_order() -> None:
    result = ImageComparison("img", (_row(1, "a", 0.999), _row(2, "b", 0.95, False), _row(3, "c", 0.90),
                                     _row(4, "d", math.nan)), ("a", "c", "d"))
    assert result.first_crossing(Bound("cosine", 0.99)).layer == "b"
    assert result.first_crossing(Bound("cosine", 0.99), "isolated").layer == "c"  # b has no isolated value
    assert result.first_crossing(Bound("cosine", 0.5)).layer == "d"  # NaN always crosses
    assert result.first_crossing(Bound("max_abs", 0.1)) is None
    with pytest.raises(CompareError, match="mode"):
        result.first_crossing(Bound("cosine", 0.5), "both")


def test_cancel_stops_the_run(small) -> None:
    net, twin, _table, x, _ = small
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(CompareCancelled):
        compare_image(net, twin, x, cancel=cancel)


def test_a_net_that_is_not_the_twin_is_refused(small) -> None:
    net, _twin, _table, x, _ = small
    other = squeezenet()
    with pytest.raises(CompareError, match="twin"):
        compare_image(net, other, x)
    with pytest.raises(CompareError, match="twin"):
        check_same_topology(net, Net())


def test_wrong_input_shape_names_the_run(small) -> None:
    net, twin, _table, _x, _ = small
    with pytest.raises(CompareError, match="fp32 run failed.*conv1"):
        compare_image(net, twin, np.zeros((5, 8, 10), np.float32))


@pytest.fixture(scope="module")
def squeeze():
    net = squeezenet()
    x = squeezenet_input()
    table = maxabs_table(net, x)
    twin = int8_net(net, table)
    return net, twin, table, x, compare_image(net, twin, x, "chelsea.png")


def test_squeezenet_final_blob_against_plain_runs(squeeze) -> None:
    net, twin, _table, x, result = squeeze
    ex32, ex8 = net.create_extractor(), twin.create_extractor()
    ex32.input("data", x)
    ex8.input("data", x)
    p32, p8 = np.asarray(ex32.extract("prob")), np.asarray(ex8.extract("prob"))
    last = result.rows[-1]
    assert (last.layer, last.blob) == ("prob", "prob")
    assert_metrics_close(last.accumulated, blob_metrics(p32, p8))
    assert np.argmax(p32) == np.argmax(p8)  # the cat stays a cat
    assert 0.99 < last.accumulated.cosine < 1.0
    assert len(result.quantised) == 26 and len(result.rows) == 82  # 74 layers after the input, 8 Splits of 2


def test_squeezenet_isolated_conv10_by_hand(squeeze) -> None:
    net, _twin, table, x, result = squeeze
    ref = fp32_blobs(net, x)
    conv10 = next(layer for layer in net.layers if layer.name == "conv10")
    c_in = conv10.weights["weight_data"].size // conv10.num_output
    assert conv10.pads() == (1, 1, 1, 1)  # the param's 4=1: a 1x1 convolution with zero padding
    padded = np.pad(ref["fire9/concat_drop9"], ((0, 0), (1, 1), (1, 1)))  # zero quantises to zero
    want = hand_int8_pointwise(padded, conv10.weights["weight_data"].reshape(-1, c_in),
                               conv10.weights["bias_data"], float(table.blob("conv10")[0]), table.weight("conv10"))
    assert_metrics_close(result.row("conv10").isolated, blob_metrics(ref["conv10"], want.reshape(ref["conv10"].shape)))


def test_squeezenet_error_accumulates_along_the_graph(squeeze) -> None:
    result = squeeze[4]
    conv1, conv10 = result.row("conv1"), result.row("conv10")
    assert conv1.isolated == conv1.accumulated
    # alone conv10 is as good as conv1; after 25 int8 layers before it, it is clearly worse
    assert conv10.isolated.snr_db > 30 and conv10.accumulated.snr_db < conv10.isolated.snr_db - 6
