"""Pure data-movement layers on the GPU as index tables (shaders/gather.comp).

Crop, Slice, Permute, Reshape, Flatten, Squeeze, ExpandDims, ShuffleChannel, Reorg, Tile and Padding
only move values (or write constants). Running the numpy layer once per input shape on arange(n) and
on arange(n) + n tells, for every output cell, the input cell it comes from (it moved by n) or that it
is a constant (it did not move): the GPU then gathers with that table, so both engines agree by
construction on every mode and quirk of these layers. An output that is the input in order becomes a
view (no copy). Tables are exact while 2n < 2**24 (float32 integers); larger blobs, and modes that read
the values of a second input (Crop with woffset=-233), run on the CPU.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ...layers.crop import Crop
from ...layers.expanddims import ExpandDims
from ...layers.flatten import Flatten
from ...layers.padding import Padding
from ...layers.permute import Permute
from ...layers.reorg import Reorg
from ...layers.reshape import Reshape
from ...layers.shufflechannel import ShuffleChannel
from ...layers.slice import Slice
from ...layers.squeeze import Squeeze
from ...layers.tile import Tile
from ..context import Kernel
from .base import F32, Info, VkLayer, groups_1d

if TYPE_CHECKING:
    from ..memory import GpuTensor
    from ..runner import Run

GATHER = Kernel("gather", 4, "i")
EXACT = 1 << 23
# per output: (shape, int32 index array (-k-1: fill[k]) and float32 fill values, or None for a view)
Table = list[tuple[tuple[int, ...], Any]]


class VkGather(VkLayer):
    vk_max_dispatches = 16

    def vk_inputs_ok(self, n: int) -> bool:
        return n == 1

    def vk_table(self, shapes: tuple[tuple[int, ...], ...]) -> Table | None:
        cache = self.__dict__.setdefault("vk_tables", {})
        if shapes not in cache:
            cache[shapes] = self._make_table(shapes)
        return cache[shapes]

    def _make_table(self, shapes: tuple[tuple[int, ...], ...]) -> Table | None:
        from ...option import Option
        n = int(np.prod(shapes[0], dtype=np.int64))
        if n >= EXACT or n == 0:
            return None
        rest = [np.zeros(s, np.float32) for s in shapes[1:]]
        base = np.arange(n, dtype=np.float32).reshape(shapes[0])
        try:
            outs = self.forward([base] + rest, Option(num_threads=1))  # type: ignore[attr-defined]
            moved = self.forward([base + np.float32(n)] + rest, Option(num_threads=1))  # type: ignore[attr-defined]
        except Exception:
            return None  # the numpy layer will raise its clear error
        table: Table = []
        for o, m in zip(outs, moved):
            o, m = np.asarray(o), np.asarray(m)
            if o.dtype != np.float32 or o.size == 0 or o.shape != m.shape:
                return None
            a, b = o.reshape(-1), m.reshape(-1)
            data = b - a == np.float32(n)
            const = b == a
            if not np.all(data | const):
                return None  # the values were computed with, not moved
            idx = a.astype(np.int64)
            if not (np.all(idx[data] == a[data]) and np.all((idx[data] >= 0) & (idx[data] < n))):
                return None
            if idx.size == n and not const.any() and np.array_equal(idx, np.arange(n)):
                table.append((tuple(o.shape), None))
                continue
            fill = a[const].astype(np.float32)
            idx[const] = -1 - np.arange(fill.size)
            table.append((tuple(o.shape), (idx.astype(np.int32), fill if fill.size else np.zeros(1, np.float32))))
        return table

    def vk_supports(self, inputs: list[Info]) -> bool:
        if not inputs or not self.vk_inputs_ok(len(inputs)) or inputs[0][1] != F32:
            return False
        return self.vk_table(tuple(tuple(s) for s, _ in inputs)) is not None

    def vk_forward(self, rt: "Run", inputs: list["GpuTensor"]) -> list["GpuTensor"]:
        x = inputs[0]
        shapes = tuple(t.shape for t in inputs)
        table = self.vk_table(shapes)
        assert table is not None
        outs = []
        for k, (shape, tables) in enumerate(table):
            if tables is None:
                outs.append(rt.alias(x, shape))
                continue
            gi = rt.const(self, f"gather {shapes} {k}", tables[0])
            gf = rt.const(self, f"fill {shapes} {k}", tables[1])
            y = rt.new_tensor(shape)
            rt.dispatch(GATHER, [x, gi, gf, y], [y.size], groups_1d(y.size))
            outs.append(y)
        return outs


class VkCrop(VkGather, Crop):
    type_name = "Crop"

    def vk_inputs_ok(self, n: int) -> bool:
        return n == 1 or (n == 2 and self.woffset != -233)  # -233: the second blob's values are offsets


class VkSlice(VkGather, Slice):
    type_name = "Slice"


class VkPermute(VkGather, Permute):
    type_name = "Permute"


class VkReshape(VkGather, Reshape):
    type_name = "Reshape"


class VkFlatten(VkGather, Flatten):
    type_name = "Flatten"


class VkSqueeze(VkGather, Squeeze):
    type_name = "Squeeze"


class VkExpandDims(VkGather, ExpandDims):
    type_name = "ExpandDims"


class VkShuffleChannel(VkGather, ShuffleChannel):
    type_name = "ShuffleChannel"


class VkReorg(VkGather, Reorg):
    type_name = "Reorg"


class VkTile(VkGather, Tile):
    type_name = "Tile"


class VkPadding(VkGather, Padding):
    type_name = "Padding"
