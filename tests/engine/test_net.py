"""Net / Extractor API: lazy execution, hooks, threads, cancel, lightmode, errors that say where."""
from __future__ import annotations

import threading

import numpy as np
import pytest

from engine import (
    BlobNotFoundError, EngineError, ExtractionCancelled, LayerRuntimeError, Net, UnsupportedLayerError,
)
from engine.layer import Layer

CHAIN = """7767517
6 7
Input    in     0 1 data
Split    sp     1 2 data a b
ReLU     r1     1 1 a a1 0=0.5
ReLU     r2     1 1 b b1 0=0.25
ReLU     r3     1 1 a1 a2
FancyOp  fancy  1 1 b1 f
"""


def make_net(text: str = CHAIN, lightmode: bool = False) -> Net:
    net = Net()
    net.opt.lightmode = lightmode
    net.load_param_text(text)
    net.load_synthetic_weights()
    return net


X = np.array([-4.0, -1.0, 0.0, 2.0, 3.0], np.float32)


def ran_layers(ex) -> list[str]:
    names: list[str] = []
    ex.add_hook(lambda e: names.append(e.name))
    return names


def test_extract_runs_only_the_layers_the_blob_needs():
    ex = make_net().create_extractor()
    names = ran_layers(ex)
    ex.input("data", X)
    np.testing.assert_array_equal(ex.extract("a1"), np.where(X < 0, X * 0.5, X))
    assert names == ["sp", "r1"]
    ex.extract("a2")
    assert names == ["sp", "r1", "r3"]  # nothing recomputed


def test_feeding_an_intermediate_blob_runs_only_downstream():
    ex = make_net().create_extractor()
    names = ran_layers(ex)
    ex.input("a1", np.array([-1.0, 5.0]))
    np.testing.assert_array_equal(ex.extract("a2"), [0.0, 5.0])
    assert names == ["r3"]


def test_hook_events_carry_names_shapes_time_and_arrays():
    ex = make_net().create_extractor()
    events = []
    ex.add_hook(events.append)
    ex.input("data", X)
    ex.extract("a2")
    e = events[-1]
    assert (e.name, e.type, e.top_names, e.input_shapes, e.output_shapes) == ("r3", "ReLU", ("a2",), ((5,),), ((5,),))
    assert e.elapsed_ns > 0 and e.start_ns > events[0].start_ns
    np.testing.assert_array_equal(e.outputs[0], np.maximum(np.where(X < 0, X * 0.5, X), 0))
    ex.remove_hook(events.append)
    ex.input("a1", X)
    ex.extract("a2")
    assert len(events) == 3


def test_unknown_layer_type_loads_for_viewing_and_refuses_to_run():
    net = make_net()
    assert [layer.name for layer in net.unsupported_layers()] == ["fancy"]
    ex = net.create_extractor()
    ex.input("data", X)
    ex.extract("a2")  # a branch without the unknown layer still runs
    with pytest.raises(UnsupportedLayerError, match=r"layer 'fancy' has type 'FancyOp'.*line 8"):
        ex.extract("f")


def test_missing_input_and_unknown_blob_are_clear_errors():
    ex = make_net().create_extractor()
    with pytest.raises(BlobNotFoundError, match="blob 'data' is a model input"):
        ex.extract("a1")
    with pytest.raises(BlobNotFoundError, match="no blob named 'nope'"):
        ex.extract("nope")
    with pytest.raises(BlobNotFoundError, match="blob index 99"):
        ex.extract(99)


def test_order_of_loading_is_enforced():
    net = Net()
    with pytest.raises(EngineError, match="load_param"):
        net.create_extractor()
    net.load_param_text(CHAIN)
    with pytest.raises(EngineError, match="load_model"):
        net.create_extractor()


def test_inputs_are_copied_and_outputs_are_read_only():
    ex = make_net().create_extractor()
    x = X.astype(np.float64)
    ex.input("data", x)
    x[:] = 100
    out = ex.extract("a1")
    assert out.dtype == np.float32 and out[0] == -2.0
    with pytest.raises(ValueError):
        out[0] = 1.0


def test_lightmode_releases_consumed_blobs_and_recomputes_them_on_demand():
    ex = make_net(lightmode=True).create_extractor()
    names = ran_layers(ex)
    ex.input("data", X)
    ex.extract("a2")
    assert ex.computed("a1") is None and ex.computed("data") is not None
    np.testing.assert_array_equal(ex.extract("a1"), np.where(X < 0, X * 0.5, X))
    assert names == ["sp", "r1", "r3", "sp", "r1"]  # "a" was released too


def test_cancel_stops_between_layers_and_the_extractor_stays_usable():
    ex = make_net().create_extractor()
    ex.add_hook(lambda e: ex.cancel() if e.name == "sp" else None)
    ex.input("data", X)
    with pytest.raises(ExtractionCancelled, match="before layer 'r1'"):
        ex.extract("a2")
    ex2 = make_net().create_extractor()
    ex2.input("data", X)
    ex2.extract("a2")


def test_several_extractors_run_concurrently_from_threads():
    net = make_net()
    results: dict[int, np.ndarray] = {}
    errors: list[BaseException] = []

    def work(k: int) -> None:
        try:
            for _ in range(50):
                ex = net.create_extractor()
                ex.input("data", X * k)
                results[k] = ex.extract("a2")
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(1, 5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    for k, out in results.items():
        np.testing.assert_array_equal(out, np.maximum(np.where(X * k < 0, X * k * 0.5, X * k), 0))


class _Boom(Layer):
    type_name = "TestOnlyBoom"

    def forward_one(self, x, opt):
        return x.reshape(7, 7)


def test_a_failing_layer_is_reported_with_its_name_type_and_input_shapes():
    net = make_net("7767517\n2 2\nInput in 0 1 data\nTestOnlyBoom boom 1 1 data out\n")
    ex = net.create_extractor()
    ex.input("data", X)
    with pytest.raises(LayerRuntimeError, match=r"layer 'boom' \(TestOnlyBoom\) failed on inputs \(5,\)"):
        ex.extract("out")


def test_graph_description_for_viewers():
    net = make_net()
    assert net.input_names() == ["data"]
    assert net.output_names() == ["a2", "f"]
    relu = net.layers[2]
    info = {p.name: (p.value, p.is_default) for p in relu.param_values()}
    assert info == {"slope": (0.5, False)}
    assert net.layers[4].param_values()[0].is_default
