"""The five metrics against values worked out by hand, and bounds."""
from __future__ import annotations

import math

import numpy as np
import pytest

from profiler.compare import BlobMetrics, Bound, CompareError, blob_metrics, metric_name, parse_bound


def test_hand_worked_example() -> None:
    r = np.array([1, 2, 3, 4], np.float32)
    t = np.array([1, 2, 3, 5], np.float32)
    m = blob_metrics(r, t)
    # r.r = 30, t.t = 39, r.t = 34, d = (0,0,0,1)
    assert m.cosine == pytest.approx(34 / math.sqrt(30 * 39), rel=1e-15)
    assert m.snr_db == pytest.approx(10 * math.log10(30), rel=1e-15)  # 14.771 dB
    assert m.max_abs == 1.0 and m.mean_abs == 0.25
    assert m.rel_l2 == pytest.approx(1 / math.sqrt(30), rel=1e-15)
    assert m.elements == 4


def test_scaled_and_negated() -> None:
    r = np.array([[3.0, -4.0]], np.float32)
    double = blob_metrics(r, 2 * r)  # d = r: SNR 0 dB, rel L2 1, same direction
    assert double.cosine == pytest.approx(1.0) and double.snr_db == pytest.approx(0.0, abs=1e-12)
    assert double.rel_l2 == pytest.approx(1.0) and double.max_abs == 4.0 and double.mean_abs == 3.5
    neg = blob_metrics(r, -r)  # d = -2r: SNR 10 log10(1/4), opposite direction
    assert neg.cosine == pytest.approx(-1.0) and neg.snr_db == pytest.approx(10 * math.log10(0.25))
    assert neg.rel_l2 == pytest.approx(2.0)
    orth = blob_metrics(np.array([1.0, 0.0]), np.array([0.0, 1.0]))  # d = (-1, 1): d.d = 2, r.r = 1
    assert orth.cosine == 0.0 and orth.snr_db == pytest.approx(10 * math.log10(0.5))
    assert orth.rel_l2 == pytest.approx(math.sqrt(2))


def test_identical_and_zero_cases() -> None:
    r = np.arange(6, dtype=np.float32).reshape(2, 3)
    same = blob_metrics(r, r.copy())
    assert same == BlobMetrics(1.0, math.inf, 0.0, 0.0, 0.0, 6)
    zeros = np.zeros(4, np.float32)
    assert blob_metrics(zeros, zeros) == BlobMetrics(1.0, math.inf, 0.0, 0.0, 0.0, 4)
    off = blob_metrics(zeros, np.array([0, 0, 0, -2], np.float32))  # fp32 is all zero, int8 is not
    assert off.cosine == 0.0 and off.snr_db == -math.inf and off.rel_l2 == math.inf
    assert off.max_abs == 2.0 and off.mean_abs == 0.5
    assert blob_metrics(np.zeros(0), np.zeros(0)).elements == 0


def test_random_arrays_against_numpy_formulas() -> None:
    rng = np.random.default_rng(7)
    r = rng.normal(0, 3, (4, 5, 6)).astype(np.float32)
    t = (r + rng.normal(0, 0.1, r.shape)).astype(np.float32)
    m = blob_metrics(r, t)
    r64, t64 = r.astype(np.float64), t.astype(np.float64)
    assert m.cosine == pytest.approx(np.sum(r64 * t64) / (np.linalg.norm(r64) * np.linalg.norm(t64)), rel=1e-12)
    assert m.snr_db == pytest.approx(20 * np.log10(np.linalg.norm(r64) / np.linalg.norm(t64 - r64)), rel=1e-12)
    assert m.max_abs == np.max(np.abs(t64 - r64))
    assert m.mean_abs == pytest.approx(np.mean(np.abs(t64 - r64)), rel=1e-12)
    assert m.rel_l2 == pytest.approx(np.linalg.norm(t64 - r64) / np.linalg.norm(r64), rel=1e-12)


def test_blobs_larger_than_one_chunk() -> None:
    rng = np.random.default_rng(8)
    r = rng.normal(0, 1, 3 * 65536 + 17).astype(np.float32)  # sums run a chunk at a time
    t = (r * 1.01 + rng.normal(0, 0.05, r.size)).astype(np.float32)
    t[-1] += 9.0  # the largest error sits in the last, partial chunk
    m = blob_metrics(r, t)
    r64, d64 = r.astype(np.float64), t.astype(np.float64) - r.astype(np.float64)
    assert m.max_abs == np.max(np.abs(d64)) and m.elements == r.size
    assert m.mean_abs == pytest.approx(np.mean(np.abs(d64)), rel=1e-12)
    assert m.rel_l2 == pytest.approx(np.linalg.norm(d64) / np.linalg.norm(r64), rel=1e-12)
    assert m.cosine == pytest.approx(np.dot(r64, t.astype(np.float64)) / np.linalg.norm(r64)
                                     / np.linalg.norm(t.astype(np.float64)), rel=1e-12)
    t[70000] = np.nan  # NaN in the second chunk still poisons the result
    assert math.isnan(blob_metrics(r, t).max_abs)


def test_int8_values_compare_as_numbers() -> None:
    m = blob_metrics(np.array([1.0, -2.0], np.float32), np.array([1, -3], np.int8))
    assert m.max_abs == 1.0 and m.mean_abs == 0.5


def test_nan_poisons_and_shapes_must_match() -> None:
    m = blob_metrics(np.ones(3, np.float32), np.array([1, np.nan, 1], np.float32))
    assert math.isnan(m.cosine) and math.isnan(m.snr_db) and math.isnan(m.rel_l2)
    assert Bound("cosine", 0.5).crossed(m) and Bound("max_abs", 1e9).crossed(m)
    with pytest.raises(CompareError, match=r"conv7.*\(2, 3\).*\(3, 2\)"):
        blob_metrics(np.zeros((2, 3)), np.zeros((3, 2)), "conv7")


@pytest.mark.parametrize("text, metric, value", [
    ("cosine=0.99", "cosine", 0.99), ("snr=20", "snr_db", 20.0), ("SNR_dB=12.5", "snr_db", 12.5),
    ("max-abs=0.5", "max_abs", 0.5), ("mean_abs=1e-3", "mean_abs", 1e-3), ("rel_l2=0.1", "rel_l2", 0.1)])
def test_parse_bound(text: str, metric: str, value: float) -> None:
    assert parse_bound(text) == Bound(metric, value)


@pytest.mark.parametrize("text, message", [("cosine", "METRIC=VALUE"), ("psnr=3", "unknown error metric"),
                                           ("cosine=high", "not a number"), ("snr=inf", "finite")])
def test_bad_bounds_say_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(CompareError, match=message):
        parse_bound(text)


def test_bound_direction() -> None:
    m = BlobMetrics(cosine=0.98, snr_db=19.0, max_abs=0.7, mean_abs=0.01, rel_l2=0.2, elements=10)
    assert Bound("cosine", 0.99).crossed(m) and not Bound("cosine", 0.98).crossed(m)  # a floor: crossed below
    assert Bound("snr_db", 20).crossed(m) and not Bound("snr_db", 19).crossed(m)
    assert Bound("max_abs", 0.5).crossed(m) and not Bound("max_abs", 0.7).crossed(m)  # a ceiling: crossed above
    assert Bound("rel_l2", 0.1).crossed(m) and not Bound("mean_abs", 0.1).crossed(m)
    assert Bound("cosine", 0.99).describe() == "cosine < 0.99" and Bound("max_abs", 2).describe() == "max_abs > 2"
    assert metric_name("SNR") == "snr_db" and m.get("snr") == 19.0
