"""The files that make up a model on disk: .param, .bin, and optional companions beside them."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from .errors import ModelFormatError
from .preprocess import Preprocess


@dataclass(frozen=True)
class ModelFiles:
    param: Path
    bin: Path | None  # None when no weights file exists (weightless benchmark params)
    labels: Path | None
    preprocess: Path | None

    @property
    def stem(self) -> str:
        name = self.param.name
        for suffix in (".param.bin", ".param"):
            if name.endswith(suffix):
                return name[: -len(suffix)]
        return self.param.stem


def find_model_files(param: str | Path, bin_path: str | Path | None = None) -> ModelFiles:
    """`x.param` (or `x.param.bin`) -> `x.bin`, `x.labels.txt`, `x.preprocess.json` when present."""
    param = Path(param)
    if not param.is_file():
        raise ModelFormatError("no such model file", path=str(param))
    probe = ModelFiles(param, None, None, None)
    folder, stem = param.parent, probe.stem
    if bin_path is None:
        candidate = folder / f"{stem}.bin"
        bin_path = candidate if candidate.is_file() and candidate != param else None
    labels = next((p for p in (folder / f"{stem}.labels.txt", folder / "synset_words.txt", folder / "labels.txt")
                   if p.is_file()), None)
    pre = folder / f"{stem}.preprocess.json"
    return ModelFiles(param, Path(bin_path) if bin_path else None, labels, pre if pre.is_file() else None)


def read_labels(path: Path) -> list[str]:
    """One class name per line; a leading WordNet id (`n01440764 tench, Tinca tinca`) is dropped."""
    labels = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        head, _, rest = line.strip().partition(" ")
        labels.append(rest if head[:1] == "n" and head[1:].isdigit() and rest else line.strip())
    return labels


def read_preprocess(path: Path) -> Preprocess:
    try:
        return Preprocess.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError) as e:
        raise ModelFormatError(f"bad preprocessing file: {e}", path=str(path)) from e
