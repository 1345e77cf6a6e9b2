#!/usr/bin/env bash
# The end-to-end part of `make test`: two rows of the CNI matrix whose data
# paths differ — kube-router (routed, iptables policy) and Flannel (VXLAN
# overlay, no policy) — each on a fresh cluster with every suite and every
# Disruptive spec that applies (scripts/row.sh); on kube-router's cluster,
# also its variant without NetworkPolicy, where every policy spec must be
# reported unsupported; then the HTML matrix of both rows. Flannel's row
# (TEST_REGISTRY_CNI) runs as on a cluster we did not build: its nodes pull
# the suites' images from a registry of our own (scripts/row.sh REGISTRY=1).
# The kube-router row runs as least-privilege ServiceAccounts, with the
# Ingress suite, and its cluster also hosts two concurrent runs
# (scripts/concurrent.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

bin=bin/netconform
reports=${NETCONFORM_REPORT_DIR:-$PWD/reports}
cnis=${TEST_CNIS:-kube-router flannel}
export CLUSTER=${CLUSTER:-netconform-test}
start=$(date +%s)
rm -rf "$reports"
mkdir -p "$reports"
# Every image, built offline (cached by the content of its inputs).
"$bin" images build
echo "test.sh: images in $(( $(date +%s) - start )) s"

for cni in $cnis; do
  nopolicy=$("$bin" cni variants --without NetworkPolicy "$cni" | grep -vx "$cni" | head -n1 || true)
  registry=0
  [ "$cni" != "${TEST_REGISTRY_CNI-flannel}" ] || registry=1
  if [ -z "$nopolicy" ]; then
    REGISTRY=$registry scripts/row.sh "$cni" "$reports/$cni"
    continue
  fi
  # Keep the cluster for the variant: switching it costs a rollout, not a
  # new cluster. This row also runs as the least-privilege
  # ServiceAccounts, and holds both Ingress controllers to the Ingress
  # contract (their Disruptive proofs run in make matrix).
  # The row keeps its cluster (KEEP=1), also when it fails: delete it then.
  trap '"$bin" cluster down --name "$CLUSTER" || true' EXIT
  KEEP=1 LEAST_PRIVILEGE=1 INGRESS=1 INGRESS_DISRUPTIVE=0 REGISTRY=$registry scripts/row.sh "$cni" "$reports/$cni"
  # Two runs at once on it, and the cleanup of a crashed third.
  t0=$(date +%s)
  scripts/concurrent.sh "$("$bin" cluster kubeconfig --name "$CLUSTER")"
  echo "test.sh: concurrent runs in $(( $(date +%s) - t0 )) s"
  t0=$(date +%s)
  "$bin" cluster up --name "$CLUSTER" --cni "$nopolicy" --reuse --build=false
  kubeconfig=$("$bin" cluster kubeconfig --name "$CLUSTER")
  go tool ginkgo build --tags allsuites ./suites/all >/dev/null
  NETCONFORM_REPORT_DIR=$reports/$nopolicy go tool ginkgo --timeout 20m --label-filter 'netpol && !Disruptive' ./suites/all/all.test -- -kubeconfig "$kubeconfig"
  "$bin" report expect --label Feature:NetworkPolicy --state unsupported "$reports/$nopolicy"/netpol-*.conformance.json
  echo "test.sh: netpol on $nopolicy (no policy enforcement) in $(( $(date +%s) - t0 )) s"
  "$bin" cluster down --name "$CLUSTER"
  trap - EXIT
done

"$bin" report html -o "$reports/matrix.html" "$reports"/*/
echo "test.sh: matrix page $reports/matrix.html"
echo "test.sh: done in $(( $(date +%s) - start )) s"
