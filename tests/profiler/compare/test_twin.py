"""A table that does not fit the model says so."""
from __future__ import annotations

import numpy as np
import pytest

from engine.errors import ModelFormatError
from engine.int8.table import Int8Table, write_table
from profiler.compare import CompareError
from profiler.compare.twin import make_twin
from tests.profiler.compare.support import maxabs_table, small_inputs, small_net


def test_twin_from_a_table_file(tmp_path) -> None:
    net = small_net()
    table = maxabs_table(net, small_inputs(1)[0])
    write_table(table, tmp_path / "t.table")
    twin = make_twin(net, tmp_path / "t.table")
    assert twin.quantised == ("conv1", "conv2", "dw", "fc") and twin.warnings == ()
    assert make_twin(net, table, keep_fp32=["fc"]).quantised == ("conv1", "conv2", "dw")


def test_a_table_for_another_model_is_refused() -> None:
    net = small_net()
    other = Int8Table({"convX": {0: np.ones(8, np.float32)}}, {"convX": np.ones(1, np.float32)})
    with pytest.raises(CompareError, match="quantises no layer"):
        make_twin(net, other)


def test_unknown_and_unquantisable_entries_are_warned_about() -> None:
    net = small_net()
    table = maxabs_table(net, small_inputs(1)[0])
    table.blob_scales["ghost"] = np.ones(1, np.float32)
    table.blob_scales["gap"] = np.ones(1, np.float32)  # a Pooling layer: ncnn2int8 leaves it fp32
    warnings = make_twin(net, table).warnings
    assert any("ghost" in w and "does not have" in w for w in warnings)
    assert any("gap" in w and "stay fp32" in w for w in warnings)


def test_wrong_scale_count_names_the_layer() -> None:
    net = small_net()
    table = maxabs_table(net, small_inputs(1)[0])
    table.weight_scales["conv2"] = {0: np.ones(3, np.float32)}
    with pytest.raises(ModelFormatError, match="conv2.*3 weight scales"):
        make_twin(net, table)
