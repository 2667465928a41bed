#!/usr/bin/env bash
# Install the built Layerscope app for the current user (no root needed):
#   the app folder   -> ${XDG_DATA_HOME:-~/.local/share}/layerscope/app   (+ ~/.local/bin/layerscope)
#   desktop entry    -> .../applications/layerscope.desktop   (opens .param files)
#   icons            -> .../icons/hicolor/{scalable,256x256}/apps/layerscope.{svg,png}
#   MIME type        -> .../mime/packages/layerscope.xml       (application/x-ncnn-param, *.param)
# then refreshes the desktop, MIME and icon caches and makes Layerscope the default opener of .param files,
# with whichever of update-mime-database, update-desktop-database, xdg-mime, gtk-update-icon-cache exist.
#
#   packaging/install.sh [--app DIR] [--no-default]     DIR: the built folder (default: dist/layerscope,
#   packaging/install.sh --uninstall                      or the folder this script sits in when shipped)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
DATA="${XDG_DATA_HOME:-$HOME/.local/share}"
BIN="$HOME/.local/bin"
DEST="$DATA/layerscope/app"
MIME_TYPE="application/x-ncnn-param"
APP="" MAKE_DEFAULT=1 UNINSTALL=0

usage() { sed -n '2,11p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
while (($#)); do
  case "$1" in
    --app) APP="${2:?--app needs a folder}"; shift 2 ;;
    --no-default) MAKE_DEFAULT=0; shift ;;
    --uninstall) UNINSTALL=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "install.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done

have() { command -v "$1" >/dev/null 2>&1; }
refresh_caches() {
  if have update-mime-database; then update-mime-database "$DATA/mime" >/dev/null 2>&1 || true; fi
  if have update-desktop-database; then update-desktop-database "$DATA/applications" >/dev/null 2>&1 || true; fi
  if have gtk-update-icon-cache; then gtk-update-icon-cache -f -t -q "$DATA/icons/hicolor" >/dev/null 2>&1 || true; fi
}

if ((UNINSTALL)); then
  rm -rf "$DATA/layerscope"
  rm -f "$DATA/applications/layerscope.desktop" "$DATA/mime/packages/layerscope.xml" \
        "$DATA/icons/hicolor/scalable/apps/layerscope.svg" "$DATA/icons/hicolor/256x256/apps/layerscope.png"
  if [ -L "$BIN/layerscope" ]; then rm -f "$BIN/layerscope"; fi
  mimeapps="${XDG_CONFIG_HOME:-$HOME/.config}/mimeapps.list"
  if [ -f "$mimeapps" ]; then sed -i "\|^$MIME_TYPE=layerscope.desktop;\{0,1\}\$|d" "$mimeapps"; fi
  refresh_caches
  echo "Layerscope uninstalled"
  exit 0
fi

# Shipped inside the built folder, the script sits next to the executable; in the source tree, next to
# the spec, and the build is in dist/.
if [ -z "$APP" ]; then
  if [ -x "$HERE/layerscope" ]; then APP="$HERE"; else APP="$HERE/../dist/layerscope"; fi
fi
if [ ! -x "$APP/layerscope" ]; then
  echo "install.sh: no built app at '$APP' (expected the executable '$APP/layerscope');" \
       "build it first: python packaging/build.py" >&2
  exit 1
fi
APP="$(cd "$APP" && pwd)"
for f in layerscope.desktop layerscope-mime.xml layerscope.svg layerscope.png; do
  if [ ! -f "$HERE/$f" ]; then echo "install.sh: '$HERE/$f' is missing" >&2; exit 1; fi
done

mkdir -p "$DATA/layerscope" "$DATA/applications" "$DATA/mime/packages" "$BIN" \
         "$DATA/icons/hicolor/scalable/apps" "$DATA/icons/hicolor/256x256/apps"
if [ "$APP" != "$DEST" ]; then
  rm -rf "$DEST.new"
  cp -a "$APP" "$DEST.new"  # copy aside, then swap: a failed copy leaves the old install working
  rm -rf "$DEST"
  mv "$DEST.new" "$DEST"
fi
ln -sfn "$DEST/layerscope" "$BIN/layerscope"

# Desktop Entry spec: Exec quotes a path holding reserved characters (escaping " ` $ \ inside) and doubles
# %; then, like every string value (TryExec too), a backslash is written as \\.
raw="$DEST/layerscope"
exec_arg="${raw//%/%%}"
case "$raw" in
  *[[:space:]\"\'\\\$\`\<\>\~\|\&\;\*\?\#\(\)]*) exec_arg="\"$(printf '%s' "$exec_arg" | sed 's/[\\"`$]/\\&/g')\"" ;;
esac
exec_value="$(printf '%s' "$exec_arg" | sed 's/\\/\\\\/g')"
tryexec_value="$(printf '%s' "$raw" | sed 's/\\/\\\\/g')"
sed_escape() { printf '%s' "$1" | sed 's/[|&\\]/\\&/g'; }
sed -e "s|@EXEC@|$(sed_escape "$exec_value")|g" -e "s|@TRYEXEC@|$(sed_escape "$tryexec_value")|g" \
  "$HERE/layerscope.desktop" > "$DATA/applications/layerscope.desktop"
chmod 644 "$DATA/applications/layerscope.desktop"
install -m 644 "$HERE/layerscope-mime.xml" "$DATA/mime/packages/layerscope.xml"
install -m 644 "$HERE/layerscope.svg" "$DATA/icons/hicolor/scalable/apps/layerscope.svg"
install -m 644 "$HERE/layerscope.png" "$DATA/icons/hicolor/256x256/apps/layerscope.png"
refresh_caches

if ((MAKE_DEFAULT)); then
  if have xdg-mime; then
    xdg-mime default layerscope.desktop "$MIME_TYPE" || echo "install.sh: xdg-mime could not set the default opener" >&2
  else
    echo "install.sh: xdg-mime not found; .param files are registered but Layerscope is not set as their default" >&2
  fi
fi
echo "Layerscope installed: $DEST/layerscope (also $BIN/layerscope); opens $MIME_TYPE (*.param)"
