#!/usr/bin/env bash
# One row of the CNI matrix: a fresh kind cluster with CNI, every suite on
# it (the probe-only suites, then NetworkPolicy's lanes, in parallel
# Ginkgo processes, then every Disruptive spec, alone or beside other
# Confined ones only), a
# check that no test object is left, the CNI held to its profile, and the
# cluster's deletion, also when a step fails or the run is interrupted.
#
#   scripts/row.sh CNI [REPORT_DIR]      (default reports/CNI)
#
# CLUSTER names the kind cluster (netconform-row), ADDONS its add-ons
# (metallb,traefik,haproxy; empty for none), PROCS the parallel
# Ginkgo processes (4), KEEP=1 keeps the cluster afterwards.
# REGISTRY=1 runs the row as on a cluster we did not build: a registry of
# our own (netconform registry up) holding the suites' images (images
# push), nodes that pull them from it (cluster up --registry; nothing
# preloaded), the suites with -image-registry, a check that the agent in
# a node came from it, and preflight against a wrong registry.
# LEAST_PRIVILEGE=1 runs the suites as ServiceAccounts bound only to the
# least-privilege roles (netconform rbac role): the non-Disruptive ones
# with netconform-runner, the Disruptive ones with netconform-disruptive
# on top; and checks that preflight names a permission taken away.
set -euo pipefail
cd "$(dirname "$0")/.."

cni=${1:?usage: scripts/row.sh CNI [REPORT_DIR]}
reports=${2:-reports/$cni}
cluster=${CLUSTER:-netconform-row}
addons=${ADDONS-metallb,traefik,haproxy}
# INGRESS=1 adds suites/ingress (once per IngressClass) and its
# Disruptive proofs unless INGRESS_DISRUPTIVE=0 (their cost per row:
# docs/performance.md).
no_ingress=' && !ingress' no_ingress_disruptive=' && !ingress'
if [ "${INGRESS:-0}" = 1 ]; then
  no_ingress=''
  [ "${INGRESS_DISRUPTIVE:-1}" = 1 ] && no_ingress_disruptive=''
fi
procs=${PROCS:-4}
bin=bin/netconform
mkdir -p "$reports"
reports=$(cd "$reports" && pwd)
export NETCONFORM_REPORT_DIR=$reports
rm -f "$reports"/*.conformance.json "$reports"/*.junit.xml "$reports"/*.ginkgo.json

say() { echo "row $cni: $*"; }
down() {
  local rc=${1:-0}
  # A CI log keeps only its tail: end a failed row with what each failed
  # spec saw, whole.
  if [ "$rc" != 0 ] && compgen -G "$reports/*.conformance.json" >/dev/null; then
    "$bin" report failures "$reports" || true
  fi
  [ "${KEEP:-0}" = 1 ] || "$bin" cluster down --name "$cluster" || true
  [ "${REGISTRY:-0}" != 1 ] || "$bin" registry down || true
}
# A crashed previous run may have left the cluster behind.
"$bin" cluster down --name "$cluster" || true
trap 'down $?' EXIT

start=$(date +%s)
cluster_flags=() suite_flags=()
if [ "${REGISTRY:-0}" = 1 ]; then
  reg=$("$bin" registry up)
  "$bin" images push --registry "$reg"
  cluster_flags=(--registry "$reg")
  suite_flags=(-image-registry "$reg")
  say "registry $reg up, images pushed in $(( $(date +%s) - start )) s"
fi
# BUILD=true builds the CNI's images first when missing (make matrix: a
# CNI built only on demand, as Cilium).
"$bin" cluster up --name "$cluster" --cni "$cni" --addons "$addons" --build="${BUILD:-false}" "${cluster_flags[@]}"
kubeconfig=$("$bin" cluster kubeconfig --name "$cluster")
say "cluster up in $(( $(date +%s) - start )) s"
if [ "${REGISTRY:-0}" = 1 ]; then
  # The agent ran on every node (the cross-node check): each must hold it
  # under the registry's reference, pulled, and not under the catalog's.
  # (The node image has ctr, not crictl: the same CRI image store.)
  pulled=$("$bin" images ref --image-registry "$reg" agent) catalog=$("$bin" images ref agent)
  for node in $(docker ps --filter "label=io.x-k8s.kind.cluster=$cluster" --format '{{.Names}}'); do
    refs=$(docker exec "$node" ctr -n k8s.io images ls -q)
    grep -qx "$pulled" <<<"$refs" || { echo "row $cni: $node has no $pulled:" >&2; echo "$refs" >&2; exit 1; }
    if grep -qx "$catalog" <<<"$refs"; then
      echo "row $cni: $node holds $catalog: the agent was loaded, not pulled" >&2; exit 1
    fi
  done
  say "every node pulled the agent from $reg"
fi
run_kc=$kubeconfig disruptive_kc=$kubeconfig
if [ "${LEAST_PRIVILEGE:-0}" = 1 ]; then
  lp=$(mktemp -d)
  trap 'rc=$?; rm -rf "$lp"; down $rc' EXIT
  scripts/least-privilege.sh kubeconfigs "$kubeconfig" "$lp"
  run_kc=$lp/runner.kubeconfig disruptive_kc=$lp/disruptive.kubeconfig
fi

# Every suite in one test binary (suites/all), linked once for the row's
# steps: each step is one Ginkgo run with one preflight and one cleanup,
# whose processes take specs from every suite it selects.
go tool ginkgo build --tags allsuites ./suites/all >/dev/null
suites=./suites/all/all.test
ginkgo() { go tool ginkgo --timeout 40m --keep-going --poll-progress-after 120s "$@"; }
step() {
  local name=$1; shift
  local t0; t0=$(date +%s)
  "$@"
  say "$name in $(( $(date +%s) - t0 )) s"
}

# The first two steps delete their namespaces and end, without waiting
# for them to go (-cleanup-wait=false: their pods go at once, the
# namespace controller's last pass takes 6-7 s on a 2-core VM); the check at the end
# of the row waits until every run's objects are gone.
step "pods, services, dns$([ -n "$no_ingress" ] || echo ', ingress')" ginkgo -p --procs "$procs" --label-filter "!Disruptive && !netpol$no_ingress" "$suites" -- -kubeconfig "$run_kc" -cleanup-wait=false "${suite_flags[@]}"
# Its cases are handed to NETPOL_PROCS Ginkgo processes (3 by default),
# each with a topology of its own: in a kube-router row on a 2-core VM,
# 84-85 s with 2 processes, 69 s with 3 (on a 2-core VM half as fast,
# both took 132 s: a third topology's pods cost what its cases saved;
# docs/performance.md). After the other suites, not beside them: CPU starvation turns
# late replies into false denials.
step "netpol" ginkgo --procs "${NETPOL_PROCS:-3}" --label-filter 'netpol && !Disruptive' "$suites" -- -kubeconfig "$run_kc" -cleanup-wait=false "${suite_flags[@]}"
# They break the cluster on purpose and repair it: each shows a
# conformance check failing for the right reason. DISRUPTIVE_PROCS (3)
# processes: the cluster's lock runs each alone, but for the Confined ones
# (an Ingress controller, CoreDNS, hairpin mode, the pods' own mesh),
# which go first and beside each other.
step "disruptive specs" ginkgo -p --procs "${DISRUPTIVE_PROCS:-3}" --label-filter "Disruptive$no_ingress_disruptive" "$suites" -- -kubeconfig "$disruptive_kc" "${suite_flags[@]}"
if [ "${REGISTRY:-0}" = 1 ]; then
  # A wrong registry (port closed, image not pushed, no answer) fails
  # preflight within 30 s, naming the image and the pull error.
  step "wrong-registry preflight" env NETCONFORM_TEST_KUBECONFIG="$kubeconfig" NETCONFORM_TEST_REGISTRY="$reg" \
    go test -count=1 -v -run TestWrongRegistryFailsPreflightFast ./framework/preflight
fi
if [ "${LEAST_PRIVILEGE:-0}" = 1 ]; then
  step "a missing permission named by preflight" scripts/least-privilege.sh missing "$kubeconfig" "create pods/exec"
fi

leftovers=$(KUBECONFIG=$kubeconfig "$bin" cleanup --dry-run --wait 2m 2>&1)
echo "$leftovers" | grep "^left:" || true
leftover=$(echo "$leftovers" | tail -n1)
say "$leftover"
case $leftover in 0\ *) ;; *) echo "row $cni: test runs left objects behind" >&2; exit 1 ;; esac

# A CNI whose profile lacks NetworkPolicy must have every policy spec
# reported unsupported: not passed, not failed.
if "$bin" cni variants --without NetworkPolicy "$cni" | grep -qx "$cni"; then
  "$bin" report expect --label Feature:NetworkPolicy --state unsupported "$reports"/netpol-*.conformance.json
fi
say "done in $(( $(date +%s) - start )) s"
