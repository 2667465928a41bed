"""Vulkan Interp against the numpy layer: nearest, bilinear, bicubic; scales, sizes, align_corner."""
from __future__ import annotations

import pytest

from tests.engine.vulkan.support import compare_layer, rand

pytestmark = pytest.mark.vulkan

CASES = [
    {0: 1, 1: 2.0, 2: 2.0}, {0: 2, 1: 2.0, 2: 2.0}, {0: 3, 1: 2.0, 2: 2.0},
    {0: 1, 3: 11, 4: 5}, {0: 2, 3: 4, 4: 13}, {0: 2, 3: 11, 4: 9, 6: 1}, {0: 3, 3: 6, 4: 17, 6: 1},
    {0: 2, 1: 0.5, 2: 1.5}, {0: 1, 1: 1.7, 2: 0.6}, {0: 3, 1: 1.0, 2: 1.0},
]


@pytest.mark.parametrize("params", CASES, ids=[str(c) for c in CASES])
def test_interp_3d(tmp_path, vk_device, params):
    compare_layer(tmp_path, "Interp", params, [rand((3, 7, 5))])


@pytest.mark.parametrize("params", [{0: 1, 2: 2.0}, {0: 2, 4: 9}, {0: 3, 4: 11, 6: 1}])
def test_interp_2d_changes_only_the_width(tmp_path, vk_device, params):
    compare_layer(tmp_path, "Interp", {1: 1.0, **params}, [rand((5, 7))])


def test_interp_dynamic_size_from_a_reference_blob(tmp_path, vk_device):
    compare_layer(tmp_path, "Interp", {0: 2, 5: 1}, [rand((3, 7, 5)), rand((2, 9, 11))])


def test_interp_1d_runs_on_the_cpu(tmp_path, vk_device):
    compare_layer(tmp_path, "Interp", {0: 1, 3: 3, 4: 2}, [rand((5,))], on_gpu=False)
