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

# NetworkPolicy (NETPOL=1): one spec at a time, as each drives 9 pods x 36
# probes and kube-router resyncs every policy on each change, so parallel
# matrices disturb each other. Not yet part of the default run: see issue 4.
disruptive=(./suites/pods ./suites/dns)
if [ "${NETPOL:-0}" = 1 ]; then
  t0=$(date +%s)
  ginkgo --label-filter '!Disruptive' ./suites/netpol -- -kubeconfig "$kubeconfig"
  echo "test.sh: netpol in $(( $(date +%s) - t0 )) s"
  disruptive+=(./suites/netpol)
fi

t0=$(date +%s)
ginkgo --label-filter 'Disruptive' "${disruptive[@]}" -- -kubeconfig "$kubeconfig"
echo "test.sh: disruptive specs in $(( $(date +%s) - t0 )) s"

leftover=$(KUBECONFIG=$kubeconfig "$bin" cleanup --dry-run 2>&1 | tail -n1)
echo "test.sh: $leftover"
echo "test.sh: done in $(( $(date +%s) - start )) s"
