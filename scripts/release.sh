#!/usr/bin/env bash
# The one place that knows the release archives: their names, their layout, their checksums,
# and how their sha256 get into the Krew manifest.
#
#   scripts/release.sh [--target TRIPLE]... [--out-dir DIR] [--manifest FILE]
#       Builds (cargo build --release --locked -p kubectl-entra -p kubectl-entra-sandbox
#       --target TRIPLE), packages, writes the checksums file and updates the manifest with the
#       sums of the archives it built. Without --target: the host, plus every other Krew
#       platform whose Rust target is installed and whose linker exists.
#   scripts/release.sh --package-only [--target TRIPLE] [--bin-dir DIR] [--out-dir DIR]
#       Packages binaries already built for one target (default: the host), from DIR (default:
#       $CARGO_TARGET_DIR/TRIPLE/release, or target/TRIPLE/release). No cargo, no manifest.
#   scripts/release.sh --manifest-from DIR [--partial] [--manifest FILE]
#       Writes DIR's checksums file and the manifest from the archives in DIR. Every platform
#       of the manifest must have its archive there, unless --partial (the others keep their
#       sha256, a marked placeholder at first).
#
# Layout: DIR/kubectl-entra_<version>_<os>_<arch>.tar.gz (.zip for windows) holding
# kubectl-entra, kubectl-entra-sandbox (.exe on windows) and LICENSE at its root; beside each,
# <archive>.sha256; and kubectl-entra_<version>_checksums.txt (sha256sum -c format) for all.
# <version> is Cargo.toml's; the manifest's version and URIs are set to it, every sha256 quoted.
#
# Defaults: --out-dir dist, --manifest plugin-manifest/entra.yaml. SOURCE_DATE_EPOCH sets the
# archives' timestamps (default 315532800, 1980-01-01, the earliest a zip can hold), so a
# rebuild of the same binaries gives the same sums. GZIP_LEVEL (default 9) trades size for
# time (the tests package debug binaries with 1). Prints nothing on stdout; reports on stderr.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
manifest="$root/plugin-manifest/entra.yaml"
out_dir="$root/dist"
mode=build
bin_dir=""
from_dir=""
partial=0
targets=()

usage() { sed -n '2,26p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; }
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
        --package-only) mode=package; shift ;;
        --bin-dir) bin_dir="${2:?--bin-dir needs a directory}"; shift 2 ;;
        --bin-dir=*) bin_dir="${1#*=}"; shift ;;
        --manifest-from) mode=manifest; from_dir="${2:?--manifest-from needs a directory}"; shift 2 ;;
        --manifest-from=*) mode=manifest; from_dir="${1#*=}"; shift ;;
        --partial) partial=1; shift ;;
        -h|--help) usage; exit 0 ;;
        *) usage; die "unknown argument: $1" ;;
    esac
done

[[ -f "$root/LICENSE" ]] || die "LICENSE not found in $root"
version="$(sed -n 's/^version = "\(.*\)"$/\1/p' "$root/Cargo.toml" | head -n 1)"
[[ -n "$version" ]] || die "cannot read the package version from Cargo.toml"
checksums_name="kubectl-entra_${version}_checksums.txt"
epoch="${SOURCE_DATE_EPOCH:-315532800}"
gzip_level="${GZIP_LEVEL:-9}"
[[ "$gzip_level" =~ ^[1-9]$ ]] || die "GZIP_LEVEL must be 1 to 9, not $gzip_level"

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

archive_name() { # os arch
    if [[ "$1" == windows ]]; then
        echo "kubectl-entra_${version}_$1_$2.zip"
    else
        echo "kubectl-entra_${version}_$1_$2.tar.gz"
    fi
}

if command -v sha256sum >/dev/null 2>&1; then
    sha256() { sha256sum "$1" | cut -d' ' -f1; }
else
    sha256() { shasum -a 256 "$1" | cut -d' ' -f1; }
fi

python_bin() {
    local p
    for p in python3 python; do
        if command -v "$p" >/dev/null 2>&1 && "$p" -c 'import zipfile' >/dev/null 2>&1; then
            echo "$p"
            return 0
        fi
    done
    return 1
}

# zip: entries in the given order, fixed timestamps, unix modes (the .exe runs on windows
# regardless). Python's zipfile where there is a Python (every CI runner), else Info-ZIP.
make_zip() { # archive stage files...
    local archive="$1" stage="$2" py
    shift 2
    rm -f "$archive"
    if py="$(python_bin)"; then
        (cd "$stage" && "$py" - "$archive" "$epoch" "$gzip_level" "$@" <<'PY'
import sys, time, zipfile
archive, epoch, level, names = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4:]
stamp = time.gmtime(max(epoch, 315532800))[:6]
with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
    for name in names:
        info = zipfile.ZipInfo(name, stamp)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = (0o100644 if name == "LICENSE" else 0o100755) << 16
        with open(name, "rb") as f:
            z.writestr(info, f.read(), compresslevel=level)
PY
        )
    elif command -v zip >/dev/null 2>&1; then
        (cd "$stage" && zip -X -q "-$gzip_level" "$archive" "$@")
    else
        die "neither Python nor zip found: one is needed to write $archive"
    fi
}

make_tar_gz() { # archive stage files...
    local archive="$1" stage="$2"
    shift 2
    if tar --version 2>/dev/null | grep -q 'GNU tar'; then
        tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$epoch" \
            -C "$stage" -cf - "$@" | gzip -n "-$gzip_level" >"$archive"
    else
        tar -C "$stage" -cf - "$@" | gzip -n "-$gzip_level" >"$archive"
    fi
}

# Packages the two binaries of one target from $1 (a directory) into $out_dir.
package() { # triple bin_dir
    local triple="$1" from="$2" os arch ext="" stage archive name sum
    read -r os arch <<<"$(platform_of "$triple")"
    [[ -n "${os:-}" ]] || die "$triple is not a Krew platform of this plugin"
    [[ "$os" == windows ]] && ext=".exe"
    local files=("kubectl-entra$ext" "kubectl-entra-sandbox$ext" LICENSE)

    stage="$stage_root/$triple"
    mkdir -p "$stage"
    for exe in "${files[@]:0:2}"; do
        [[ -f "$from/$exe" ]] ||
            die "$from/$exe not found: build it first (cargo build --release --locked -p kubectl-entra -p kubectl-entra-sandbox --target $triple)"
        cp "$from/$exe" "$stage/$exe"
        chmod 0755 "$stage/$exe"
    done
    cp "$root/LICENSE" "$stage/LICENSE"
    chmod 0644 "$stage/LICENSE"
    touch -d "@$epoch" "${files[@]/#/$stage/}" 2>/dev/null || true

    name="$(archive_name "$os" "$arch")"
    archive="$out_dir/$name"
    if [[ "$os" == windows ]]; then
        make_zip "$archive" "$stage" "${files[@]}"
    else
        make_tar_gz "$archive" "$stage" "${files[@]}"
    fi
    sum="$(sha256 "$archive")"
    printf '%s  %s\n' "$sum" "$name" >"$archive.sha256"
    say "wrote $archive (sha256 $sum)"
}

# Writes the checksums file of every archive of this version in $1 and the manifest's sums.
write_manifest() { # dir
    local dir="$1" name sum found=0
    [[ -f "$manifest" ]] || die "manifest $manifest not found (pass --manifest FILE)"
    local tmp
    tmp="$(mktemp "$(dirname "$manifest")/.entra.yaml.XXXXXX")"
    # shellcheck disable=SC2064
    trap "rm -f '$tmp' '$tmp.next' '$dir/$checksums_name.next'; rm -rf '${stage_root:-/nonexistent}'" EXIT
    sed -E \
        -e "s#^(  version: )v.*#\\1v$version#" \
        -e "s#(releases/download/)v[^/]+/kubectl-entra_[^_]+_#\\1v$version/kubectl-entra_${version}_#" \
        -e "s#(kubectl-entra/kubectl-entra/)v[^/]+/completions/#\\1v$version/completions/#" \
        "$manifest" >"$tmp"
    : >"$dir/$checksums_name.next"
    for name in $(cd "$dir" && ls -1 "kubectl-entra_${version}_"*.tar.gz "kubectl-entra_${version}_"*.zip 2>/dev/null | LC_ALL=C sort); do
        sum="$(sha256 "$dir/$name")"
        printf '%s  %s\n' "$sum" "$name" >>"$dir/$checksums_name.next"
        awk -v name="$name" -v sum="$sum" '
            /^[[:space:]]*uri:/ { hit = (substr($0, length($0) - length(name)) == "/" name) }
            /^[[:space:]]*sha256:/ && hit {
                match($0, /^[[:space:]]*/); print substr($0, 1, RLENGTH) "sha256: \"" sum "\""; hit = 0; next
            }
            { print }
        ' "$tmp" >"$tmp.next"
        grep -q "sha256: \"$sum\"\$" "$tmp.next" || die "no platform in $manifest has the uri .../$name"
        mv "$tmp.next" "$tmp"
        found=$((found + 1))
        say "manifest: sha256 of $name set"
    done
    [[ $found -gt 0 ]] || die "no kubectl-entra_${version}_* archive in $dir"
    if [[ $partial -eq 0 ]] && grep -q 'sha256:.*PLACEHOLDER' "$tmp"; then
        die "$(grep -c 'sha256:.*PLACEHOLDER' "$tmp") platform(s) of $manifest have no archive in $dir (pass --partial to keep their placeholders)"
    fi
    mv "$dir/$checksums_name.next" "$dir/$checksums_name"
    say "wrote $dir/$checksums_name ($found archives)"
    chmod 0644 "$tmp"
    mv "$tmp" "$manifest"
    say "updated $manifest (version v$version)"
}

host="$(rustc -vV 2>/dev/null | sed -n 's/^host: //p')" || true
target_root="${CARGO_TARGET_DIR:-$root/target}"
[[ "$target_root" == /* ]] || target_root="$root/$target_root"

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
        *-pc-windows-msvc) [[ "$host" == *-pc-windows-msvc ]] && return 0 ;;
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

stage_root="$(mktemp -d)"
trap 'rm -rf "$stage_root"' EXIT

case "$mode" in
    manifest)
        [[ -d "$from_dir" ]] || die "--manifest-from $from_dir is not a directory"
        write_manifest "$(cd "$from_dir" && pwd)"
        ;;
    package)
        [[ ${#targets[@]} -le 1 ]] || die "--package-only packages one target at a time"
        triple="${targets[0]:-$host}"
        [[ -n "$triple" ]] || die "no --target given and rustc cannot tell the host"
        mkdir -p "$out_dir"
        out_dir="$(cd "$out_dir" && pwd)"
        package "$triple" "${bin_dir:-$target_root/$triple/release}"
        ;;
    build)
        [[ -n "$host" ]] || die "cannot find the host target with rustc -vV"
        if [[ ${#targets[@]} -eq 0 ]]; then
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
        mkdir -p "$out_dir"
        out_dir="$(cd "$out_dir" && pwd)"
        for triple in "${targets[@]}"; do
            [[ -n "$(platform_of "$triple")" ]] || die "$triple is not a Krew platform of this plugin"
            if [[ "$triple" != "$host" ]] && ! cross_linker_ready "$triple"; then
                die "no linker for $triple (set CARGO_TARGET_$(echo "$triple" | tr 'a-z-' 'A-Z_')_LINKER)"
            fi
            say "cargo build --release --locked -p kubectl-entra -p kubectl-entra-sandbox --target $triple"
            (cd "$root" && cargo build --release --locked -p kubectl-entra -p kubectl-entra-sandbox --target "$triple")
            package "$triple" "$target_root/$triple/release"
        done
        partial=1
        write_manifest "$out_dir"
        ;;
esac
