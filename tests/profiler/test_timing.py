"""Timing over repeats from extractor hooks; statistics checked by hand."""
from __future__ import annotations

import threading

import numpy as np
import pytest

from engine import ExtractionCancelled, Net
from profiler.records import TimingStats, percentile
from profiler.stats import blob_stats
from profiler.timing import profile_model

CHAIN = """7767517
4 5
Input    in     0 1 data
Split    sp     1 2 data a b
ReLU     r1     1 1 a a1 0=0.5
ReLU     r2     1 1 b b1
"""


def net() -> Net:
    n = Net()
    n.load_param_text(CHAIN)
    n.load_synthetic_weights()
    return n


X = np.linspace(-1, 1, 12, dtype=np.float32)


def test_statistics_are_computed_as_by_hand():
    s = TimingStats((4.0, 1.0, 3.0, 2.0, 10.0))
    assert (s.min, s.median, s.max, s.mean) == (1.0, 3.0, 10.0, 4.0)
    assert s.p95 == pytest.approx(8.8)  # 4 + (10 - 4) * 0.8 at position 3.8 of the sorted sample
    assert percentile([5.0], 95) == 5.0


def test_every_layer_gets_one_sample_per_repeat_in_execution_order():
    steps = []
    result = profile_model(net(), {"data": X}, repeats=5, warmup=2, progress=lambda d, t, m: steps.append((d, t)))
    p = result.profile
    assert [r.name for r in p.layers] == ["sp", "r1", "r2"]
    assert all(len(r.timing.samples_ms) == 5 for r in p.layers)
    assert len(p.wall.samples_ms) == 5 and p.repeats == 5 and p.warmup == 2
    assert p.layers[1].output_shapes == ((12,),) and p.layers[1].top_names == ("a1",)
    assert steps[-1] == (21, 21)  # 7 runs x 3 layers
    assert p.wall.median >= max(r.timing.min for r in p.layers)
    assert p.environment["threads"] == p.threads and p.backend == "cpu"


def test_blobs_of_one_run_are_captured():
    result = profile_model(net(), {"data": X}, repeats=2, capture_blobs=True)
    assert set(result.blobs) == {"data", "a", "b", "a1", "b1"}
    np.testing.assert_array_equal(result.blobs["a1"], np.where(X < 0, X * 0.5, X))


def test_cancel_raises_between_layers():
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(ExtractionCancelled):
        profile_model(net(), {"data": X}, repeats=3, cancel=cancel)


def test_blob_stats_by_hand():
    s = blob_stats("x", np.array([[0.0, 1.0], [np.nan, -3.0], [np.inf, 0.0]], np.float32))
    assert (s.min, s.max, s.nan_count, s.inf_count) == (-3.0, 1.0, 1, 1)
    assert s.mean == pytest.approx(-0.5) and s.zeros_pct == pytest.approx(100 * 2 / 6)
