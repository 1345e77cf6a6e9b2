#!/usr/bin/env bash
# Prepares this host to run kind clusters: a Docker engine that is installed
# and running, and, only where the kernel's capability bounding set is reduced
# (so `docker run --privileged` fails with "unable to apply caps"), our
# capability-filter runtime shim as dockerd's default runtime.
# Idempotent: on a host that is already set up it changes nothing.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
shim=/usr/local/bin/netconform-runc
daemon_json=/etc/docker/daemon.json
log=/var/log/netconform-dockerd.log

say() { printf 'host-setup: %s\n' "$*"; }
die() { printf 'host-setup: ERROR: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root (installs packages and starts dockerd)"

engine_up() { timeout 10 docker info >/dev/null 2>&1; }

# 1. Docker engine.
if ! engine_up && ! command -v dockerd >/dev/null; then
  say "no Docker engine: installing Debian's docker.io"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null || die "apt-get update failed: no Debian mirror reachable"
  apt-get install -y -q docker.io >/dev/null || die "apt-get install docker.io failed"
fi
# chromium: the HTML matrix report is checked in a real headless browser.
for tool in debootstrap chromium; do
  command -v "$tool" >/dev/null || {
    say "installing $tool"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$tool" >/dev/null ||
      { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$tool" >/dev/null; } ||
      die "apt-get install $tool failed"
  }
done

# Several kind clusters at once (make matrix beside a kept cluster, two
# runs on one host) exhaust the default 128 inotify instances: kubelet and
# kube-proxy then fail with "too many open files" and nodes never join.
if [ "$(cat /proc/sys/fs/inotify/max_user_instances)" -lt 512 ]; then
  say "raising fs.inotify.max_user_instances to 512 for several kind clusters"
  sysctl -qw fs.inotify.max_user_instances=512 || die "cannot raise fs.inotify.max_user_instances"
fi

# 2. Capability bounding set: reduced?
last=$(cat /proc/sys/kernel/cap_last_cap)
have=$((16#$(awk '/^CapBnd:/ {print $2}' /proc/self/status)))
full=$(( (1 << (last + 1)) - 1 ))
want_config=""
if [ $((have & full)) -ne "$full" ]; then
  missing=$(( full & ~have ))
  say "capability bounding set lacks mask $(printf '0x%x' "$missing"): using the netconform-runc shim"
  tmp=$(mktemp)
  (cd "$repo" && CGO_ENABLED=0 go build -trimpath -o "$tmp" ./cmd/netconform-runc) || die "building the runtime shim failed"
  if ! cmp -s "$tmp" "$shim"; then install -m 0755 "$tmp" "$shim"; fi
  rm -f "$tmp"
  want_config=$(printf '{\n  "default-runtime": "netconform-runc",\n  "runtimes": {"netconform-runc": {"path": "%s"}}\n}\n' "$shim")
fi

restart=0
if [ -n "$want_config" ]; then
  mkdir -p /etc/docker
  if [ "$(cat "$daemon_json" 2>/dev/null)" != "$want_config" ]; then
    [ -f "$daemon_json" ] && ! grep -q netconform-runc "$daemon_json" &&
      die "$daemon_json exists with other settings; merge the netconform-runc runtime into it by hand"
    printf '%s' "$want_config" > "$daemon_json"
    restart=1
  fi
fi

# 3. dockerd running (started by hand where there is no systemd).
if engine_up && [ "$restart" = 1 ]; then
  if [ -d /run/systemd/system ]; then
    systemctl restart docker
  else
    pkill -x dockerd || true
    for _ in $(seq 50); do pgrep -x dockerd >/dev/null || break; sleep 0.2; done
  fi
fi
if ! engine_up; then
  if [ -d /run/systemd/system ]; then
    systemctl start docker || die "systemctl start docker failed: see journalctl -u docker"
  else
    say "starting dockerd (log: $log)"
    # setsid, so that the end of this script's job leaves it running.
    setsid nohup dockerd >"$log" 2>&1 < /dev/null &
  fi
  for _ in $(seq 60); do engine_up && break; sleep 1; done
  engine_up || die "dockerd did not come up within 60 s; last log lines:
$(tail -n 20 "$log" 2>/dev/null)"
fi

# 4. dockerd must have picked the shim up.
if [ -n "$want_config" ]; then
  runtime=$(docker info --format '{{.DefaultRuntime}}')
  [ "$runtime" = netconform-runc ] || die "dockerd's default runtime is $runtime, not netconform-runc"
fi
say "Docker $(docker version --format '{{.Server.Version}}') ready"
