"""What every subcommand shares: opening a model, reading inputs, exit codes, stderr progress."""
from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from engine import EngineError, Net
from engine.model_files import ModelFiles, find_model_files, read_labels, read_preprocess
from engine.preprocess import Preprocess, default_preprocess, load_input_file

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_CANCELLED = 0, 1, 2, 130


class CliError(Exception):
    """A problem with what the user gave us: printed as one line, exit code 2."""


@dataclass
class LoadedModel:
    net: Net
    files: ModelFiles
    labels: list[str] | None
    preprocess: Preprocess
    synthetic: bool


def open_model(param: str | Path, bin_path: str | Path | None = None, threads: int | None = None,
               synthetic: str | None = None, lightmode: bool = True) -> LoadedModel:
    files = find_model_files(param, bin_path)
    net = Net()
    net.opt.lightmode = lightmode
    if threads:
        net.opt.num_threads = threads
    net.load_param(files.param)
    if files.bin is not None and synthetic is None:
        net.load_model(files.bin)
    else:
        net.load_synthetic_weights(synthetic or "zeros")
    labels = read_labels(files.labels) if files.labels else None
    pre = read_preprocess(files.preprocess) if files.preprocess else default_preprocess(net.declared_input_shape())
    return LoadedModel(net, files, labels, pre, files.bin is None or synthetic is not None)


def parse_shape(text: str) -> tuple[int, ...]:
    try:
        dims = tuple(int(v) for v in text.replace("x", ",").split(",") if v)
    except ValueError as e:
        raise CliError(f"bad shape {text!r}: expected numbers like 3,224,224") from e
    if not dims or any(d <= 0 for d in dims):
        raise CliError(f"bad shape {text!r}: every dimension must be > 0")
    return dims


def synthetic_input(shape: tuple[int, ...], seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).uniform(-1.0, 1.0, shape).astype(np.float32)


def read_input(path: str | Path, spec: Preprocess) -> np.ndarray:
    """An image (preprocessed with `spec`) or a .npy array used as it is; a bad file is a usage error."""
    path = Path(path)
    if not path.exists():
        raise CliError(f"{path}: no such input file")
    try:
        return load_input_file(path, spec)
    except EngineError as e:
        raise CliError(str(e)) from e


def input_shape_for(model: LoadedModel, override: str | None) -> tuple[int, ...]:
    if override:
        return parse_shape(override)
    shape = model.net.declared_input_shape()
    if len(shape) == 3 and all(shape):
        return shape
    p = model.preprocess
    if p.width and p.height:
        return (p.channels, p.height, p.width)
    raise CliError(f"{model.files.param}: the model does not declare its input size; pass --shape C,H,W")


def err(message: str) -> None:
    print(f"layerscope: {message}", file=sys.stderr)


def run_guarded(func, *args) -> int:
    """Turn expected failures into one-line messages and exit codes instead of tracebacks."""
    try:
        return func(*args)
    except CliError as e:
        err(str(e))
        return EXIT_USAGE
    except EngineError as e:
        err(str(e))
        return EXIT_FAILED
    except KeyboardInterrupt:
        err("interrupted")
        return EXIT_CANCELLED
    except BrokenPipeError:  # `app.py ... | head`: the reader left; not an error worth a traceback
        import os
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
