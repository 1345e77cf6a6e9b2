#!/usr/bin/env bash
# The least-privilege role, tested on a real cluster (an admin's kubeconfig):
#
#   scripts/least-privilege.sh kubeconfigs ADMIN_KUBECONFIG DIR
#       DIR/runner.kubeconfig: ServiceAccount netconform/runner bound only
#       to netconform-runner (what a run without Disruptive specs needs);
#       DIR/disruptive.kubeconfig: netconform/disruptive, bound to it and
#       to netconform-disruptive. Tokens from TokenRequest (2 h).
#   scripts/least-privilege.sh missing ADMIN_KUBECONFIG "VERB RESOURCE"
#       a ServiceAccount with the runner role minus that one permission:
#       the DNS suite must stop in preflight naming it; and with the runner
#       role alone, its Disruptive specs must refuse to start naming what
#       they lack.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=bin/netconform
mode=${1:?usage: scripts/least-privilege.sh kubeconfigs|missing ADMIN_KUBECONFIG ARG}
admin=${2:?admin kubeconfig}
say() { echo "least-privilege: $*"; }

case $mode in
kubeconfigs)
  dir=${3:?directory}
  mkdir -p "$dir"
  "$bin" rbac kubeconfig --kubeconfig "$admin" --service-account netconform/runner -o "$dir/runner.kubeconfig"
  "$bin" rbac kubeconfig --kubeconfig "$admin" --service-account netconform/disruptive --disruptive -o "$dir/disruptive.kubeconfig"
  "$bin" rbac check --kubeconfig "$dir/runner.kubeconfig"
  "$bin" rbac check --kubeconfig "$dir/disruptive.kubeconfig" --disruptive
  ;;
missing)
  drop=${3:?'"VERB RESOURCE"'}
  go tool ginkgo build --tags allsuites ./suites/all >/dev/null
  tmp=$(mktemp -d)
  trap '"$bin" rbac revoke --kubeconfig "$admin" --service-account netconform/minus || true; rm -rf "$tmp"' EXIT
  "$bin" rbac kubeconfig --kubeconfig "$admin" --service-account netconform/minus --without "$drop" -o "$tmp/minus.kubeconfig"
  expect_stop() { # name log kubeconfig label-filter wanted...
    local name=$1 kc=$2 filter=$3; shift 3
    local log=$tmp/run-$RANDOM.log
    local t0; t0=$(date +%s)
    # No reports: a run stopped on purpose is not one of the row's runs.
    if NETCONFORM_REPORT_DIR= go tool ginkgo --no-color --label-filter "$filter" --focus "Cluster DNS" ./suites/all/all.test -- -kubeconfig "$kc" >"$log" 2>&1; then
      say "$name: the run passed"; exit 1
    fi
    for want in "$@"; do
      grep -qF -- "$want" "$log" || { tail -n 40 "$log"; say "$name: no \"$want\" in the output"; exit 1; }
    done
    grep -q "^Ran 0 of" "$log" || { tail -n 40 "$log"; say "$name: specs ran"; exit 1; }
    say "$name: stopped before any spec in $(( $(date +%s) - t0 )) s:"
    grep -F -- "  - " "$log" | sort -u | head -n 8
  }
  expect_stop "without $drop" "$tmp/minus.kubeconfig" '!Disruptive' "lacks 1 permission(s) of ClusterRole netconform-runner" "- $drop"
  "$bin" rbac kubeconfig --kubeconfig "$admin" --service-account netconform/minus -o "$tmp/minus.kubeconfig"
  expect_stop "Disruptive specs with the runner role alone" "$tmp/minus.kubeconfig" Disruptive "of ClusterRole netconform-disruptive"
  ;;
*) echo "unknown mode $mode" >&2; exit 2 ;;
esac
