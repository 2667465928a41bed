"""The frozen app (packaging/build.py + layerscope.spec), built and run as a user would: from an empty folder,
with no source tree, no virtualenv and no PYTHONPATH. Its results are compared with the source app's."""
from __future__ import annotations

import json
import math
import os
import re
import shutil
import subprocess
from pathlib import Path

import cv2
import pytest

from .frozen import ROOT, FrozenApp, Run, clean_env, run_source

pytestmark = [pytest.mark.packaging, pytest.mark.slow]

DEMO_PROFILE = ["profile", "--demo", "--runs", "1", "--warmup", "0", "--quiet"]
# What the frozen app must leave to the system (see SYSTEM_ONLY in the spec for why).
SYSTEM_ONLY = ("libvulkan", "libstdc++.so", "libgcc_s.so")


def elf_files(folder: Path) -> list[Path]:
    out = []
    for p in folder.rglob("*"):
        if p.is_file() and not p.is_symlink():
            with p.open("rb") as f:
                if f.read(4) == b"\x7fELF":
                    out.append(p)
    return out


def test_bundle_holds_resources_and_no_system_loader(frozen_app: FrozenApp):
    internal = frozen_app.folder / "_internal"
    for rel in ("models/squeezenet_v1.1.param", "models/squeezenet_v1.1.bin", "images/chelsea.png",
                "images/coffee.png"):
        assert (internal / "resources" / rel).is_file(), rel
    assert (internal / "profiler" / "reports" / "profile.schema.json").is_file()
    shaders = sorted(p.name for p in (ROOT / "engine" / "vulkan" / "shaders").glob("*.spv"))
    assert sorted(p.name for p in (internal / "engine" / "vulkan" / "shaders").glob("*.spv")) == shaders
    # The code travels compiled inside the executable's archive, not as a source tree.
    assert not list(internal.rglob("engine/*.py")) and not list(internal.rglob("gui/*.py"))
    for name in ("install.sh", "layerscope.desktop", "layerscope-mime.xml", "layerscope.svg", "layerscope.png"):
        assert (frozen_app.folder / name).is_file(), name
    bundled = [p.relative_to(frozen_app.folder) for p in frozen_app.folder.rglob("*")
               if p.name.startswith(SYSTEM_ONLY)]
    assert bundled == [], f"these would hide the system's Vulkan loader or its drivers' runtime: {bundled}"


def test_every_bundled_library_resolves(frozen_app: FrozenApp):
    """Pruning the bundle (Qt plugins, system libraries) must not leave a library without a dependency.
    Qt's platform plugins and its X11 support library need libraries every X11 desktop has and a headless
    machine may lack (libxcb-icccm4, libxcb-keysyms1): those are not checked here."""
    internal = frozen_app.folder / "_internal"
    env = {**os.environ, "LD_LIBRARY_PATH": str(internal)}  # as the bootloader sets it
    missing = {}
    for lib in elf_files(internal):
        if "plugins" in lib.relative_to(internal).parts or lib.name.startswith("libQt6XcbQpa"):
            continue
        out = subprocess.run(["ldd", str(lib)], capture_output=True, text=True, env=env).stdout
        gone = [line.split()[0] for line in out.splitlines() if "not found" in line]
        if gone:
            missing[str(lib.relative_to(internal))] = gone
    assert missing == {}


def test_screenshot_of_the_demo(frozen_app: FrozenApp):
    r = frozen_app.run(["--screenshot", "shot.png"])
    assert r.rc == 0, r.text()
    assert "screenshot saved" in r.err, r.text()
    assert "did not finish" not in r.err and "Traceback" not in r.text(), r.text()
    image = cv2.imread(str(frozen_app.home / "shot.png"))
    assert image is not None and image.shape[0] >= 300 and image.shape[1] >= 400, "not a window-sized PNG"
    assert float(image.std()) > 10, "the screenshot is blank"


def _profile(run: Run, out_dir: Path) -> dict:
    assert run.rc == 0, run.text()
    assert "squeezenet_v1.1: median" in run.out, run.text()
    return json.loads((out_dir / "profile.json").read_text())


def test_profile_demo_matches_the_source_app(frozen_app: FrozenApp, tmp_path: Path):
    frozen = _profile(frozen_app.run([*DEMO_PROFILE, "--out", str(tmp_path / "frozen")]), tmp_path / "frozen")
    source = _profile(run_source([*DEMO_PROFILE, "--out", str(tmp_path / "source")], tmp_path), tmp_path / "source")
    # The demo came from the bundle, not from a source tree.
    assert Path(frozen["model"]["param"]).is_relative_to(frozen_app.folder)
    assert frozen["model"]["type_counts"] == source["model"]["type_counts"]
    layers = [(lr["name"], lr["type"], lr["output_shapes"]) for lr in frozen["layers"]]
    assert layers == [(lr["name"], lr["type"], lr["output_shapes"]) for lr in source["layers"]]
    assert [b["name"] for b in frozen["blobs"]] == [b["name"] for b in source["blobs"]]
    for f, s in zip(frozen["blobs"], source["blobs"], strict=True):
        assert f["shape"] == s["shape"], f["name"]
        # Same code, same numpy and BLAS, same input: the same numbers (only summation order could differ).
        for key in ("min", "max", "mean", "std"):
            assert math.isclose(f[key], s[key], rel_tol=1e-6, abs_tol=1e-6), (f["name"], key, f[key], s[key])


# -- Vulkan: the system's loader and driver when present, the CPU with the source app's message when not --------

def vulkan_messages(run: Run, out_dir: Path) -> list[str]:
    """The app's own lines about Vulkan (loader debug output excluded), warning locations and out_dir stripped."""
    lines = []
    for line in run.text().replace(str(out_dir), "<out>").splitlines():
        if line[:1].isspace() or "vulkan" not in line.lower() or re.match(r"^[A-Z |]+:\s", line):
            continue
        lines.append(re.sub(r"^.*?:\d+: (\w+Warning): ", r"\1: ", line))
    return lines


def layer_backends(profile: dict) -> set[str]:
    return {lr["backend"] for lr in profile["layers"]}


@pytest.mark.vulkan
def test_frozen_app_runs_on_the_systems_vulkan_driver(frozen_app: FrozenApp, tmp_path: Path):
    args = [*DEMO_PROFILE, "--backend", "vulkan"]
    source = _profile(run_source([*args, "--out", str(tmp_path / "source")], tmp_path), tmp_path / "source")
    if "vulkan" not in layer_backends(source):
        pytest.skip("the source app finds no Vulkan device here (no loader or driver)")
    r = frozen_app.run([*args, "--out", str(tmp_path / "frozen")], VK_LOADER_DEBUG="all")
    frozen = _profile(r, tmp_path / "frozen")
    used = re.findall(r'Using "([^"]+)" with driver: "([^"]+)"', r.err)
    assert used, "the Vulkan loader created no device in the frozen app:\n" + r.err[-3000:]
    for _device, driver in used:
        assert Path(driver).is_file() and not Path(driver).resolve().is_relative_to(frozen_app.folder), driver
    assert [lr["backend"] for lr in frozen["layers"]] == [lr["backend"] for lr in source["layers"]]


def _compare_fallback(frozen_app: FrozenApp, tmp_path: Path, wrap: list[str] | None = None, **env: str) -> None:
    args = [*DEMO_PROFILE, "--backend", "vulkan"]
    fr = frozen_app.run([*args, "--out", str(tmp_path / "frozen")], wrap=wrap, **env)
    sr = run_source([*args, "--out", str(tmp_path / "source")], tmp_path, wrap=wrap, **env)
    frozen, source = _profile(fr, tmp_path / "frozen"), _profile(sr, tmp_path / "source")
    assert layer_backends(source) <= {"cpu"}, "precondition: Vulkan is really unavailable to the source app"
    assert layer_backends(frozen) == layer_backends(source)
    messages = vulkan_messages(fr, tmp_path / "frozen")
    assert messages == vulkan_messages(sr, tmp_path / "source")
    assert messages, "neither app said why the CPU ran"
    assert "Traceback" not in fr.text()


@pytest.mark.vulkan
def test_without_a_vulkan_driver_the_frozen_app_falls_back_like_the_source(frozen_app: FrozenApp, tmp_path: Path):
    nothing = str(tmp_path / "no_such_icd.json")
    _compare_fallback(frozen_app, tmp_path, VK_ICD_FILENAMES=nothing, VK_DRIVER_FILES=nothing)


def _hide_vulkan_loader() -> list[str]:
    """A command prefix that runs its command with every libvulkan.so.1 of the system replaced by an empty
    file, in a private mount namespace (the machine itself is untouched). Needs root and util-linux."""
    if os.geteuid() != 0 or not shutil.which("unshare"):
        pytest.skip("simulating a missing Vulkan loader needs root and unshare")
    ldconfig = shutil.which("ldconfig") or "/sbin/ldconfig"
    cache = subprocess.run([ldconfig, "-p"], capture_output=True, text=True).stdout
    paths = sorted({m for m in re.findall(r"libvulkan\.so\.1 .*=> (\S+)", cache)})
    assert paths, "precondition: the system has a Vulkan loader to hide"
    binds = " && ".join(f"mount --bind /dev/null {p}" for p in paths)
    return ["unshare", "--mount", "--propagation", "private", "sh", "-c", f'{binds} && exec "$@"', "sh"]


@pytest.mark.vulkan
def test_without_a_vulkan_loader_the_frozen_app_falls_back_like_the_source(frozen_app: FrozenApp, tmp_path: Path):
    wrap = _hide_vulkan_loader()
    probe = subprocess.run([*wrap, "/bin/sh", "-c", "exit 0"], capture_output=True, text=True,
                           env=clean_env(tmp_path))
    if probe.returncode != 0:
        pytest.skip(f"this machine does not allow private mounts: {probe.stderr.strip()}")
    _compare_fallback(frozen_app, tmp_path, wrap=wrap)
