from __future__ import annotations

import math

import numpy as np
import pytest

from profiler.calibration.methods import aciq_threshold, clipped_fraction, percentile_threshold, scale_for


def test_aciq_by_hand() -> None:
    # std = absmax * 2 * 0.175 * (1 + sqrt(pi ln 4)) / sqrt(2 ln N); threshold = alpha * std
    absmax, n = 10.0, 1000
    std = absmax * 0.35 * (1 + math.sqrt(math.pi * math.log(4))) / math.sqrt(2 * math.log(n))
    assert aciq_threshold(absmax, n) == pytest.approx(3.92403714 * std, rel=1e-6)
    assert aciq_threshold(absmax, n, bits=6) == pytest.approx(3.28691474 * std, rel=1e-6)
    assert aciq_threshold(absmax, 1) == math.inf
    with pytest.raises(ValueError):
        aciq_threshold(1.0, 10, bits=9)


def test_percentile_and_clipped_fraction_by_hand() -> None:
    h = np.zeros(2048, np.int64)
    h[0], h[1023], h[2047] = 50, 40, 10  # absmax 2048 -> bin width 1
    assert percentile_threshold(h, 2048.0, 50) == pytest.approx(1.0)  # the 50th value closes bin 0
    assert percentile_threshold(h, 2048.0, 70) == pytest.approx(1023.5)  # halfway through bin 1023
    assert percentile_threshold(h, 2048.0, 100) == pytest.approx(2048.0)
    assert clipped_fraction(h, 2048.0, 2048.0) == 0.0
    assert clipped_fraction(h, 2048.0, 1023.5) == pytest.approx((20 + 10) / 100)
    assert clipped_fraction(h, 2048.0, 0.0) == 1.0
    assert percentile_threshold(np.zeros(2048), 0.0) == 0.0
    with pytest.raises(ValueError):
        percentile_threshold(h, 1.0, 0)


def test_scale_is_float32_division_and_zero_blobs_get_one() -> None:
    assert scale_for(3.0) == float(np.float32(127) / np.float32(3.0))
    assert scale_for(0.0) == 1.0 and scale_for(math.inf) == 1.0
