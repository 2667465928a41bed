"""Reading model inputs from files: .npy as it is, images through the preprocessing, clear errors."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from engine.preprocess import ImageError, Preprocess, list_input_files, load_input_file

CAT = Path(__file__).resolve().parents[2] / "resources" / "images" / "chelsea.png"


def test_npy_is_used_as_it_is_and_images_are_preprocessed(tmp_path):
    a = np.arange(24, dtype=np.int16).reshape(2, 3, 4)
    np.save(tmp_path / "x.npy", a)
    x = load_input_file(tmp_path / "x.npy", Preprocess())
    assert x.dtype == np.float32 and np.array_equal(x, a)
    img = load_input_file(CAT, Preprocess(width=13, height=11, mean=(1.0, 2.0, 3.0)))
    assert img.shape == (3, 11, 13) and img.dtype == np.float32


@pytest.mark.parametrize("content", [b"not numpy", None])
def test_bad_npy_files_name_the_file(tmp_path, content):
    path = tmp_path / "bad.npy"
    if content is None:
        np.save(path, np.array(["text"]))  # a string array is not an input
    else:
        path.write_bytes(content)
    with pytest.raises(ImageError, match="bad.npy"):
        load_input_file(path, Preprocess())


def test_folder_listing_is_sorted_and_refuses_empty_folders(tmp_path):
    with pytest.raises(ImageError, match="not a folder of samples"):
        list_input_files(tmp_path / "missing", "samples")
    (tmp_path / "notes.txt").write_text("x")
    with pytest.raises(ImageError, match="no images"):
        list_input_files(tmp_path)
    for name in ("b.png", "a.npy", "c.jpg"):
        (tmp_path / name).write_bytes(b"")
    assert [p.name for p in list_input_files(tmp_path)] == ["a.npy", "b.png", "c.jpg"]
