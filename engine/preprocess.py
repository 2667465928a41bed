"""Image -> input blob, as ncnn users write it: from_pixels_resize + substract_mean_normalize.

`(pixel - mean) * norm` per channel, channels in the order the model was trained with.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .errors import EngineError

PIXEL_ORDERS = ("BGR", "RGB", "GRAY")
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".webp", ".tif", ".tiff", ".ppm", ".pgm")
_MAX_IMAGE_PIXELS = 100_000_000


class ImageError(EngineError):
    """An image that cannot be read or decoded."""


@dataclass(frozen=True)
class Preprocess:
    width: int = 0  # 0 = keep the image's size
    height: int = 0
    mean: tuple[float, ...] = (0.0, 0.0, 0.0)
    norm: tuple[float, ...] = (1.0, 1.0, 1.0)
    pixel: str = "BGR"
    keep_aspect: bool = False  # fit inside width x height and pad with the mean instead of stretching
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def __post_init__(self) -> None:
        if self.pixel not in PIXEL_ORDERS:
            raise ValueError(f"pixel order must be one of {PIXEL_ORDERS}, not {self.pixel!r}")
        if self.width < 0 or self.height < 0:
            raise ValueError("width and height must be >= 0")

    @property
    def channels(self) -> int:
        return 1 if self.pixel == "GRAY" else 3

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d.pop("extra")
        d["mean"], d["norm"] = list(self.mean), list(self.norm)
        return d

    @staticmethod
    def from_dict(d: dict[str, Any]) -> "Preprocess":
        known = {k: d[k] for k in ("width", "height", "pixel", "keep_aspect") if k in d}
        return Preprocess(mean=tuple(float(v) for v in d.get("mean", (0, 0, 0))),
                          norm=tuple(float(v) for v in d.get("norm", (1, 1, 1))), **known)


def load_image(path: str | Path) -> np.ndarray:
    """Decode an image file to an HxWx3 uint8 BGR array; ImageError says what and where."""
    import cv2  # lazy: only image paths need opencv

    path = Path(path)
    try:
        data = np.fromfile(path, dtype=np.uint8)
    except OSError as e:
        raise ImageError(f"{path}: cannot read the image ({e.strerror or e})") from e
    if data.size == 0:
        raise ImageError(f"{path}: the file is empty")
    image = cv2.imdecode(data, cv2.IMREAD_COLOR)
    if image is None:
        raise ImageError(f"{path}: not a decodable image (corrupt, or a format opencv cannot read)")
    if image.shape[0] * image.shape[1] > _MAX_IMAGE_PIXELS:
        raise ImageError(f"{path}: {image.shape[1]}x{image.shape[0]} pixels is more than we accept")
    return image


def preprocess(image_bgr: np.ndarray, spec: Preprocess) -> np.ndarray:
    """HxWx3 uint8 BGR image -> (c, h, w) float32 blob."""
    import cv2

    img = image_bgr
    if spec.pixel == "RGB":
        img = cv2.cvtColor(img, cv2.COLOR_BGR2RGB)
    elif spec.pixel == "GRAY":
        img = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)[:, :, None]
    h0, w0 = img.shape[:2]
    tw, th = spec.width or w0, spec.height or h0
    mean = np.asarray(spec.mean[:spec.channels], np.float32).reshape(-1, 1, 1)
    norm = np.asarray(spec.norm[:spec.channels], np.float32).reshape(-1, 1, 1)
    if spec.keep_aspect and (tw, th) != (w0, h0):
        s = min(tw / w0, th / h0)
        nw, nh = max(1, round(w0 * s)), max(1, round(h0 * s))
        resized = cv2.resize(img, (nw, nh), interpolation=cv2.INTER_LINEAR).reshape(nh, nw, -1)
        chw = np.broadcast_to(mean, (spec.channels, th, tw)).astype(np.float32)
        top, left = (th - nh) // 2, (tw - nw) // 2
        chw[:, top:top + nh, left:left + nw] = resized.transpose(2, 0, 1)
    else:
        if (tw, th) != (w0, h0):
            img = cv2.resize(img, (tw, th), interpolation=cv2.INTER_LINEAR).reshape(th, tw, -1)
        chw = img.transpose(2, 0, 1).astype(np.float32)
    return np.ascontiguousarray((chw - mean) * norm, dtype=np.float32)


def default_preprocess(declared_shape: tuple[int, ...]) -> Preprocess:
    """A starting point from the Input layer's declared (c, h, w): size only, no mean/norm."""
    if len(declared_shape) == 3:
        c, h, w = declared_shape
        return Preprocess(width=w, height=h, pixel="GRAY" if c == 1 else "BGR")
    return Preprocess()


def load_input_file(path: str | Path, spec: Preprocess) -> np.ndarray:
    """A model input from a file: a .npy array used as it is, or an image through `spec` (the one reader
    behind the CLI, calibration and comparison). Raises ImageError naming the file."""
    path = Path(path)
    if path.suffix.lower() != ".npy":
        return preprocess(load_image(path), spec)
    try:
        a = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as e:
        raise ImageError(f"{path}: cannot read the .npy input ({e})") from None
    if a.dtype.kind not in "fiub":
        raise ImageError(f"{path}: a .npy of dtype {a.dtype} is not numeric")
    return np.asarray(a, np.float32)


def list_input_files(folder: str | Path, what: str = "images") -> list[Path]:
    """Images and .npy files directly in `folder`, sorted by name (a fixed, reproducible order)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ImageError(f"{folder}: not a folder of {what}")
    files = sorted(p for p in folder.iterdir()
                   if p.is_file() and (p.suffix.lower() in IMAGE_SUFFIXES or p.suffix.lower() == ".npy"))
    if not files:
        raise ImageError(f"{folder}: no images or .npy files (looked for {', '.join(IMAGE_SUFFIXES)}, .npy)")
    return files
