"""LSTM against the real ncnn: the cases every recurrent layer shares, plus the projection (3=hidden_size)."""
import pytest

from tests.engine.layers.recurrent_cases import shared_tests
from tests.engine.layers.recurrent_support import HIDDEN, run_case

pytestmark = pytest.mark.oracle

KIND = "LSTM"
globals().update(shared_tests(KIND))


@pytest.mark.parametrize("mode", ["none", "in_out"])
@pytest.mark.parametrize("direction", [0, 1, 2])
@pytest.mark.parametrize("hidden_size", [5, 2])
def test_lstm_projection_matches_ncnn(tmp_path, direction, mode, hidden_size):
    # 3=hidden_size != num_output: cell of hidden_size units, h projected by weight_hr
    run_case(tmp_path, KIND, direction, mode, n=HIDDEN, hs=hidden_size, seed=7)
