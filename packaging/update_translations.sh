#!/usr/bin/env bash
# Regenerate the translation template and compile the translations:
#
#     bash packaging/update_translations.sh
#
# pyside6-lupdate (it comes with PySide6) collects every tr() string of ticketdesk/ into
# resources/translations/ticketdesk.ts, the template for translators, and merges new strings into
# each ticketdesk_LANG.ts beside it; pyside6-lrelease compiles those to the .qm files that the
# program loads for the user's language. MainWindow._action(text, ...) translates its text, so
# lupdate is told to read it as tr(). Set BIN to the folder of the PySide6 tools if it is not
# .venv/bin.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.venv/bin}
out=resources/translations
mkdir -p "$out"
shopt -s nullglob
languages=("$out"/ticketdesk_*.ts)
for ts in "$out/ticketdesk.ts" "${languages[@]}"; do
    "$BIN/pyside6-lupdate" -silent -extensions py -tr-function-alias tr+=_action \
        -locations relative -no-obsolete ticketdesk -ts "$ts"
done
for ts in "${languages[@]}"; do
    "$BIN/pyside6-lrelease" -silent "$ts" -qm "${ts%.ts}.qm"
done
echo "$out/ticketdesk.ts: $(grep -c '<message' "$out/ticketdesk.ts") strings;" \
     "${#languages[@]} translation(s) compiled"
