"""RNN against the real ncnn: the cases every recurrent layer shares (tests/engine/layers/recurrent_cases.py)."""
import pytest

from tests.engine.layers.recurrent_cases import shared_tests

pytestmark = pytest.mark.oracle

globals().update(shared_tests("RNN"))
