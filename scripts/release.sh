#!/usr/bin/env bash
# Builds the release archives of kubectl-entra and writes their sha256 into the Krew manifest.
#
#   scripts/release.sh [--manifest FILE] [--out-dir DIR] [--target TRIPLE]...
#
# Without --target it builds the host target, plus every other Krew platform whose Rust target
# is installed (`rustup target list --installed`) and whose linker exists (the
# CARGO_TARGET_<TRIPLE>_LINKER variable, or the usual cross gcc such as aarch64-linux-gnu-gcc).
# Each archive is dist/kubectl-entra_<version>_<os>_<arch>.tar.gz (.zip for windows) with the
# binary and LICENSE at its root. The manifest's version, URIs and the built archives' sha256
# are updated in place; archives not built keep their sha256 (a marked placeholder at first).
#
# Environment:
#   KUBECTL_ENTRA_BINARY=PATH  package this already-built binary as the host target and build
#                              nothing (the tests use it to avoid a second release build)
#   SOURCE_DATE_EPOCH=SECONDS  timestamp stored in the archives (default: 0), for reproducible sums
#
# Everything it does is reported on stderr; it prints nothing on stdout.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
manifest="$root/plugin-manifest/entra.yaml"
out_dir="$root/dist"
targets=()

usage() { sed -n '2,19p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; }
say() { echo "release: $*" >&2; }
die() { echo "release: error: $*" >&2; exit 1; }

while [[ $# -gt 0 ]]; do
    case "$1" in
        --manifest) manifest="${2:?--manifest needs a file}"; shift 2 ;;
        --manifest=*) manifest="${1#*=}"; shift ;;
        --out-dir) out_dir="${2:?--out-dir needs a directory}"; shift 2 ;;
        --out-dir=*) out_dir="${1#*=}"; shift ;;
        --target) targets+=("${2:?--target needs a triple}"); shift 2 ;;
        --target=*) targets+=("${1#*=}"); shift ;;
        -h|--help) usage; exit 0 ;;
        *) usage; die "unknown argument: $1" ;;
    esac
done

[[ -f "$manifest" ]] || die "manifest $manifest not found (pass --manifest FILE)"
[[ -f "$root/LICENSE" ]] || die "LICENSE not found in $root"
version="$(sed -n 's/^version = "\(.*\)"$/\1/p' "$root/Cargo.toml" | head -n 1)"
[[ -n "$version" ]] || die "cannot read the package version from Cargo.toml"
host="$(rustc -vV | sed -n 's/^host: //p')"
[[ -n "$host" ]] || die "cannot find the host target with rustc -vV"

# Krew's os/arch for a Rust target triple; empty when Krew has no such platform here.
platform_of() {
    case "$1" in
        x86_64-unknown-linux-gnu|x86_64-unknown-linux-musl) echo "linux amd64" ;;
        aarch64-unknown-linux-gnu|aarch64-unknown-linux-musl) echo "linux arm64" ;;
        x86_64-apple-darwin) echo "darwin amd64" ;;
        aarch64-apple-darwin) echo "darwin arm64" ;;
        x86_64-pc-windows-msvc|x86_64-pc-windows-gnu) echo "windows amd64" ;;
        *) echo "" ;;
    esac
}

# Finds a linker for a cross target and exports it for cargo; fails when there is none.
cross_linker_ready() {
    local triple="$1" var default=""
    var="CARGO_TARGET_$(echo "$triple" | tr 'a-z-' 'A-Z_')_LINKER"
    if [[ -n "${!var:-}" ]]; then
        command -v "${!var}" >/dev/null 2>&1
        return
    fi
    case "$triple" in
        *-apple-darwin) [[ "$host" == *-apple-darwin ]] && return 0 ;;
        aarch64-unknown-linux-gnu) default="aarch64-linux-gnu-gcc" ;;
        x86_64-unknown-linux-gnu) default="x86_64-linux-gnu-gcc" ;;
        x86_64-pc-windows-gnu) default="x86_64-w64-mingw32-gcc" ;;
    esac
    [[ -n "$default" ]] && command -v "$default" >/dev/null 2>&1 || return 1
    export "$var=$default"
    local cc_var
    cc_var="CC_$(echo "$triple" | tr '-' '_')"
    export "$cc_var=${!cc_var:-$default}"
}

if [[ -n "${KUBECTL_ENTRA_BINARY:-}" ]]; then
    [[ -x "$KUBECTL_ENTRA_BINARY" ]] || die "KUBECTL_ENTRA_BINARY=$KUBECTL_ENTRA_BINARY is not an executable"
    [[ ${#targets[@]} -eq 0 || "${targets[*]}" == "$host" ]] ||
        die "KUBECTL_ENTRA_BINARY packages the host target ($host) only"
    targets=("$host")
elif [[ ${#targets[@]} -eq 0 ]]; then
    targets=("$host")
    if command -v rustup >/dev/null 2>&1; then
        while read -r triple; do
            [[ "$triple" == "$host" || -z "$(platform_of "$triple")" ]] && continue
            if cross_linker_ready "$triple"; then
                targets+=("$triple")
            else
                say "skipping $triple: installed, but no linker (set CARGO_TARGET_..._LINKER)"
            fi
        done < <(rustup target list --installed)
    fi
fi

if command -v sha256sum >/dev/null 2>&1; then
    sha256() { sha256sum "$1" | cut -d' ' -f1; }
else
    sha256() { shasum -a 256 "$1" | cut -d' ' -f1; }
fi

mkdir -p "$out_dir"
out_dir="$(cd "$out_dir" && pwd)"
stage_root="$(mktemp -d)"
trap 'rm -rf "$stage_root"' EXIT
epoch="${SOURCE_DATE_EPOCH:-0}"

declare -A sums=()
for triple in "${targets[@]}"; do
    read -r os arch <<<"$(platform_of "$triple")"
    [[ -n "${os:-}" ]] || die "$triple is not a Krew platform of this plugin"
    exe="kubectl-entra"
    [[ "$os" == windows ]] && exe="kubectl-entra.exe"

    if [[ -n "${KUBECTL_ENTRA_BINARY:-}" ]]; then
        binary="$KUBECTL_ENTRA_BINARY"
        say "using the prebuilt $binary for $triple"
    else
        if [[ "$triple" == "$host" ]]; then
            say "cargo build --release --locked (host $host)"
            (cd "$root" && cargo build --release --locked)
            binary="$root/target/release/$exe"
        else
            if ! cross_linker_ready "$triple"; then
                die "no linker for $triple (set CARGO_TARGET_$(echo "$triple" | tr 'a-z-' 'A-Z_')_LINKER)"
            fi
            say "cargo build --release --locked --target $triple"
            (cd "$root" && cargo build --release --locked --target "$triple")
            binary="$root/target/$triple/release/$exe"
        fi
    fi

    stage="$stage_root/$triple"
    mkdir -p "$stage"
    cp "$binary" "$stage/$exe"
    chmod 0755 "$stage/$exe"
    cp "$root/LICENSE" "$stage/LICENSE"
    chmod 0644 "$stage/LICENSE"
    touch -d "@$epoch" "$stage/$exe" "$stage/LICENSE" 2>/dev/null || true

    base="kubectl-entra_${version}_${os}_${arch}"
    if [[ "$os" == windows ]]; then
        archive="$out_dir/$base.zip"
        rm -f "$archive"
        (cd "$stage" && zip -X -q "$archive" "$exe" LICENSE)
    else
        archive="$out_dir/$base.tar.gz"
        if tar --version 2>/dev/null | grep -q 'GNU tar'; then
            tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$epoch" \
                -C "$stage" -cf - "$exe" LICENSE | gzip -n -9 >"$archive"
        else
            tar -C "$stage" -cf - "$exe" LICENSE | gzip -n -9 >"$archive"
        fi
    fi
    sums["$(basename "$archive")"]="$(sha256 "$archive")"
    say "wrote $archive (sha256 ${sums["$(basename "$archive")"]})"
done

# Update the manifest through a temp file, then move it into place.
tmp="$(mktemp "$(dirname "$manifest")/.entra.yaml.XXXXXX")"
sed -E \
    -e "s#^(  version: )v.*#\\1v$version#" \
    -e "s#(releases/download/)v[^/]+/kubectl-entra_[^_]+_#\\1v$version/kubectl-entra_${version}_#" \
    -e "s#(kubectl-entra/kubectl-entra/)v[^/]+/completions/#\\1v$version/completions/#" \
    "$manifest" >"$tmp"
for name in "${!sums[@]}"; do
    awk -v name="$name" -v sum="${sums[$name]}" '
        /^[[:space:]]*uri:/ { hit = (substr($0, length($0) - length(name)) == "/" name) }
        /^[[:space:]]*sha256:/ && hit {
            match($0, /^[[:space:]]*/); print substr($0, 1, RLENGTH) "sha256: " sum; hit = 0; next
        }
        { print }
    ' "$tmp" >"$tmp.next"
    grep -q "sha256: ${sums[$name]}\$" "$tmp.next" || die "no platform in $manifest has the uri .../$name"
    mv "$tmp.next" "$tmp"
    say "manifest: sha256 of $name set"
done
chmod 0644 "$tmp"
mv "$tmp" "$manifest"
say "updated $manifest (version v$version)"
