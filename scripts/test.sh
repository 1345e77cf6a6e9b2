#!/usr/bin/env bash
# The end-to-end part of `make test`: a fresh kind cluster, the suites on it
# (in parallel Ginkgo processes), then the Disruptive specs one at a time,
# and the cluster's deletion, also when a step fails or the run is
# interrupted.
set -euo pipefail
cd "$(dirname "$0")/.."

cluster=${CLUSTER:-netconform-test}
cni=${CNI:-kube-router}
procs=${PROCS:-4}
bin=bin/netconform
export NETCONFORM_REPORT_DIR=${NETCONFORM_REPORT_DIR:-$PWD/reports}

down() { "$bin" cluster down --name "$cluster" || true; }
# A crashed earlier run may have left the cluster behind.
down
trap down EXIT

start=$(date +%s)
"$bin" cluster up --name "$cluster" --cni "$cni"
kubeconfig=$("$bin" cluster kubeconfig --name "$cluster")
echo "test.sh: cluster up in $(( $(date +%s) - start )) s"

ginkgo() { go tool ginkgo --timeout 40m --keep-going --poll-progress-after 120s "$@"; }

t0=$(date +%s)
ginkgo -p --procs "$procs" --label-filter '!Disruptive' ./suites/pods ./suites/services ./suites/dns -- -kubeconfig "$kubeconfig"
echo "test.sh: pods, services, dns in $(( $(date +%s) - t0 )) s"

# NetworkPolicy: its specs share one topology (an Ordered container), so the
# suite runs in one process; running it after the others keeps their pod
# churn from slowing kube-router's policy syncs.
t0=$(date +%s)
ginkgo --label-filter '!Disruptive' ./suites/netpol -- -kubeconfig "$kubeconfig"
echo "test.sh: netpol in $(( $(date +%s) - t0 )) s"

# The Disruptive specs break the cluster on purpose, one at a time, and
# repair it: each shows a conformance check failing for the right reason.
t0=$(date +%s)
ginkgo --label-filter 'Disruptive' ./suites/pods ./suites/services ./suites/dns ./suites/netpol -- -kubeconfig "$kubeconfig"
echo "test.sh: disruptive specs in $(( $(date +%s) - t0 )) s"

leftover=$(KUBECONFIG=$kubeconfig "$bin" cleanup --dry-run 2>&1 | tail -n1)
echo "test.sh: $leftover"
case $leftover in 0\ *) ;; *) echo "test.sh: test runs left objects behind" >&2; exit 1 ;; esac

# A CNI without NetworkPolicy: the same cluster with a variant of the CNI
# that enforces none (its descriptor says which: for kube-router, a pure
# router). Every policy spec must be reported unsupported, not passed and
# not failed.
nopolicy_cni=$("$bin" cni variants --without NetworkPolicy "$cni" | head -n1)
if [ -n "$nopolicy_cni" ]; then
  t0=$(date +%s)
  "$bin" cluster up --name "$cluster" --cni "$nopolicy_cni" --reuse
  nopolicy=$NETCONFORM_REPORT_DIR/nopolicy
  rm -rf "$nopolicy"
  NETCONFORM_REPORT_DIR=$nopolicy ginkgo --label-filter '!Disruptive' ./suites/netpol -- -kubeconfig "$kubeconfig"
  "$bin" report expect --label Feature:NetworkPolicy --state unsupported "$nopolicy"/netpol-*.conformance.json
  echo "test.sh: netpol on $nopolicy_cni (no policy enforcement) in $(( $(date +%s) - t0 )) s"
else
  echo "test.sh: $cni has no variant without NetworkPolicy; that step is left out"
fi

echo "test.sh: done in $(( $(date +%s) - start )) s"
