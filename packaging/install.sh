#!/usr/bin/env bash
# Install ticketdesk from this folder so it appears in the desktop's application menu:
#
#     ./install.sh              for you alone: ~/.local/opt/ticketdesk, ~/.local/bin/ticketdesk
#     sudo ./install.sh         for everyone:  /opt/ticketdesk, /usr/local/bin/ticketdesk
#     ./install.sh --uninstall  (or sudo ./install.sh --uninstall) removes it again
#     --user                    for you alone even when run as root
#
# Your desks (the data) are never touched: they live in ~/.local/share/ticketdesk/.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
app_id=io.github.ticketdesk.ticketdesk
action=install; scope=auto
for arg in "$@"; do
    case $arg in
        --uninstall) action=uninstall ;;
        --user) scope=user ;;
        *) echo "usage: install.sh [--user] [--uninstall]" >&2; exit 2 ;;
    esac
done
if [ "$scope" = auto ] && [ "$(id -u)" -eq 0 ]; then
    app_dir=/opt/ticketdesk; bin_dir=/usr/local/bin; share=/usr/local/share
else
    app_dir=$HOME/.local/opt/ticketdesk; bin_dir=$HOME/.local/bin
    share=${XDG_DATA_HOME:-$HOME/.local/share}
fi
sizes="16 24 32 48 64 128 256 512"

refresh() {
    command -v update-desktop-database >/dev/null && update-desktop-database -q "$share/applications" || true
    command -v gtk-update-icon-cache >/dev/null && gtk-update-icon-cache -q -t "$share/icons/hicolor" || true
}

uninstall() {
    rm -rf "$app_dir"
    [ -L "$bin_dir/ticketdesk" ] && rm -f "$bin_dir/ticketdesk"
    rm -f "$share/applications/$app_id.desktop" "$share/metainfo/$app_id.metainfo.xml" \
          "$share/icons/hicolor/scalable/apps/$app_id.svg"
    for size in $sizes; do rm -f "$share/icons/hicolor/${size}x${size}/apps/$app_id.png"; done
    refresh
}

if [ "$action" = uninstall ]; then
    uninstall
    echo "ticketdesk removed (your desks in ~/.local/share/ticketdesk are still there)."
    exit 0
fi
if [ ! -x "$here/ticketdesk" ]; then
    echo "run install.sh from the unpacked ticketdesk folder" >&2
    exit 1
fi
resources=$here/_internal/ticketdesk/resources

if [ "$here" != "$app_dir" ]; then
    rm -rf "$app_dir.new"
    mkdir -p "$(dirname "$app_dir")"
    cp -a "$here" "$app_dir.new"
    rm -rf "$app_dir"
    mv "$app_dir.new" "$app_dir"
fi
mkdir -p "$bin_dir" "$share/applications" "$share/metainfo" "$share/icons/hicolor/scalable/apps"
ln -sfn "$app_dir/ticketdesk" "$bin_dir/ticketdesk"
sed -e "s|^Exec=ticketdesk|Exec=$app_dir/ticketdesk|" -e "s|^TryExec=ticketdesk|TryExec=$app_dir/ticketdesk|" \
    "$resources/$app_id.desktop" > "$share/applications/$app_id.desktop"
cp "$resources/$app_id.metainfo.xml" "$share/metainfo/"
cp "$resources/icons/hicolor/scalable/apps/$app_id.svg" "$share/icons/hicolor/scalable/apps/"
for size in $sizes; do
    mkdir -p "$share/icons/hicolor/${size}x${size}/apps"
    cp "$resources/icons/hicolor/${size}x${size}/apps/$app_id.png" "$share/icons/hicolor/${size}x${size}/apps/"
done
refresh
echo "ticketdesk installed in $app_dir: start it from the application menu, or run $bin_dir/ticketdesk"
