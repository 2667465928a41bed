"""packaging/install.sh on a fake built app, in a throw-away home: files, desktop entry, MIME registration."""
from __future__ import annotations

import os
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

from .frozen import ROOT

PACKAGING = ROOT / "packaging"
MIME = "application/x-ncnn-param"


def fake_app(folder: Path) -> Path:
    folder.mkdir(parents=True)
    exe = folder / "layerscope"
    exe.write_text('#!/bin/sh\necho "layerscope $*"\n')
    exe.chmod(0o755)
    return folder


def user_env(home: Path) -> dict[str, str]:
    return {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(home), "XDG_DATA_HOME": str(home / "share"),
            "XDG_CONFIG_HOME": str(home / "config"), "XDG_DATA_DIRS": f"{home / 'share'}:/usr/share"}


def install(script: Path, home: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", str(script), *args], env=user_env(home), capture_output=True, text=True,
                          timeout=120)


def desktop_entry(path: Path) -> dict[str, str]:
    lines = path.read_text().splitlines()
    assert lines[0] == "[Desktop Entry]"
    return dict(line.split("=", 1) for line in lines[1:] if line and not line.startswith("#"))


def exec_argv(value: str) -> list[str]:
    """Split an Exec value as the Desktop Entry spec says: string escapes first, then quoted arguments."""
    unescaped = value.replace("\\\\", "\x00").replace("\\s", " ").replace("\x00", "\\")
    argv, cur, quoted, i, started = [], "", False, 0, False
    while i < len(unescaped):
        c = unescaped[i]
        if quoted and c == "\\" and i + 1 < len(unescaped) and unescaped[i + 1] in '"`$\\':
            cur, i = cur + unescaped[i + 1], i + 2
            continue
        if c == '"':
            quoted, started = not quoted, True
        elif c == " " and not quoted:
            if started:
                argv.append(cur)
            cur, started = "", False
        else:
            cur, started = cur + c, True
        i += 1
    if started:
        argv.append(cur)
    return [a.replace("%%", "%") if a != "%f" else a for a in argv]


def test_install_registers_the_app_and_uninstall_removes_it(tmp_path: Path):
    home = tmp_path / "home"
    app = fake_app(tmp_path / "dist" / "layerscope")
    r = install(PACKAGING / "install.sh", home, "--app", str(app))
    assert r.returncode == 0, r.stderr
    share = home / "share"
    dest = share / "layerscope" / "app" / "layerscope"
    assert dest.is_file() and os.access(dest, os.X_OK)
    assert (home / ".local" / "bin" / "layerscope").resolve() == dest.resolve()
    entry = desktop_entry(share / "applications" / "layerscope.desktop")
    assert exec_argv(entry["Exec"]) == [str(dest), "%f"]
    assert entry["TryExec"] == str(dest) and entry["Icon"] == "layerscope" and entry["Type"] == "Application"
    assert MIME in entry["MimeType"].split(";")
    assert (share / "mime" / "packages" / "layerscope.xml").read_bytes() == \
        (PACKAGING / "layerscope-mime.xml").read_bytes()
    assert (share / "icons" / "hicolor" / "scalable" / "apps" / "layerscope.svg").is_file()
    assert (share / "icons" / "hicolor" / "256x256" / "apps" / "layerscope.png").is_file()
    if shutil.which("update-mime-database"):  # the MIME database was rebuilt with our type
        assert f"{MIME}:*.param" in (share / "mime" / "globs2").read_text()
    if shutil.which("xdg-mime"):
        q = subprocess.run(["xdg-mime", "query", "default", MIME], env=user_env(home), capture_output=True,
                           text=True)
        assert q.stdout.strip() == "layerscope.desktop"
    if shutil.which("gio") and shutil.which("update-mime-database"):  # what GNOME's file manager sees
        demo = tmp_path / "model.param"
        shutil.copy(ROOT / "resources" / "models" / "squeezenet_v1.1.param", demo)
        info = subprocess.run(["gio", "info", "-a", "standard::content-type", str(demo)], env=user_env(home),
                              capture_output=True, text=True)
        assert f"standard::content-type: {MIME}" in info.stdout, info.stdout + info.stderr

    r = install(PACKAGING / "install.sh", home, "--uninstall")
    assert r.returncode == 0, r.stderr
    left = [p for p in share.rglob("*layerscope*")] + [p for p in (home / ".local" / "bin").iterdir()]
    assert left == []
    if shutil.which("update-mime-database"):
        assert MIME not in (share / "mime" / "globs2").read_text()
    mimeapps = home / "config" / "mimeapps.list"
    assert not mimeapps.exists() or MIME not in mimeapps.read_text()


def test_exec_line_quotes_awkward_paths(tmp_path: Path):
    home = tmp_path / "my home $HOME 100%"
    app = fake_app(tmp_path / "app")
    r = install(PACKAGING / "install.sh", home, "--app", str(app), "--no-default")
    assert r.returncode == 0, r.stderr
    dest = home / "share" / "layerscope" / "app" / "layerscope"
    entry = desktop_entry(home / "share" / "applications" / "layerscope.desktop")
    assert exec_argv(entry["Exec"]) == [str(dest), "%f"]
    assert entry["TryExec"] == str(dest)


def test_shipped_script_installs_the_folder_it_sits_in(tmp_path: Path):
    app = fake_app(tmp_path / "download" / "layerscope")
    for name in ("install.sh", "layerscope.desktop", "layerscope-mime.xml", "layerscope.svg", "layerscope.png"):
        shutil.copy(PACKAGING / name, app / name)
    r = install(app / "install.sh", tmp_path / "home", "--no-default")
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "home" / "share" / "layerscope" / "app" / "install.sh").is_file()


def test_missing_build_is_a_clear_error(tmp_path: Path):
    r = install(PACKAGING / "install.sh", tmp_path / "home", "--app", str(tmp_path / "nowhere"))
    assert r.returncode == 1
    assert str(tmp_path / "nowhere") in r.stderr and "packaging/build.py" in r.stderr
    assert not (tmp_path / "home" / "share").exists()
    r = install(PACKAGING / "install.sh", tmp_path / "home", "--bogus")
    assert r.returncode == 2 and "--bogus" in r.stderr


def test_mime_type_matches_the_demo_models_magic():
    ns = {"m": "http://www.freedesktop.org/standards/shared-mime-info"}
    root = ET.parse(PACKAGING / "layerscope-mime.xml").getroot()
    assert root.tag == f"{{{ns['m']}}}mime-info"
    mt = root.find("m:mime-type", ns)
    assert mt is not None and mt.get("type") == MIME
    assert [g.get("pattern") for g in mt.findall("m:glob", ns)] == ["*.param"]
    match = mt.find("m:magic/m:match", ns)
    assert match is not None and match.get("type") == "string" and match.get("offset") == "0"
    # ncnn's text format starts with its magic number; the bundled demo is a real one.
    demo = (ROOT / "resources" / "models" / "squeezenet_v1.1.param").read_text().splitlines()[0]
    assert demo == "7767517" == match.get("value")
