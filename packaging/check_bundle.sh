#!/usr/bin/env bash
# Check a built bundle as a user's machine would run it:
#
#     bash packaging/check_bundle.sh [dist/ticketdesk]
#
# in an empty environment (no Python paths, no virtual environment, a fresh home): it reports its
# versions, creates a desk and opens it (the schema migrations run from inside the bundle), loads
# demo data, checks and exports it, and opens the window offscreen and closes it with SIGTERM
# (exit status 0, nothing on stderr). With Xvfb installed it also shows the real X11 window.
# Finally it lists the system libraries the bundle expects from the machine. Exit status 0 when
# every step passed.
set -euo pipefail
cd "$(dirname "$0")/.."
bundle=$(cd "${1:-dist/ticketdesk}" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/home"
failed=0

run() {  # run the bundle as a user would, with nothing of this shell's Python around
    env -i PATH=/usr/bin:/bin HOME="$tmp/home" LANG=C.UTF-8 QT_QPA_PLATFORM=offscreen \
        "$bundle/ticketdesk" "$@"
}

step() {  # step NAME COMMAND...: run, report, remember a failure
    local name=$1; shift
    if out=$("$@" 2>&1); then
        echo "ok    $name"
    else
        echo "FAIL  $name"; echo "$out" | sed 's/^/      /' | tail -20; failed=1
    fi
}

window_closes_cleanly() {  # show the window offscreen, SIGTERM it: exit 0, nothing else said
    (exec env -i PATH=/usr/bin:/bin HOME="$tmp/home" LANG=C.UTF-8 QT_QPA_PLATFORM=offscreen \
        "$bundle/ticketdesk" --db "$tmp/desk.sqlite" --agent "Bundle Check") >"$tmp/out" 2>"$tmp/err" &
    local pid=$! code=0  # the program's own pid (exec), so the signal reaches it
    # The offscreen platform says this once the window is shown (it has no window manager).
    for _ in $(seq 300); do grep -q propagateSizeHints "$tmp/err" && break; sleep 0.1; done
    sleep 1
    kill -TERM "$pid"
    wait "$pid" || code=$?
    if [ "$code" -ne 0 ] || grep -v propagateSizeHints "$tmp/err" | grep -q .; then
        echo "exit status $code; stderr:"; cat "$tmp/err"; return 1
    fi
}

x11_window_closes_cleanly() {  # the same on a private X server, waiting for the real window
    xvfb-run -a -s "-screen 0 1600x1000x24" bash -c '
        exec env -i PATH=/usr/bin:/bin HOME="$0/home" LANG=C.UTF-8 QT_QPA_PLATFORM=xcb \
            DISPLAY="$DISPLAY" XAUTHORITY="${XAUTHORITY:-}" \
            "$1/ticketdesk" --db "$0/desk.sqlite" --agent "Bundle Check" 2>"$0/xerr" &
        pid=$!
        for _ in $(seq 300); do
            xdotool search --onlyvisible --name "^ticketdesk — " >/dev/null 2>&1 && break
            sleep 0.1
        done
        xdotool search --onlyvisible --name "^ticketdesk — " >/dev/null || echo "no window"
        sleep 1; kill -TERM $pid; wait $pid' "$tmp" "$bundle"
    local code=$?
    if [ "$code" -ne 0 ] || [ -s "$tmp/xerr" ]; then
        echo "exit status $code; stderr:"; cat "$tmp/xerr"; return 1
    fi
}

echo "bundle: $bundle ($(du -sh "$bundle" | cut -f1))"
step "--version" run --version
run --version | sed 's/^/      /'
step "creates and opens a new desk (check)" run check --db "$tmp/desk.sqlite"
step "demo --tickets 100" run demo --tickets 100 --db "$tmp/desk.sqlite"
step "check after demo data" run check --db "$tmp/desk.sqlite"
step "export tickets to CSV" run export tickets --db "$tmp/desk.sqlite" --out "$tmp/tickets.csv"
# 30,000 tickets: the demo generator starts its worker processes (multiprocessing inside the
# frozen program needs freeze_support() in packaging/bundle_main.py).
step "demo --tickets 30000 with worker processes" \
    run demo --tickets 30000 --db "$tmp/workers.sqlite"
step "check after the workers' demo" run check --db "$tmp/workers.sqlite"
step "window offscreen, closed by SIGTERM: exit 0, silent" window_closes_cleanly 6
if command -v xvfb-run >/dev/null && command -v xdotool >/dev/null; then
    step "X11 window under Xvfb, closed by SIGTERM: exit 0, silent" x11_window_closes_cleanly
else
    echo "skip  X11 window (needs xvfb and xdotool)"
fi

echo "system libraries the bundle takes from the machine:"
find "$bundle" -type f \( -name '*.so*' -o -name ticketdesk \) -print0 |
    xargs -0 env LD_LIBRARY_PATH="$bundle/_internal" ldd 2>/dev/null |
    awk '/=>/ && $3 !~ "^'"$bundle"'" {print $1, $3}' | sort -u | awk '{print "      " $0}'
missing=$(find "$bundle" -type f -name '*.so*' -print0 |
    xargs -0 env LD_LIBRARY_PATH="$bundle/_internal" ldd 2>/dev/null | grep -c "not found" || true)
echo "      ($missing unresolved references; plugins for absent optional desktop parts may have some)"
glibc=$(find "$bundle" -type f \( -name '*.so*' -o -name ticketdesk \) -print0 |
    xargs -0 objdump -T 2>/dev/null | grep -o 'GLIBC_[0-9.]*' | sort -uV | tail -1)
echo "newest glibc symbol version needed: $glibc"
exit $failed
