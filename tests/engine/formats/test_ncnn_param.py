"""The text .param grammar, its edge cases and bad input; checked against ncnn where ncnn has a view."""
from __future__ import annotations

import struct

import pytest

from engine import ModelFormatError, Net
from engine.formats import load_graph
from engine.formats.ncnn_param import parse
from engine.ir import FLOAT, FLOATS, INT, INTS, STRING

HEAD = "7767517\n2 2\nInput in 0 1 data 0=4\n"


def one(line: str, blobs: int = 2):
    return parse(f"7767517\n2 {blobs}\nInput in 0 1 data 0=4\n{line}\n").layers[1]


def test_scalars_are_typed_by_spelling():
    p = one("Clip c 1 1 data out 0=-1 1=6.5 2=1e3 3=2E-2 4=7").params
    assert p[0].kind == INT and p.get_int(0, 0) == -1
    assert p[1].kind == FLOAT and p.get_float(1, 0.0) == 6.5
    assert p[2].kind == FLOAT and p.get_float(2, 0.0) == 1000.0
    assert p[3].kind == FLOAT and p.get_float(3, 0.0) == pytest.approx(0.02)
    # An int-written value read as a float converts by value (pip ncnn does the same: see test below).
    assert p.get_float(4, 0.0) == 7.0


def test_float_written_where_int_is_expected_is_refused():
    with pytest.raises(ModelFormatError, match=r"line 4.*layer 'r'.*param 0.*float"):
        Net().load_param_text(HEAD + "Reshape r 1 1 data out 0=2.0 1=3.0\n")


def test_old_style_array_keeps_each_elements_type_and_the_last_decides():
    p = one("Eltwise e 1 1 data out 0=1 -23301=3,1,2.5,3").params
    assert p[1].kind == INTS
    # element 1 was written as a float: its int view is the float's bit pattern (ncnn stores raw bits)
    assert p.get_ints(1) == (1, struct.unpack("<i", struct.pack("<f", 2.5))[0], 3)
    q = one("Eltwise e 1 1 data out 0=1 -23301=2,1,2.5").params
    assert q[1].kind == FLOATS and q.get_floats(1)[1] == 2.5


def test_new_style_array_is_typed_by_first_element_and_refuses_mixing():
    assert one("Slice s 1 1 data out 0=2,-233").params[0].kind == INTS
    assert one("Eltwise e 1 1 data out 1=0.5,2.0").params.get_floats(1) == (0.5, 2.0)
    with pytest.raises(ModelFormatError, match="mixes int and float"):
        one("Eltwise e 1 1 data out 1=2,3.5")


def test_strings_plain_and_quoted_with_spaces():
    p = one('Reshape r 1 1 data out 6=1,2 9="a b c" 10=abc').params
    assert p[9].kind == STRING and p.get_str(9) == "a b c"
    assert p.get_str(10) == "abc"


def test_shape_hints_and_featmask_are_read():
    layer = one("ReLU r 1 1 data out -23330=5,3,8,7,1,2 31=16")
    assert layer.shape_hints == ((2, 7, 8),)
    assert layer.featmask == 16


def test_trailing_lines_after_the_declared_layers_are_ignored():
    g = parse(HEAD + "ReLU r 1 1 data out\nthis is not a layer at all\n")
    assert [layer.type for layer in g.layers] == ["Input", "ReLU"]


def test_blobs_link_producers_and_consumers():
    g = parse("7767517\n3 4\nInput in 0 1 data\nSplit s 1 2 data a b\nConcat c 2 1 a b out\n")
    names = {b.name: b for b in g.blobs}
    assert names["data"].producer == 0 and names["data"].consumers == (1,)
    assert names["a"].producer == 1 and names["a"].consumers == (2,)
    assert names["out"].consumers == ()


@pytest.mark.parametrize("text, message", [
    ("7767518\n1 1\nInput in 0 1 data\n", "magic number"),
    ("7767517\n0 1\n", "layer count"),
    ("7767517\n2 2\nInput in 0 1 data\n", "file ends"),
    ("7767517\n2 2\nInput in 0 1 data\nReLU r 1 1 data\n", "file ends"),
    ("7767517\n2 2\nInput in 0 1 data\nReLU r x 1 data out\n", "bottom count must be an integer"),
    ("7767517\n2 2\nInput in 0 1 data\nReLU r 1 1 data out 40=1\n", "param id 40"),
    ("7767517\n2 2\nInput in 0 1 data\nReLU r 1 1 data out 0=\n", "empty value"),
    ("7767517\n2 2\nInput in 0 1 data\nReLU r 1 1 data out 0=1x\n", "not a number"),
    ("7767517\n2 2\nInput in 0 1 data\nReLU r 1 1 data out -23300=3,1,2\n", "declares 3 elements"),
    ("7767517\n2 2\nInput in 0 1 data\nReLU r 1 1 data out 0=99999999999\n", "32 bits"),
    ("7767517\n2 1\nInput in 0 1 data\nReLU r 1 1 data out\n", "blob count"),
    ("7767517\n2 2\nInput in 0 1 data\nReLU r 1 1 data data\n", "produced twice"),
    ("7767517\n2 3\nReLU r 1 1 x y\nInput in 0 1 x\n", "consumed before it is produced"),
    ("7767517\n2 2\nInput in 0 1 data\nReLU r 1 1 data out 0=\"" + "a" * 300 + "\"\n", "longer than 255"),
])
def test_malformed_params_fail_with_the_line(text, message, tmp_path):
    path = tmp_path / "bad.param"
    path.write_text(text)
    with pytest.raises(ModelFormatError, match=message) as info:
        load_graph(path)
    assert str(path) in str(info.value)


def test_not_a_param_file_and_binary_garbage(tmp_path):
    (tmp_path / "x.param").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    with pytest.raises(ModelFormatError, match="magic number 7767517 is missing"):
        load_graph(tmp_path / "x.param")
    (tmp_path / "y.param").write_bytes(b"7767517\n1 1\nInput in\xff\xfe 0 1 data\n")
    with pytest.raises(ModelFormatError, match="undecodable"):
        load_graph(tmp_path / "y.param")
    with pytest.raises(ModelFormatError, match="cannot open"):
        load_graph(tmp_path / "missing.param")


def test_huge_declared_counts_do_not_allocate_or_hang():
    with pytest.raises(ModelFormatError, match="file ends"):
        parse("7767517\n1000000000 1000000000\nInput in 0 1 data\n")
    with pytest.raises(ModelFormatError, match="file ends"):
        parse("7767517\n2 5\nInput in 0 1 data\nConcat c 2000000000 1 data\n")


@pytest.mark.oracle
@pytest.mark.parametrize("line, accepted", [
    ("Clip c 1 1 data out 0=-1 1=6", True),
    ("Reshape r 1 1 data out 0=2.0 1=3.0", False),
    ("Eltwise e 1 1 data out 0=1 1=2,3.5", False),
    ("Eltwise e 1 1 data out 0=1 -23301=2,2,3.0", True),
    ("ReLU r 1 1 data out -23330=5,3,8,7,1,2 31=16", True),
])
def test_ncnn_accepts_and_refuses_the_same_params(tmp_path, line, accepted):
    from tests.support.oracle import require_ncnn
    ncnn = require_ncnn()
    path = tmp_path / "m.param"
    path.write_text(HEAD + line + "\n")
    theirs = ncnn.Net().load_param(str(path)) == 0
    try:
        Net().load_param(path)
        ours = True
    except ModelFormatError:
        ours = False
    assert (theirs, ours) == (accepted, accepted)
