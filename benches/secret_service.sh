#!/bin/sh
# Times warm-cache get-token on the file store and on a real Secret Service (gnome-keyring on a
# private session bus), against the process floor: `benches/secret_service.sh` from the repo root.
# Needs gnome-keyring-daemon and dbus-daemon (apt-get install gnome-keyring dbus).
set -eu
dir=$(mktemp -d)
trap 'kill $keyring $bus 2>/dev/null || true; rm -rf "$dir"' EXIT
dbus-daemon --session --nofork --nopidfile --address="unix:path=$dir/bus" &
bus=$!
while [ ! -S "$dir/bus" ]; do sleep 0.05; done
export DBUS_SESSION_BUS_ADDRESS="unix:path=$dir/bus"
printf test-password | HOME="$dir" XDG_RUNTIME_DIR="$dir" XDG_DATA_HOME="$dir/data" \
  gnome-keyring-daemon --foreground --components=secrets --unlock >/dev/null 2>&1 &
keyring=$!
until dbus-send --session --dest=org.freedesktop.DBus --print-reply /org/freedesktop/DBus \
  org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q true; do
  sleep 0.05
done
KUBECTL_ENTRA_BENCH_SECRET_SERVICE=1 cargo bench --bench get_token
