"""ncnn2table's .table format: what ncnn2table prints (%f) loads; what we write round-trips in float32."""
from __future__ import annotations

import numpy as np
import pytest

from engine import ModelFormatError
from engine.int8.table import Int8Table, format_table, parse_table, read_table, write_table

# Lines as ncnn2table.cpp prints them: "%s_param_0 " then "%f " per scale (trailing space), then
# "%s " + "%f " for the layer's bottom blob scale.
NCNN2TABLE_STYLE = ("conv1_param_0 187.241348 96.002510 \n"
                    "fire2/squeeze1x1_param_0 310.558594 \n"
                    "mha_param_0 10.000000 \nmha_param_3 2.500000 \n"
                    "conv1 0.783465 \n"
                    "fire2/squeeze1x1 5.102363 \n")


def test_reads_ncnn2table_output():
    t = parse_table(NCNN2TABLE_STYLE)
    np.testing.assert_array_equal(t.weight("conv1"), np.float32([187.241348, 96.002510]))
    np.testing.assert_array_equal(t.weight("mha", 3), np.float32([2.5]))
    assert t.weight("mha", 1) is None
    np.testing.assert_array_equal(t.blob("fire2/squeeze1x1"), np.float32([5.102363]))
    assert set(t.blob_scales) == {"conv1", "fire2/squeeze1x1"}


def test_round_trip_is_exact_in_float32(tmp_path):
    rng = np.random.default_rng(0)
    t = Int8Table({"c": {0: rng.uniform(1, 1000, 7).astype(np.float32)}},
                  {"c": np.float32([rng.uniform(0.01, 100)])})
    write_table(t, tmp_path / "x.table")
    back = read_table(tmp_path / "x.table")
    np.testing.assert_array_equal(back.weight("c"), t.weight("c"))
    np.testing.assert_array_equal(back.blob("c"), t.blob("c"))
    assert format_table(back) == format_table(t)


@pytest.mark.parametrize("text, what", [("conv1 abc\n", "bad number"), ("conv1\n", "no values"),
                                        ("conv1 -1\n", "negative"), ("conv1 nan\n", "NaN")])
def test_bad_tables_say_which_line(text, what):
    with pytest.raises(ModelFormatError, match=what):
        parse_table("ok 1.0\n" + text, "t.table")


def test_binary_file_is_refused(tmp_path):
    p = tmp_path / "b.table"
    p.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(ModelFormatError, match="b.table"):
        read_table(p)


def test_inf_from_an_all_zero_weight_channel_is_accepted():
    t = parse_table("conv1_param_0 12.5 inf \n")  # ncnn2table prints 127/0 as inf
    assert np.isinf(t.weight("conv1")[1])
