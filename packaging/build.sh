#!/usr/bin/env bash
# Build the end-user bundle, one command:
#
#     bash packaging/build.sh
#
# makes dist/ticketdesk/ (PyInstaller one-folder: the program, Python, Qt and every library it
# needs) and dist/ticketdesk-VERSION-linux-x86_64.tar.gz. It builds in a fresh virtual
# environment of its own (build/bundle-venv) from a wheel of this checkout and the pinned versions
# in packaging/constraints.txt, so nothing of a developer's .venv (test tools, linters) can be
# swept in. Needs Python 3.11+ with its shared library (Debian: python3, python3-venv) and network
# access to PyPI. Then run: bash packaging/check_bundle.sh
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
VENV=${BUNDLE_VENV:-build/bundle-venv}
case $VENV in /*) ;; *) VENV=$(pwd)/$VENV ;; esac

rm -rf "$VENV" build/pyinstaller dist/ticketdesk
"$PYTHON" -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --upgrade pip
# PostgreSQL support is part of the bundle: a team's desktops share a desk on a server.
"$VENV/bin/python" -m pip install --quiet --constraint packaging/constraints.txt \
    ".[postgres]" pyinstaller
# From a folder outside the checkout, so that the analysis imports ticketdesk from the installed
# wheel (as a user gets it), never the source folder beside it.
root=$(pwd)
mkdir -p build/pyinstaller
(cd build/pyinstaller && "$VENV/bin/pyinstaller" --noconfirm --clean --log-level WARN \
    --distpath "$root/dist" --workpath "$root/build/pyinstaller" "$root/packaging/ticketdesk.spec")

# A Python built from source (pyenv, for example) keeps its debug symbols: strip the interpreter
# and its extension modules. Nothing else: the wheels' libraries are stripped already, and strip
# corrupts the ones auditwheel patched (numpy's OpenBLAS stops loading).
if command -v strip >/dev/null; then
    find dist/ticketdesk/_internal -maxdepth 1 -name 'libpython*.so*' -type f \
        -exec strip --strip-unneeded {} +
    find dist/ticketdesk/_internal -path '*/lib-dynload/*.so' -type f \
        -exec strip --strip-unneeded {} +
fi

# What a user needs beside the program: desktop integration and how to install it.
cp packaging/install.sh dist/ticketdesk/install.sh
cp packaging/BUNDLE-README.txt dist/ticketdesk/README.txt
version=$("$VENV/bin/python" -c "import ticketdesk; print(ticketdesk.__version__)")
archive="dist/ticketdesk-$version-linux-$(uname -m).tar.gz"
tar -C dist -czf "$archive" ticketdesk
echo "built dist/ticketdesk ($(du -sh dist/ticketdesk | cut -f1)) and $archive" \
     "($(du -h "$archive" | cut -f1))"
