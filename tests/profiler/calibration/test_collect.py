from __future__ import annotations

import threading

import numpy as np
import pytest

from engine.preprocess import Preprocess
from profiler.calibration.collect import (
    NUM_BINS,
    CalibrationCancelled,
    CalibrationError,
    collect,
    find_targets,
    histogram_of,
    list_samples,
    load_sample,
)
from tests.profiler.calibration.support import tiny_inputs, tiny_net


def ncnn_bin(v: float, absmax: float) -> int:
    """ncnn2table's expression, literally: (int)(fabs(v) / absmax * 2048) in float32, capped at 2047."""
    q = np.float32(abs(np.float32(v))) / np.float32(absmax)
    return min(int(np.float32(q * np.float32(NUM_BINS))), NUM_BINS - 1)


def test_histogram_hand_computed() -> None:
    x = np.array([0, 0, 1.0, -2.0, 0.001, 1.999, -0.0], np.float32)
    h = histogram_of(np.abs(x), 2.0)
    expected = np.zeros(NUM_BINS, np.int64)
    for b in (1024, 2047, 1, 2046):  # 1/2*2048, |−2| hits 2048 → 2047, 1.024 → 1, 2046.976 → 2046
        expected[b] += 1
    assert np.array_equal(h, expected)


def test_histogram_matches_ncnn_expression_at_bin_edges() -> None:
    rng = np.random.default_rng(3)
    absmax = np.float32(7.3)
    x = rng.uniform(-absmax, absmax, 20000).astype(np.float32)
    # values sitting exactly on (and one ulp around) bin edges, where rounding decides the bin
    edges = (np.arange(1, NUM_BINS) * (absmax / np.float32(NUM_BINS))).astype(np.float32)
    x = np.concatenate([x, edges, np.nextafter(edges, np.float32(0)), np.nextafter(edges, np.float32(9)), [absmax]])
    x = x.astype(np.float32)
    expected = np.zeros(NUM_BINS, np.int64)
    for v in x:
        if v != 0:
            expected[ncnn_bin(v, absmax)] += 1
    assert np.array_equal(histogram_of(np.abs(x), float(absmax)), expected)


def test_targets_are_first_bottoms_in_model_order() -> None:
    targets = find_targets(tiny_net())
    assert [(t.layer, t.blob) for t in targets] == [("conv1", "data"), ("dw", "c1a"), ("conv2", "c1b"), ("fc", "p1")]


@pytest.mark.parametrize("cache_bytes", [0, 1 << 30, 3000])  # none, all, some samples cached
def test_collect_equals_direct_statistics(cache_bytes: int) -> None:
    net = tiny_net()
    xs = tiny_inputs(5)
    stats = collect(net, xs, cache_bytes=cache_bytes)
    blobs = {"data": [], "c1a": [], "c1b": [], "p1": []}
    for x in xs:  # the blobs, extracted plainly
        ex = net.create_extractor()
        ex.input("data", x)
        for name in blobs:
            blobs[name].append(np.array(ex.extract(name)))
    for name, arrays in blobs.items():
        s = stats.blobs[name]
        absmax = max(float(np.abs(a).max()) for a in arrays)
        assert s.absmax == absmax
        expected = np.zeros(NUM_BINS, np.int64)
        for a in arrays:
            for v in a.reshape(-1):
                if v != 0:
                    expected[ncnn_bin(v, absmax)] += 1
        assert np.array_equal(s.histogram, expected), name
        assert s.zeros == sum(int(np.count_nonzero(a == 0)) for a in arrays)
        assert s.elements == arrays[0].size and s.samples == 5
    assert stats.blobs["data"].zeros >= 5 * 9  # the zeros we planted were skipped, not binned


def test_progress_and_cancel() -> None:
    net = tiny_net()
    seen = []
    collect(net, tiny_inputs(3), progress=lambda d, t, m: seen.append((d, t)))
    assert seen[-1] == (6, 6) and [d for d, _ in seen] == sorted(d for d, _ in seen)
    cancel = threading.Event()

    def stop_after_two(done: int, total: int, message: str) -> None:
        if done >= 2:
            cancel.set()
    with pytest.raises(CalibrationCancelled):
        collect(net, tiny_inputs(4), progress=stop_after_two, cancel=cancel)


def test_bad_inputs_are_named(tmp_path) -> None:
    with pytest.raises(CalibrationError, match="no images"):
        list_samples(tmp_path)
    with pytest.raises(CalibrationError, match="not a folder"):
        list_samples(tmp_path / "missing")
    bad = tmp_path / "broken.png"
    bad.write_bytes(b"not a png")
    (tmp_path / "notes.txt").write_text("ignored")
    assert list_samples(tmp_path) == [bad]
    with pytest.raises(CalibrationError, match="broken.png"):
        load_sample(bad, Preprocess(width=9, height=7))
    obj = tmp_path / "obj.npy"
    np.save(obj, np.array(["a"], dtype=object), allow_pickle=True)
    with pytest.raises(CalibrationError, match="obj.npy"):
        load_sample(obj, Preprocess())
    nan = np.zeros((3, 7, 9), np.float32)
    nan[0, 0, 0] = np.nan
    with pytest.raises(CalibrationError, match="#1: blob 'data' holds NaN"):
        collect(tiny_net(), [np.ones((3, 7, 9), np.float32), nan])
    with pytest.raises(CalibrationError, match="#0: the model failed on this sample"):
        collect(tiny_net(), [np.zeros((2, 7, 9), np.float32)])  # wrong channel count
