#!/usr/bin/env bash
# The README's test command. On a fresh Debian machine it installs what the suite needs
# (system packages when run as root, a virtualenv with the pinned Python packages), then runs
# pytest with --require: a skipped test that needs the real ncnn, the fetched models, Vulkan
# (lavapipe), Qt offscreen, Chromium, glslc or the PyInstaller build fails the run instead of passing silently.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

APT_PACKAGES=(libvulkan1 mesa-vulkan-drivers glslc spirv-tools chromium binutils)
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if ((${#missing[@]})); then
  if [ "$(id -u)" = 0 ]; then
    echo "== installing system packages: ${missing[*]}"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  else
    echo "== missing system packages (run as root to install): ${missing[*]}" >&2
  fi
fi

VENV="${LAYERSCOPE_VENV:-.venv}"
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps -r requirements-pnnx.txt
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r requirements-packaging.txt

export QT_QPA_PLATFORM=offscreen
exec "$VENV/bin/python" -m pytest --require oracle,models,vulkan,gui,browser,glslc,packaging "$@"
