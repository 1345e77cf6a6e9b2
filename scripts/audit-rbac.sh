#!/usr/bin/env bash
# Finds the least-privilege role by running with it: turns on the API
# server's audit log for the netconform ServiceAccounts on a kind cluster
# of ours, and, after runs as them, compares what they did with the role.
#
#   scripts/audit-rbac.sh CLUSTER on       audit requests of system:serviceaccount:netconform:*
#   scripts/audit-rbac.sh CLUSTER report   every verb × resource used, denied (403), and granted but unused
#
# The audit policy and log live in the control-plane container; `on`
# restarts the API server (a static pod) and waits for it.
set -euo pipefail
cd "$(dirname "$0")/.."
cluster=${1:?usage: scripts/audit-rbac.sh CLUSTER on|report}
node=$cluster-control-plane
bin=bin/netconform
manifest=/etc/kubernetes/manifests/kube-apiserver.yaml

case ${2:?on or report} in
on)
  docker exec "$node" mkdir -p /etc/kubernetes/audit /var/log/kubernetes/audit
  docker exec -i "$node" sh -c 'cat > /etc/kubernetes/audit/policy.yaml' <<'POLICY'
apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: ["RequestReceived"]
rules:
- level: Metadata
  userGroups: ["system:serviceaccounts:netconform"]
- level: None
POLICY
  tmp=$(mktemp)
  docker exec "$node" cat "$manifest" >"$tmp"
  grep -q audit-policy-file "$tmp" || python3 - "$tmp" <<'PY'
import sys
path = sys.argv[1]
out = []
for line in open(path):
    out.append(line)
    if line.rstrip() == "    - kube-apiserver":
        out += ["    - --audit-policy-file=/etc/kubernetes/audit/policy.yaml\n",
                "    - --audit-log-path=/var/log/kubernetes/audit/audit.log\n"]
    elif line.rstrip() == "    volumeMounts:":
        out += ["    - mountPath: /etc/kubernetes/audit\n      name: audit-policy\n      readOnly: true\n",
                "    - mountPath: /var/log/kubernetes/audit\n      name: audit-log\n"]
    elif line.rstrip() == "  volumes:":
        out += ["  - hostPath:\n      path: /etc/kubernetes/audit\n      type: DirectoryOrCreate\n    name: audit-policy\n",
                "  - hostPath:\n      path: /var/log/kubernetes/audit\n      type: DirectoryOrCreate\n    name: audit-log\n"]
open(path, "w").writelines(out)
PY
  # Written in place (not beside it: the kubelet runs every file there).
  docker exec -i "$node" sh -c "cat > $manifest" <"$tmp"
  rm -f "$tmp"
  kubeconfig=$("$bin" cluster kubeconfig --name "$cluster")
  # The kubelet restarts the API server; wait until it answers with audit on.
  for _ in $(seq 90); do
    docker exec "$node" pgrep -f audit-policy-file >/dev/null && break
    sleep 2
  done
  docker exec "$node" pgrep -f audit-policy-file >/dev/null || { echo "audit-rbac: the API server did not restart with audit on" >&2; exit 1; }
  for _ in $(seq 90); do
    kubectl --kubeconfig "$kubeconfig" get --raw /readyz >/dev/null 2>&1 && break
    sleep 2
  done
  echo "audit-rbac: audit log on ($node:/var/log/kubernetes/audit/audit.log)"
  ;;
report)
  role=$(mktemp)
  "$bin" rbac role --list --disruptive >"$role"
  docker exec "$node" cat /var/log/kubernetes/audit/audit.log | python3 -c '
import json, sys
granted = [l.strip() for l in open(sys.argv[1]) if l.strip()]
used, denied = {}, {}
for line in sys.stdin:
    e = json.loads(line)
    ref = e.get("objectRef") or {}
    if not ref.get("resource"):
        continue  # non-resource URLs (/readyz, /version, discovery) need no role
    r = ref["resource"] + ("/" + ref["subresource"] if ref.get("subresource") else "")
    if ref.get("apiGroup"):
        r += "." + ref["apiGroup"]
    p = e["verb"] + " " + r
    who = e["user"]["username"].rsplit(":", 1)[-1]
    code = (e.get("responseStatus") or {}).get("code", 0)
    (denied if code == 403 else used).setdefault(p, set()).add(who)
print("used (%d):" % len(used))
for p in sorted(used):
    print("  %-55s by %s%s" % (p, ",".join(sorted(used[p])), "" if p in granted else "   NOT IN THE ROLES"))
print("denied, 403 (%d):" % len(denied))
for p in sorted(denied):
    print("  %-55s by %s" % (p, ",".join(sorted(denied[p]))))
unused = [p for p in granted if p not in used]
print("granted, unused in these runs (%d of %d):" % (len(unused), len(granted)))
for p in unused:
    print("  " + p)
' "$role"
  rm -f "$role"
  ;;
esac
