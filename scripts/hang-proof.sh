#!/usr/bin/env bash
# Hangs are bugs: on a kind cluster of ours, stop something under a running
# suite and show the run ends, naming what stopped, within its bound,
# and that nothing is left once the API server answers again.
#
#   scripts/hang-proof.sh CLUSTER api [SUITE]      docker pause the control plane (dns)
#   scripts/hang-proof.sh CLUSTER kubelet [SUITE]  stop the kubelet of CLUSTER-worker (netpol:
#                                                  long enough to outlast the node's grace period)
#
# The break comes once the suite's first spec has ended.
# Bounds: apiSilence (30 s) after the API server's last answer, plus one
# look (2 s); the cluster's node-monitor-grace-period (50 s) plus one node
# look (6 s) after a kubelet stops. The run gets PROOF_LIMIT (5 min)
# before the proof calls it a hang.
set -euo pipefail
cd "$(dirname "$0")/.."
cluster=${1:?usage: scripts/hang-proof.sh CLUSTER api|kubelet}
what=${2:?api or kubelet}
suite=${3:-}
[ -n "$suite" ] || { [ "$what" = kubelet ] && suite=netpol || suite=dns; }
bin=$PWD/bin/netconform
kubeconfig=$("$bin" cluster kubeconfig --name "$cluster")
tmp=$(mktemp -d)
id=hang$(printf '%04x' $((RANDOM % 65536)))
say() { echo "hang-proof $what: $*"; }
repair() {
  case $what in
  api) docker unpause "$cluster-control-plane" >/dev/null 2>&1 || true ;;
  kubelet) docker exec "$cluster-worker" systemctl start kubelet || true ;;
  esac
}
pid=
trap 'repair; [ -n "$pid" ] && kill -9 -- -"$pid" 2>/dev/null; rm -rf "$tmp"' EXIT

go test -c -o "$tmp/suite.test" "./suites/$suite"
kubectl --kubeconfig "$kubeconfig" wait --for=condition=Ready nodes --all --timeout=3m >/dev/null
(cd "suites/$suite" && NETCONFORM_RUN_ID=$id NETCONFORM_REPORT_DIR= exec setsid "$tmp/suite.test" -kubeconfig "$kubeconfig" \
  -ginkgo.label-filter '!Disruptive' -ginkgo.v -ginkgo.no-color -ginkgo.timeout 30m >"$tmp/run.log" 2>&1) &
pid=$!
# Break it once the run is inside its specs (its first spec has ended).
for _ in $(seq 240); do grep -q "^•" "$tmp/run.log" && break; sleep 1; done
case $what in
api) docker pause "$cluster-control-plane" >/dev/null ;;
kubelet) docker exec "$cluster-worker" systemctl stop kubelet ;;
*) echo "api or kubelet" >&2; exit 2 ;;
esac
broke=$(date +%s)
say "broken at $(date -u +%T) (run $id of suites/$suite, after: $(grep -c "^•" "$tmp/run.log") spec(s) done)"
ended=
for _ in $(seq "${PROOF_LIMIT:-300}"); do
  if ! kill -0 "$pid" 2>/dev/null; then ended=$(date +%s); break; fi
  sleep 1
done
status=0
wait "$pid" || status=$?
pid=
if [ -z "$ended" ]; then
  say "HANG: the run had not ended $(( $(date +%s) - broke )) s after; last lines:"; tail -n 30 "$tmp/run.log"; exit 1
fi
say "the run ended (exit $status) $(( ended - broke )) s after the break"
grep -E "stopped answering|has not answered|went NotReady|left the cluster|do not start|netconform cleanup --run-id|Ran [0-9]+ of" "$tmp/run.log" | sed 's/^ */  | /' | sort -u | head -n 12
[ "$status" != 0 ] || { say "the run passed: nothing stopped it"; exit 1; }
grep -qE "stopped answering|has not answered|went NotReady" "$tmp/run.log" || { tail -n 60 "$tmp/run.log"; say "no message names what stopped"; exit 1; }

repair
t0=$(date +%s)
until KUBECONFIG=$kubeconfig "$bin" cleanup --dry-run --run-id "$id" >"$tmp/left" 2>/dev/null; do sleep 2; done
say "API answering again $(( $(date +%s) - t0 )) s after the repair; left by run $id: $(tail -n1 "$tmp/left")"
KUBECONFIG=$kubeconfig "$bin" cleanup --run-id "$id"
left=$(KUBECONFIG=$kubeconfig "$bin" cleanup --dry-run --run-id "$id" | tail -n1)
say "after netconform cleanup --run-id $id: $left"
case $left in 0\ *) ;; *) exit 1 ;; esac
# Hand the cluster back whole (kubectl: a proof script, not make test).
kubectl --kubeconfig "$kubeconfig" wait --for=condition=Ready nodes --all --timeout=3m >/dev/null
say "every node Ready again"
