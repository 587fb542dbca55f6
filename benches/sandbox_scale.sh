#!/usr/bin/env bash
# Sandbox scale benchmark (run by hand; not part of the test suite).
#
# Starts `kubectl-entra-sandbox` in a fresh temp state dir, creates COUNT RoleBindings in one
# namespace through the real kubectl (`kubectl create --validate=false -f` of a `v1 List` of 100 RoleBindings per
# call, so each kubectl run POSTs 100 objects one by one), and times every chunk. Then it times
# `kubectl entra bindings -A` over them with the sandbox's admin kubeconfig (names resolved
# through the sandbox's Graph), and restarts the sandbox on the same state dir to time reload.
#
# Usage:  benches/sandbox_scale.sh [COUNT] [BIN_DIR]
#   COUNT    RoleBindings to create, a multiple of 100 (default 10000)
#   BIN_DIR  directory holding kubectl-entra and kubectl-entra-sandbox
#            (default: $CARGO_TARGET_DIR/release, else target/release)
# Build first:  cargo build --release --workspace --bins
#
# Output: per-chunk lines on stderr, a summary on stdout (total, per-object cost of the first and
# last 100, bindings -A wall time, restart time, state dir size).
set -euo pipefail

COUNT=${1:-10000}
BIN_DIR=${2:-${CARGO_TARGET_DIR:-target}/release}
CHUNK=100
SANDBOX="$BIN_DIR/kubectl-entra-sandbox"
PLUGIN="$BIN_DIR/kubectl-entra"
[[ -x $SANDBOX && -x $PLUGIN ]] || { echo "build first: $SANDBOX / $PLUGIN missing" >&2; exit 2; }
(( COUNT % CHUNK == 0 )) || { echo "COUNT must be a multiple of $CHUNK" >&2; exit 2; }

WORK=$(mktemp -d)
SB_PID=""
cleanup() { [[ -n $SB_PID ]] && kill "$SB_PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT

now() { date +%s.%N; }
start_sandbox() {
  rm -f "$WORK/port.json"
  HOME=$WORK XDG_RUNTIME_DIR=$WORK "$SANDBOX" --state-dir "$WORK/state" --port-file "$WORK/port.json" \
    --auto-approve aksdev@contoso.com --poll-interval 0 >"$WORK/sandbox.out" 2>>"$WORK/sandbox.log" &
  SB_PID=$!
  for _ in $(seq 600); do [[ -s $WORK/port.json ]] && return; sleep 0.1; done
  echo "sandbox did not start: $(cat "$WORK/sandbox.log")" >&2; exit 1
}
field() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$WORK/port.json" "$1"; }

start_sandbox
export HOME=$WORK KUBECACHEDIR=$WORK/kcache KUBECONFIG
KUBECONFIG=$(field admin_kubeconfig)
kubectl create namespace bench >/dev/null

chunk_file() { # $1 = first index
  {
    echo '{"apiVersion":"v1","kind":"List","items":['
    for ((i = $1; i < $1 + CHUNK; i++)); do
      ((i > $1)) && echo ','
      printf '{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"RoleBinding","metadata":{"name":"rb-%05d","namespace":"bench"},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"view"},"subjects":[{"apiGroup":"rbac.authorization.k8s.io","kind":"User","name":"user%05d@sandbox.example"}]}' "$i" "$i"
    done
    echo ']}'
  } >"$WORK/chunk.json"
}

T0=$(now)
FIRST="" LAST=""
for ((c = 0; c < COUNT; c += CHUNK)); do
  chunk_file "$c"
  t=$(now)
  kubectl create --validate=false -f "$WORK/chunk.json" >/dev/null
  dt=$(echo "$(now) - $t" | bc -l)
  per=$(echo "$dt * 1000 / $CHUNK" | bc -l)
  [[ -z $FIRST ]] && FIRST=$per
  LAST=$per
  printf 'chunk %5d-%5d: %6.2f s, %6.2f ms/object\n' "$c" "$((c + CHUNK - 1))" "$dt" "$per" >&2
done
TOTAL=$(echo "$(now) - $T0" | bc -l)

# One empty kubectl run: the per-chunk fixed cost (process start, discovery from cache).
t=$(now); kubectl get ns default >/dev/null; KUBECTL_FLOOR=$(echo "$(now) - $t" | bc -l)

bindings() {
  AZURE_AUTHORITY_HOST="$(field authority_host)" "$PLUGIN" bindings -A \
    --graph-endpoint "$(field graph_endpoint)" --graph-tenant-id "$(field tenant_id)" 2>"$WORK/bindings.err" \
    || { cat "$WORK/bindings.err" >&2; exit 1; }
}
# The first run signs in to the sandbox's Graph (device code, auto-approved); the second is warm.
t=$(now); bindings >/dev/null; BINDINGS_COLD=$(echo "$(now) - $t" | bc -l)
t=$(now); ROWS=$(bindings | wc -l); BINDINGS=$(echo "$(now) - $t" | bc -l)

kill "$SB_PID"; wait "$SB_PID" 2>/dev/null || true; SB_PID=""
t=$(now); start_sandbox; RESTART=$(echo "$(now) - $t" | bc -l)
GOT=$(kubectl get rolebindings -n bench --no-headers | wc -l)

printf 'RoleBindings created:            %d (kubectl create --validate=false -f, Lists of %d)\n' "$COUNT" "$CHUNK"
printf 'total create time:               %.1f s\n' "$TOTAL"
printf 'per object, first %d:           %.2f ms\n' "$CHUNK" "$FIRST"
printf 'per object, last %d:            %.2f ms\n' "$CHUNK" "$LAST"
printf 'kubectl floor per run:           %.2f s (included in the per-object figures / %d)\n' "$KUBECTL_FLOOR" "$CHUNK"
printf 'kubectl entra bindings -A:       %.2f s warm (%d lines); %.2f s with the Graph sign-in\n' "$BINDINGS" "$ROWS" "$BINDINGS_COLD"
printf 'sandbox restart (reload state):  %.2f s, %d RoleBindings back\n' "$RESTART" "$GOT"
printf 'state dir apiserver/:            %s\n' "$(du -sh "$WORK/state/apiserver" | cut -f1)"
