#!/usr/bin/env bash
# tests/e2e/host-image.sh — the Debian host the end-to-end test boots: systemd as PID 1, sshd, its own dockerd and
# docker-compose, busybox for the consumers. Prints the docker image name on stdout.
#
# Built once per recipe: the key is the hash of this file (package list and steps included). The rootfs is cached
# as a zstd tarball in $E2E_CACHE (default /var/cache/nodeagent-e2e, on the machine, never in the repository) and
# the imported image is kept in dockerd between runs. Needs: debootstrap zstd, and a reachable Debian mirror.
set -euo pipefail
cd "$(dirname "$0")"

packages=systemd,systemd-sysv,dbus,openssh-server,docker.io,docker-compose,busybox-static,ca-certificates,iproute2,procps,libssl3,zlib1g
suite=bookworm
cache=${E2E_CACHE:-/var/cache/nodeagent-e2e}
key=$(sha256sum host-image.sh | cut -c1-16)
image=nodeagent-e2e/host:$key
log() { printf 'e2e-image: %s\n' "$*" >&2; }

if docker image inspect "$image" >/dev/null 2>&1; then
  log "cached image $image"
  echo "$image"
  exit 0
fi

tarball=$cache/host-$key.tar.zst
if [[ ! -f "$tarball" ]]; then
  command -v debootstrap >/dev/null || { log "debootstrap is missing; fix: apt-get install debootstrap zstd"; exit 1; }
  # The machine's own Debian mirror (the only registry reachable here); E2E_MIRROR overrides it.
  mirror=${E2E_MIRROR:-$({ grep -rhoE 'https?://[^ ]*/debian/?( |$)' /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null || true; } | head -n 1 | tr -d ' ')}
  mirror=${mirror:-http://deb.debian.org/debian}
  rootfs=$(mktemp -d /tmp/nodeagent-e2e-rootfs.XXXXXX)
  trap 'rm -rf "$rootfs"' EXIT
  log "debootstrap $suite from $mirror (about a minute)"
  debootstrap --variant=minbase --include="$packages" "$suite" "$rootfs" "$mirror" >"$rootfs.log" 2>&1 ||
    { tail -n 20 "$rootfs.log" >&2; log "debootstrap failed (log: $rootfs.log)"; exit 1; }
  rm -f "$rootfs.log"

  # A machine id per boot, no apt lists (the test installs from a local .deb), and the users of an EC2 Ubuntu host.
  rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin
  : >"$rootfs/etc/machine-id"
  chroot "$rootfs" useradd -m -u 1000 -s /bin/bash ubuntu
  install -d -m 0700 "$rootfs/root/.ssh"
  mkdir -p "$rootfs/etc/docker"
  echo '{"storage-driver": "overlay2"}' >"$rootfs/etc/docker/daemon.json"
  # Only the operator's own ssh key gets in (the test writes authorized_keys at start).
  printf 'PermitRootLogin prohibit-password\nPasswordAuthentication no\nUseDNS no\n' >"$rootfs/etc/ssh/sshd_config.d/e2e.conf"

  # Without --privileged Docker mounts the cgroup v1 hierarchies read-only, and the inner runc cannot make its
  # cgroups: remount them read-write before containerd and docker start.
  cat >"$rootfs/usr/local/sbin/cgroup-rw" <<'SCRIPT'
#!/bin/sh
# A plain remount,rw says "busy"; a bind remount works.
awk '$3 ~ /^cgroup/ {print $2}' /proc/self/mounts | while read -r mountpoint; do
  mount -o remount,bind,rw "$mountpoint" || true
done
SCRIPT
  chmod 0755 "$rootfs/usr/local/sbin/cgroup-rw"
  cat >"$rootfs/etc/systemd/system/cgroup-rw.service" <<'UNIT'
[Unit]
Description=Remount cgroups read-write for the inner dockerd
DefaultDependencies=no
Before=containerd.service docker.service
After=local-fs.target

[Service]
Type=oneshot
ExecStart=/usr/local/sbin/cgroup-rw
RemainAfterExit=yes

[Install]
WantedBy=multi-user.target
UNIT
  ln -s /etc/systemd/system/cgroup-rw.service "$rootfs/etc/systemd/system/multi-user.target.wants/cgroup-rw.service"
  # Units a container has no use for, and which only slow the boot or fail in it.
  for unit in systemd-timesyncd.service apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer fstrim.timer; do
    ln -sf /dev/null "$rootfs/etc/systemd/system/$unit"
  done

  mkdir -p "$cache"
  log "caching the rootfs in $tarball"
  tar -C "$rootfs" --numeric-owner -cf - . | zstd -q -T0 -3 -o "$tarball.tmp"
  mv "$tarball.tmp" "$tarball"
fi

log "docker import $tarball"
zstd -dc "$tarball" | docker import -c 'CMD ["/sbin/init"]' - "$image" >/dev/null
echo "$image"
