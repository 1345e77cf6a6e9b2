#!/usr/bin/env bash
# The end-to-end part of `make test`: a fresh kind cluster, the suites on it,
# and its deletion, also when a step fails or the run is interrupted.
set -euo pipefail
cd "$(dirname "$0")/.."

cluster=${CLUSTER:-netconform-test}
cni=${CNI:-kube-router}
bin=bin/netconform

down() { "$bin" cluster down --name "$cluster" || true; }
# A crashed earlier run may have left the cluster behind.
down
trap down EXIT

start=$(date +%s)
"$bin" cluster up --name "$cluster" --cni "$cni"
kubeconfig=$("$bin" cluster kubeconfig --name "$cluster")
echo "test.sh: cluster up in $(( $(date +%s) - start )) s"

KUBECONFIG=$kubeconfig go test -count=1 -timeout 30m ./suites/... -args -ginkgo.v
echo "test.sh: done in $(( $(date +%s) - start )) s"
