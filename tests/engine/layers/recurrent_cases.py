"""The test cases LSTM, GRU and RNN share, written once: each test file calls `shared_tests(KIND)` and
puts the returned test functions in its namespace, where pytest collects them."""
from __future__ import annotations

from typing import Callable

import numpy as np
import pytest

from engine.errors import EngineError, ModelFormatError
from tests.engine.layers.recurrent_support import HIDDEN, SIZE, STATE_MODES, T, make_weights, run_case
from tests.support.layer_check import one_layer_model, run_layerscope

GATE_ROWS = {"RNN": 1, "GRU": 3, "LSTM": 4}
STATE_BLOBS = {"RNN": 1, "GRU": 1, "LSTM": 2}


def shared_tests(kind: str) -> dict[str, Callable[..., None]]:
    def model(tmp_path, params, n_inputs=1, n_outputs=1, weights=None):  # noqa: ANN001, ANN202
        return one_layer_model(tmp_path, kind, params, n_inputs, n_outputs, weights)

    def valid_model(tmp_path, direction, n_inputs=1):  # noqa: ANN001, ANN202
        nd = 2 if direction == 2 else 1
        bw, _ = make_weights(kind, nd, HIDDEN, SIZE, HIDDEN, np.random.default_rng(0))
        return model(tmp_path, {0: HIDDEN, 1: nd * GATE_ROWS[kind] * HIDDEN * SIZE, 2: direction}, n_inputs, 1, bw)

    @pytest.mark.parametrize("mode", STATE_MODES)
    @pytest.mark.parametrize("direction", [0, 1, 2])
    def test_matches_ncnn(tmp_path, direction, mode):  # noqa: ANN001
        run_case(tmp_path, kind, direction, mode)

    @pytest.mark.parametrize("direction", [0, 1])
    def test_one_dimensional_states(tmp_path, direction):  # noqa: ANN001
        # a (num_output,) state blob is read flat and comes back with its own shape
        run_case(tmp_path, kind, direction, "in_out", state_shape_1d=True, seed=3)

    def test_one_dimensional_input_is_one_step(tmp_path):  # noqa: ANN001
        run_case(tmp_path, kind, 2, "out", x_shape=(SIZE,), seed=4)

    @pytest.mark.parametrize("direction", [0, 2])
    def test_fp16_weights_and_long_sequence(tmp_path, direction):  # noqa: ANN001
        run_case(tmp_path, kind, direction, "in_out", n=8, x_shape=(33, 5), storage="fp16", seed=5)

    @pytest.mark.parametrize("params, why", [
        ({0: HIDDEN, 1: 84, 8: 2}, "int8"),
        ({0: HIDDEN, 1: 84, 2: 3}, "direction"),
        ({0: 0, 1: 84}, "num_output"),
        ({0: HIDDEN, 1: 2}, "weight_data_size"),
    ])
    def test_refuses_params(tmp_path, params, why):  # noqa: ANN001
        param, binf = model(tmp_path, params)
        with pytest.raises(ModelFormatError, match=why):
            run_layerscope(param, binf, {"in0": np.zeros((T, SIZE), np.float32)}, ["out0"])

    @pytest.mark.parametrize("shape", [(T, SIZE + 1), (2, T, SIZE)])
    def test_rejects_bad_input(tmp_path, shape):  # noqa: ANN001
        param, binf = valid_model(tmp_path, 0)
        with pytest.raises(EngineError, match="input"):
            run_layerscope(param, binf, {"in0": np.zeros(shape, np.float32)}, ["out0"])

    def test_rejects_bad_state_shape(tmp_path):  # noqa: ANN001
        n_states = STATE_BLOBS[kind]
        param, binf = valid_model(tmp_path, 2, 1 + n_states)
        feeds = {"in0": np.zeros((T, SIZE), np.float32)}
        for i in range(n_states):  # bidirectional states must be (2, width): a flat blob is refused
            feeds[f"in{i + 1}"] = np.zeros((2 * HIDDEN,), np.float32)
        with pytest.raises(EngineError, match="initial state"):
            run_layerscope(param, binf, feeds, ["out0"])

    tests = [test_matches_ncnn, test_one_dimensional_states, test_one_dimensional_input_is_one_step,
             test_fp16_weights_and_long_sequence, test_refuses_params, test_rejects_bad_input,
             test_rejects_bad_state_shape]
    return {f"test_{kind.lower()}_{t.__name__[len('test_'):]}": t for t in tests}
