"""Shared helper for the normalisation-layer tests (BatchNorm, Bias, GroupNorm, LRN, Normalize, ...)."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

import numpy as np
import pytest

from engine import Net
from engine.errors import ModelFormatError
from engine.formats.ncnn_writer import BinWriter
from tests.support.layer_check import one_layer_model
from tests.support.oracle import OracleError, run_ncnn


def assert_refused(tmp_path: Path, layer_type: str, params: Mapping[int, Any], x: np.ndarray,
                   weights: BinWriter | None = None) -> None:
    """ncnn refuses the model (its param or its weights) and so do we."""
    param, binf = one_layer_model(tmp_path, layer_type, params, 1, 1, weights)
    with pytest.raises(OracleError):
        run_ncnn(param, binf, {"in0": x}, ["out0"])
    net = Net()
    with pytest.raises(ModelFormatError):
        net.load_param(param)
        net.load_model(binf)
