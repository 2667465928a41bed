"""int8_net: the simulated int8 Net equals the exported int8 model loaded from disk, blob for blob."""
from __future__ import annotations

import numpy as np
import pytest

from engine.errors import EngineError
from engine.int8.export import write_int8_model
from engine.int8.simulate import int8_net, quantised_layer_names, table_without
from tests.engine.int8.int8_support import (
    SQUEEZENET, fire_model, fire_scales, load_net, maxabs_table, run_ours, squeezenet_input)


def _all_blobs_equal(a, b, inputs):
    names = [blob.name for blob in a.blobs if blob.name not in inputs]
    assert names == [blob.name for blob in b.blobs if blob.name not in inputs]
    ra = run_ours(None, None, inputs, names, net=a)
    rb = run_ours(None, None, inputs, names, net=b)
    for name in names:
        assert ra[name].dtype == rb[name].dtype, name
        np.testing.assert_array_equal(ra[name], rb[name], err_msg=name)
    return ra


def test_simulated_squeezenet_equals_the_exported_model(tmp_path):
    net = load_net(*SQUEEZENET)
    x = {"data": squeezenet_input()}
    table = maxabs_table(net, x)
    sim = int8_net(net, table)
    write_int8_model(net, table, tmp_path / "q.param", tmp_path / "q.bin")
    _all_blobs_equal(sim, load_net(tmp_path / "q.param", tmp_path / "q.bin"), x)
    assert [layer.name for layer in sim.layers] == [layer.name for layer in net.layers]
    assert len(quantised_layer_names(sim)) == 26 and quantised_layer_names(net) == []
    # the fp32 net is untouched and still runs fp32
    assert all(layer.weight_storage.get("weight_data", "fp32") == "fp32" for layer in net.layers)


def test_keep_fp32_equals_the_table_without_those_layers(tmp_path):
    net, *_ = fire_model(tmp_path)
    table = fire_scales(net)
    x = {"in0": np.random.default_rng(5).standard_normal((3, 9, 10)).astype(np.float32)}
    sim = int8_net(net, table, keep_fp32=["conv2"])
    write_int8_model(net, table_without(table, ["conv2"]), tmp_path / "q.param", tmp_path / "q.bin")
    out = _all_blobs_equal(sim, load_net(tmp_path / "q.param", tmp_path / "q.bin"), x)
    assert quantised_layer_names(sim) == ["conv0", "conv1"]
    assert out["c0"].dtype == np.float32  # conv0 no longer requantises: conv2 wants fp32
    full = run_ours(None, None, x, ["c0"], net=int8_net(net, table))
    assert full["c0"].dtype == np.int8
    assert table.blob("conv2") is not None  # the caller's table is not modified


def test_unknown_keep_fp32_name_is_refused(tmp_path):
    net, *_ = fire_model(tmp_path)
    with pytest.raises(EngineError, match="conv9"):
        int8_net(net, fire_scales(net), keep_fp32=["conv9"])
