from __future__ import annotations

import math

import numpy as np
import pytest

from profiler.calibration.kl import TARGET_BINS, kl_curve, kl_threshold, kl_threshold_bin, normalise

f32 = np.float32


def scalar_kl(h: np.ndarray, threshold: int) -> np.float32:
    """ncnn2table's loop body for one candidate, element by element with float32 scalars
    (tools/quantize/ncnn2table.cpp, QuantNet::quantize_KL), log rounded from double like our module."""
    eps = f32(0.0001)
    n = h.size
    clip = [eps] * threshold
    for j in range(threshold):
        clip[j] = f32(clip[j] + h[j])
    for j in range(threshold, n):
        clip[threshold - 1] = f32(clip[threshold - 1] + h[j])
    per = f32(threshold) / f32(TARGET_BINS)
    quant = [f32(0)] * TARGET_BINS
    spans = []
    for j in range(TARGET_BINS):
        start = f32(0) if j == 0 else f32(j * per)
        end = f32(threshold) if j == TARGET_BINS - 1 else f32((j + 1) * per)
        lu, rl = math.ceil(start), math.floor(end)
        ls, rs = f32(f32(lu) - start), f32(end - f32(rl))
        spans.append((lu, ls, rl, rs))
        q = f32(0)
        if ls > 0:
            q = f32(q + f32(ls * h[lu - 1]))
        if rs > 0 and j != TARGET_BINS - 1:
            q = f32(q + f32(rs * h[rl]))
        for k in range(lu, rl):
            q = f32(q + h[k])
        quant[j] = f32(q / f32(f32(f32(rl - lu) + ls) + rs))
    expand = [eps] * threshold
    for j, (lu, ls, rl, rs) in enumerate(spans):
        if ls > 0:
            expand[lu - 1] = f32(expand[lu - 1] + f32(ls * quant[j]))
        if rs > 0:
            expand[rl] = f32(expand[rl] + f32(rs * quant[j]))
        for k in range(lu, rl):
            expand[k] = f32(expand[k] + quant[j])
    result = f32(0)
    for a, b in zip(clip, expand, strict=True):
        result = f32(result + f32(a * f32(math.log(float(f32(a / b))))))
    return result


@pytest.mark.parametrize("seed", [0, 1])
def test_vectorised_search_equals_the_loop_bit_for_bit(seed: int) -> None:
    rng = np.random.default_rng(seed)
    counts = rng.poisson(rng.exponential(50, 2048) * np.exp(-np.arange(2048) / 300.0)).astype(np.int64)
    counts[rng.integers(0, 2048, 200)] = 0  # empty bins inside the range
    curve = kl_curve(counts)
    h = normalise(counts)
    for t in (128, 129, 191, 256, 300, 1000, 1537, 2047):
        assert curve[t - TARGET_BINS] == scalar_kl(h, t), t


def test_mass_inside_128_bins_gives_zero_divergence_and_the_first_candidate() -> None:
    # all mass in the first 100 bins: at T = 128 each group is one bin, Q equals P and KL is exactly 0
    counts = np.zeros(2048, np.int64)
    counts[:100] = 7
    curve = kl_curve(counts)
    assert curve[0] == 0.0
    threshold, _ = kl_threshold(counts, 10.0)
    assert threshold == pytest.approx(128.5 * 10.0 / 2048, rel=1e-7)


def test_ties_and_nan_follow_ncnn_rule() -> None:
    assert kl_threshold_bin(np.array([3, 1, 1, 2], np.float32)) == TARGET_BINS + 1  # first minimum
    assert kl_threshold_bin(np.array([np.nan, np.nan], np.float32)) == TARGET_BINS  # nothing beats FLT_MAX
    assert kl_threshold(np.zeros(2048, np.int64), 0.0)[0] == 0.0  # all-zero blob
