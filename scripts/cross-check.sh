#!/usr/bin/env bash
# Proves that the workspace compiles for the other systems the Krew manifest promises.
#
#   scripts/cross-check.sh [--all-targets] [windows] [macos]
#
#   windows  cargo check --workspace --target x86_64-pc-windows-gnu. Needs the rustup target
#            (added here when rustup is present) and the mingw C compiler that ring's build
#            script uses: `apt-get update && apt-get install gcc-mingw-w64-x86-64`.
#   macos    cargo check --workspace --target aarch64-apple-darwin. ring's build script
#            compiles C for the target, which needs clang AND a macOS SDK (its headers:
#            TargetConditionals.h, the libc headers). Runs on a macOS host, or elsewhere when
#            SDKROOT names a macOS SDK; otherwise it is skipped with the reason (exit code
#            stays 0: a skip is not a failure; the macOS CI job builds and tests it for real).
#   --all-targets  also check tests, benches and examples (what `cargo test` compiles).
#
# Without a system it checks both. Uses CARGO_TARGET_DIR like cargo. Exits 1 when a check that
# could run failed, 2 when a prerequisite is missing.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

say() { echo "cross-check: $*" >&2; }
usage() { sed -n '2,17p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; }

all_targets=()
systems=()
for arg in "$@"; do
    case "$arg" in
        --all-targets) all_targets=(--all-targets) ;;
        windows|macos) systems+=("$arg") ;;
        -h|--help) usage; exit 0 ;;
        *) usage; say "error: unknown argument: $arg"; exit 2 ;;
    esac
done
[[ ${#systems[@]} -gt 0 ]] || systems=(windows macos)

# Adds a rustup target when it is missing; fails with the command to run when it cannot.
ensure_target() {
    local triple="$1"
    if rustc --print target-libdir --target "$triple" >/dev/null 2>&1 &&
        [[ -d "$(rustc --print target-libdir --target "$triple")" ]]; then
        return 0
    fi
    if command -v rustup >/dev/null 2>&1; then
        say "rustup target add $triple"
        rustup target add "$triple" >&2 && return 0
    fi
    say "error: the Rust standard library for $triple is missing: run \`rustup target add $triple\`"
    return 2
}

failed=0
status_line=()

check() {
    local name="$1" triple="$2"
    shift 2
    local start=$SECONDS
    say "cargo check --workspace ${all_targets[*]} --target $triple"
    if env "$@" cargo check --locked --workspace "${all_targets[@]}" --target "$triple"; then
        status_line+=("$name: ok ($((SECONDS - start)) s)")
    else
        status_line+=("$name: FAILED ($((SECONDS - start)) s)")
        failed=1
    fi
}

for system in "${systems[@]}"; do
    case "$system" in
        windows)
            triple=x86_64-pc-windows-gnu
            if ! command -v x86_64-w64-mingw32-gcc >/dev/null 2>&1; then
                say "error: x86_64-w64-mingw32-gcc not found; ring's build script needs it for $triple."
                say "       Install it: apt-get update && apt-get install -y gcc-mingw-w64-x86-64"
                exit 2
            fi
            ensure_target "$triple" || exit 2
            check windows "$triple" \
                CC_x86_64_pc_windows_gnu=x86_64-w64-mingw32-gcc \
                CARGO_TARGET_X86_64_PC_WINDOWS_GNU_LINKER=x86_64-w64-mingw32-gcc
            ;;
        macos)
            triple=aarch64-apple-darwin
            if [[ "$(uname -s)" == Darwin ]]; then
                ensure_target "$triple" || exit 2
                check macos "$triple"
            elif [[ -n "${SDKROOT:-}" && -f "$SDKROOT/usr/include/TargetConditionals.h" ]] &&
                command -v clang >/dev/null 2>&1; then
                ensure_target "$triple" || exit 2
                check macos "$triple" \
                    CC_aarch64_apple_darwin=clang \
                    CFLAGS_aarch64_apple_darwin="-isysroot $SDKROOT"
            else
                reason="ring's build script compiles C for $triple, which needs clang and a macOS SDK"
                if ! command -v clang >/dev/null 2>&1; then
                    reason+="; clang is not installed (Debian's gcc rejects the -arch and -mmacosx-version-min flags cc-rs passes)"
                fi
                reason+="; no macOS SDK here (SDKROOT unset or without usr/include/TargetConditionals.h: Debian packages none, and clang alone stops at TargetConditionals.h and the libc headers)"
                say "skipping macOS: $reason. The macos-latest CI job builds and tests it."
                status_line+=("macos: skipped (no macOS SDK)")
            fi
            ;;
    esac
done

for line in "${status_line[@]}"; do say "$line"; done
exit "$failed"
