#!/usr/bin/env bash
# `make matrix`: one row per CNI, each on a fresh kind cluster with every
# suite, the Disruptive specs that apply, and the CNI held to its profile
# (scripts/row.sh), reports under reports/<cni>/, then one HTML page that
# lays the rows side by side: reports/matrix.html.
#
#   CNIS="kube-router flannel" make matrix     (default: every installable CNI)
set -euo pipefail
cd "$(dirname "$0")/.."

bin=bin/netconform
cnis=${CNIS:-$("$bin" cni list)}
reports=${NETCONFORM_REPORT_DIR:-$PWD/reports}
start=$(date +%s)
failed=()
for cni in $cnis; do
  t0=$(date +%s)
  if BUILD=true INGRESS=${INGRESS:-1} CLUSTER=${CLUSTER:-netconform-matrix} scripts/row.sh "$cni" "$reports/$cni"; then
    echo "matrix: $cni passed in $(( $(date +%s) - t0 )) s"
  else
    echo "matrix: $cni FAILED in $(( $(date +%s) - t0 )) s" >&2
    failed+=("$cni")
  fi
done
dirs=()
for cni in $cnis; do dirs+=("$reports/$cni"); done
"$bin" report html -o "$reports/matrix.html" "${dirs[@]}"
echo "matrix: $reports/matrix.html; ${#failed[@]} failed rows${failed:+: ${failed[*]}}; done in $(( $(date +%s) - start )) s"
[ ${#failed[@]} -eq 0 ]
