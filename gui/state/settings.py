"""The one Settings object: recent files and per-model preprocessing, kept in a JSON file.

Tests pass their own path; nothing here reads a global location unless asked to (`default_path`).
"""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from engine.preprocess import Preprocess

MAX_RECENT = 10


def default_path() -> Path:
    base = os.environ.get("LAYERSCOPE_SETTINGS") or (
        Path(os.environ.get("XDG_CONFIG_HOME", Path.home() / ".config")) / "layerscope" / "settings.json")
    return Path(base)


class Settings:
    def __init__(self, path: Path | None) -> None:
        """`path=None` keeps everything in memory (nothing is written)."""
        self.path = path
        self._data: dict[str, Any] = {"recent_models": [], "recent_images": [], "preprocess": {}, "ui": {}}
        if path is not None and path.is_file():
            try:
                loaded = json.loads(path.read_text(encoding="utf-8"))
                if isinstance(loaded, dict):
                    self._data.update({k: v for k, v in loaded.items() if k in self._data})
            except (OSError, ValueError):
                pass  # a corrupt settings file must not stop the app; it is rewritten on the next save

    def save(self) -> None:
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(self._data, f, indent=1)
        os.replace(tmp, self.path)

    def _push_recent(self, key: str, path: Path) -> None:
        items = [p for p in self._data[key] if p != str(path)]
        self._data[key] = [str(path), *items][:MAX_RECENT]
        self.save()

    def add_recent_model(self, path: Path) -> None:
        self._push_recent("recent_models", path.resolve())

    def add_recent_image(self, path: Path) -> None:
        self._push_recent("recent_images", path.resolve())

    @property
    def recent_models(self) -> list[str]:
        return list(self._data["recent_models"])

    @property
    def recent_images(self) -> list[str]:
        return list(self._data["recent_images"])

    def preprocess_for(self, model: Path) -> Preprocess | None:
        d = self._data["preprocess"].get(str(model.resolve()))
        try:
            return Preprocess.from_dict(d) if d else None
        except (TypeError, ValueError):
            return None

    def set_preprocess(self, model: Path, spec: Preprocess) -> None:
        self._data["preprocess"][str(model.resolve())] = spec.to_dict()
        self.save()

    def ui(self, key: str, default: Any = None) -> Any:
        return self._data["ui"].get(key, default)

    def set_ui(self, key: str, value: Any) -> None:
        self._data["ui"][key] = value
        self.save()
