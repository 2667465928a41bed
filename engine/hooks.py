"""What an Extractor tells its hooks after each layer: plain data, no behaviour."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, slots=True)
class LayerEvent:
    index: int  # layer index in the model
    name: str
    type: str
    inputs: tuple[np.ndarray, ...]
    outputs: tuple[np.ndarray, ...]
    top_names: tuple[str, ...]
    start_ns: int  # time.perf_counter_ns() when the layer started
    elapsed_ns: int
    backend: str = "cpu"

    @property
    def input_shapes(self) -> tuple[tuple[int, ...], ...]:
        return tuple(a.shape for a in self.inputs)

    @property
    def output_shapes(self) -> tuple[tuple[int, ...], ...]:
        return tuple(a.shape for a in self.outputs)
