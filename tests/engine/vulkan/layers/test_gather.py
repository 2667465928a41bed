"""Vulkan data-movement layers (index-table gathers) against the numpy layers at odd sizes."""
from __future__ import annotations

import numpy as np
import pytest

from engine.formats.ncnn_writer import BinWriter
from tests.engine.vulkan.support import compare_layer, rand

pytestmark = pytest.mark.vulkan

CASES = [
    ("Crop", {0: 1, 1: 2, 2: 1, 3: 4, 4: 3, 5: 2}, [(4, 9, 7)], 1),
    ("Crop", {9: [1, 2], 10: [-1, 6], 11: [0, 2]}, [(5, 9, 7)], 1),
    ("Crop", {0: 1, 1: 2}, [(3, 9, 7), (3, 5, 3)], 1),
    ("Slice", {0: [2, -233], 1: 0}, [(5, 9, 7)], 2),
    ("Slice", {0: [3, 1, -233], 1: -1}, [(3, 5, 7)], 3),
    ("Permute", {0: 3}, [(3, 5, 7)], 1),
    ("Permute", {0: 5}, [(3, 5, 7)], 1),
    ("Permute", {0: 1}, [(5, 7)], 1),
    ("Reshape", {0: 7, 1: -1}, [(3, 5, 7)], 1),
    ("Reshape", {0: -1}, [(3, 5, 7)], 1),
    ("Flatten", {}, [(3, 5, 7)], 1),
    ("Squeeze", {3: [1]}, [(3, 1, 7)], 1),
    ("ExpandDims", {3: [0]}, [(5, 7)], 1),
    ("ShuffleChannel", {0: 3}, [(6, 5, 7)], 1),
    ("ShuffleChannel", {0: 2, 1: 1}, [(6, 5, 3)], 1),
    ("Reorg", {0: 2}, [(3, 6, 10)], 1),
    ("Tile", {2: [2, 1, 3]}, [(3, 5, 7)], 1),
]


@pytest.mark.parametrize("layer_type,params,shapes,n_out", CASES,
                         ids=[f"{c[0]}{i}" for i, c in enumerate(CASES)])
def test_gather_layers(tmp_path, vk_device, layer_type, params, shapes, n_out):
    compare_layer(tmp_path, layer_type, params, [rand(s, i) for i, s in enumerate(shapes)], n_outputs=n_out)


def test_crop_with_offsets_in_a_blob_runs_on_the_cpu(tmp_path, vk_device):
    offsets = np.array([1, 2, 0, 3, 4, 2], np.int32).view(np.float32)  # woffset=-233: values are int32 bits
    compare_layer(tmp_path, "Crop", {0: -233}, [rand((3, 9, 7)), offsets], on_gpu=False)


PADS = [
    {0: 1, 1: 2, 2: 3, 3: 1, 5: 0.5},
    {0: 2, 1: 0, 2: 1, 3: 2, 4: 1},
    {0: 2, 1: 1, 2: 3, 3: 2, 4: 2},
    {7: 1, 8: 2, 0: 1, 5: -1.25},
    {7: 2, 8: 1, 2: 1, 4: 2},
]


@pytest.mark.parametrize("params", PADS, ids=[str(p) for p in PADS])
def test_padding(tmp_path, vk_device, params):
    for shape in ((3, 5, 7), (5, 7), (7,)):
        compare_layer(tmp_path, "Padding", params, [rand(shape)])


def test_padding_per_channel_values(tmp_path, vk_device):
    values = np.arange(1, 7, dtype=np.float32) / 4
    compare_layer(tmp_path, "Padding", {0: 1, 2: 2, 7: 1, 8: 2, 6: 6}, [rand((3, 5, 7))],
                  weights=BinWriter().raw(values))
