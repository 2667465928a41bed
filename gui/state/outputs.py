"""What a model's outputs mean for display: classes (top-5), an image, or a plain tensor."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from engine.preprocess import Preprocess


@dataclass(frozen=True)
class OutputView:
    blob: str
    kind: str  # "classes", "image" or "tensor"
    top: tuple[tuple[int, str, float], ...] = ()  # (class index, label, score)
    image: np.ndarray | None = field(default=None, compare=False)  # HxWx3 uint8, RGB


def to_display_image(chw: np.ndarray, spec: Preprocess) -> np.ndarray:
    """Undo the preprocessing (x / norm + mean) and give an RGB uint8 image."""
    c = chw.shape[0]
    mean = np.asarray(spec.mean[:c] if len(spec.mean) >= c else [0.0] * c, np.float32).reshape(-1, 1, 1)
    norm = np.asarray(spec.norm[:c] if len(spec.norm) >= c else [1.0] * c, np.float32).reshape(-1, 1, 1)
    safe = np.where(norm == 0, 1, norm)
    pixels = np.clip(chw / safe + mean, 0, 255).round().astype(np.uint8).transpose(1, 2, 0)
    if c == 1:
        return np.repeat(pixels, 3, axis=2)
    return pixels[:, :, ::-1].copy() if spec.pixel == "BGR" else pixels.copy()


def interpret(outputs: dict[str, np.ndarray], labels: list[str] | None, spec: Preprocess) -> list[OutputView]:
    views = []
    for name, a in outputs.items():
        if a.ndim == 1 and a.size >= 2 and (labels is None or a.size == len(labels) or a.size <= 10000):
            order = np.argsort(-a.astype(np.float64), kind="stable")[:5]
            top = tuple((int(i), labels[i] if labels and i < len(labels) else f"class {i}", float(a[i]))
                        for i in order)
            views.append(OutputView(name, "classes", top))
        elif a.ndim == 3 and a.shape[0] in (1, 3) and min(a.shape[1:]) >= 16:
            views.append(OutputView(name, "image", image=to_display_image(a.astype(np.float32), spec)))
        else:
            views.append(OutputView(name, "tensor"))
    return views
