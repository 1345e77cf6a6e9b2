#!/usr/bin/env bash
# Two runs at once on one cluster must not collide: runs A and B of the DNS
# suite start together with their own run IDs, and so does C, which is
# killed (SIGKILL, as a crashed CI job) holding its main namespace; each
# run is paused (SIGSTOP) as soon as its main namespace exists, A and B
# until after `netconform cleanup --run-id C` removes what C left, so that nothing but that cleanup can
# touch their namespaces meanwhile. What it removes must all be C's, A's and
# B's main namespaces must still be Active after it, A and B, resumed, must
# both pass (their specs run in those namespaces), and nothing of C may be
# left. (A run that is not paused may delete its own namespace at its end:
# telling that apart from the cleanup's doing would be a race.)
#
#   scripts/concurrent.sh KUBECONFIG
set -euo pipefail
cd "$(dirname "$0")/.."
kubeconfig=${1:?usage: scripts/concurrent.sh KUBECONFIG}
bin=$PWD/bin/netconform
tmp=$(mktemp -d)
start=$(date +%s)
say() { echo "concurrent: $*"; }
pids=()
finish() {
  for p in "${pids[@]}"; do kill -9 -- -"$p" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap finish EXIT

# One binary for the three runs: three compilations of one package at
# once would race for the CPU, not test anything.
go test -c -o "$tmp/dns.test" ./suites/dns
tag=$(printf '%04x' $((RANDOM % 65536)))
a=cc${tag}a b=cc${tag}b c=cc${tag}c
run() { # run ID: starts the suite in a process group of its own
  (cd suites/dns && NETCONFORM_RUN_ID=$1 NETCONFORM_REPORT_DIR= exec setsid "$tmp/dns.test" -kubeconfig "$kubeconfig" \
    -ginkgo.label-filter "!Disruptive" -ginkgo.timeout 10m -ginkgo.no-color >"$tmp/$1.log" 2>&1) &
  pids+=($!)
}
# Run $1's main namespace, while Active (nc-<run>-dns-<5 random>), in a
# cleanup listing on stdin.
main_ns() { sed -n "s/^left: \(nc-$1-dns-[a-z0-9]\{5\}\) (Active.*/\1/p" | head -n1; }
namespaces() { KUBECONFIG=$kubeconfig "$bin" cleanup --dry-run --run-id "$1" 2>/dev/null | main_ns "$1"; }
# Every object a cleanup of run $1 would remove.
objects() { KUBECONFIG=$kubeconfig "$bin" cleanup --dry-run --run-id "$1" 2>/dev/null | sed -n 's/^left: \([^ ]*\) .*/\1/p'; }

run "$a"; pid_a=${pids[0]}
run "$b"; pid_b=${pids[1]}
run "$c"; pid_c=${pids[2]}
say "runs $a, $b and $c started"

# Each run is paused as soon as its main namespace is seen, holding it;
# once all three are, C crashes. (Kept as seen: looked up again, a
# namespace could be gone by then.) Waiting to see all three at one
# instant can fail: when A and B pass in 20 s and C takes 35 s, C's
# namespace comes after theirs have gone. One listing of every run's
# namespaces per look; a listing that fails is kept to be shown.
ns_a= ns_b= ns_c=
for _ in $(seq 240); do
  all=$(KUBECONFIG=$kubeconfig "$bin" cleanup --dry-run 2>"$tmp/listing.err" || true)
  if [ -z "$ns_a" ]; then ns_a=$(main_ns "$a" <<<"$all"); [ -z "$ns_a" ] || kill -STOP -- -"$pid_a"; fi
  if [ -z "$ns_b" ]; then ns_b=$(main_ns "$b" <<<"$all"); [ -z "$ns_b" ] || kill -STOP -- -"$pid_b"; fi
  if [ -z "$ns_c" ]; then ns_c=$(main_ns "$c" <<<"$all"); [ -z "$ns_c" ] || kill -STOP -- -"$pid_c"; fi
  [ -n "$ns_a" ] && [ -n "$ns_b" ] && [ -n "$ns_c" ] && break
  sleep 1
done
if [ -z "$ns_a" ] || [ -z "$ns_b" ] || [ -z "$ns_c" ]; then
  say "the runs did not all create their main namespaces within 4 minutes (seen: A ${ns_a:-none}, B ${ns_b:-none}, C ${ns_c:-none}); the last listing's errors: $(cat "$tmp/listing.err")"
  tail -n 30 "$tmp"/*.log; exit 1
fi
kill -9 -- -"$pid_c"
wait "$pid_c" 2>/dev/null || true
say "run $c killed with $ns_c; $a ($ns_a) and $b ($ns_b) paused"
# Paused, A and B hold their namespaces. One no longer Active now was
# being removed by its own run, which reached its end before the pause:
# that run has nothing left for the cleanup to spare.
held=()
for id in "$a" "$b"; do
  own=$ns_a; [ "$id" = "$b" ] && own=$ns_b
  if namespaces "$id" | grep -qx "$own"; then held+=("$id:$own"); else say "run $id was ending before the pause: nothing of it to check"; fi
done
[ ${#held[@]} -gt 0 ] || { say "runs $a and $b both ended before the pause: the check saw nothing"; exit 1; }

# What C's cleanup is about to remove must all carry C's ID in its name.
if foreign=$(objects "$c" | grep -v "^nc-$c-"); then
  say "cleanup --run-id $c would remove objects of other runs: $foreign"; exit 1
fi
t0=$(date +%s)
KUBECONFIG=$kubeconfig "$bin" cleanup --run-id "$c"
say "cleanup --run-id $c in $(( $(date +%s) - t0 )) s"
left_c=$(KUBECONFIG=$kubeconfig "$bin" cleanup --dry-run --run-id "$c" 2>/dev/null | tail -n1)
case $left_c in 0\ *) ;; *) say "run $c left: $left_c"; exit 1 ;; esac
# Still paused, A and B cannot have touched their namespaces: each must
# still be Active.
for held_ns in "${held[@]}"; do
  id=${held_ns%%:*} own=${held_ns#*:}
  namespaces "$id" | grep -qx "$own" && continue
  say "namespace $own of run $id is not Active after cleanup --run-id $c"; exit 1
done
kill -CONT -- -"$pid_a" -"$pid_b"
say "after cleanup --run-id $c: ${held[*]#*:} still Active, 0 objects of $c"

status=0
wait "$pid_a" || status=1
wait "$pid_b" || status=1
pids=()
for id in "$a" "$b"; do
  say "run $id: $(grep -E '^(Ran|FAIL|SUCCESS)' "$tmp/$id.log" | tr '\n' ' ')"
done
if [ $status != 0 ]; then tail -n 60 "$tmp/$a.log" "$tmp/$b.log"; say "a run failed"; exit 1; fi
for id in "$a" "$b"; do
  left=$(KUBECONFIG=$kubeconfig "$bin" cleanup --dry-run --wait 1m --run-id "$id" 2>/dev/null | tail -n1)
  case $left in 0\ *) ;; *) say "run $id left: $left"; exit 1 ;; esac
done
say "both runs passed, nothing left, in $(( $(date +%s) - start )) s"
