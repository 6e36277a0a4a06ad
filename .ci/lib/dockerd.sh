# shellcheck shell=bash
# Docker for CI and development: source this file, then call dockerd_start / busybox_image / dockerd_stop.
#
#   dockerd_start   reuse a daemon that already answers on /var/run/docker.sock; otherwise start dockerd in
#                   the background (log: $DOCKERD_LOG), remember its PID and wait until it answers (~30 s max).
#   dockerd_stop    stop only the dockerd this shell started, by PID; a daemon that was already running is left alone.
#   busybox_image   build nodeagent-test/busybox:1 with `docker import` from /bin/busybox (no registry needed).
#
# Needs: apt-get install -y docker.io busybox-static

DOCKERD_LOG=${DOCKERD_LOG:-/tmp/nodeagent-dockerd.log}
DOCKERD_WAIT_SECONDS=${DOCKERD_WAIT_SECONDS:-30}
BUSYBOX_IMAGE=${BUSYBOX_IMAGE:-nodeagent-test/busybox:1}
_dockerd_started_pid=""

_dockerd_answers() { docker version >/dev/null 2>&1; }

dockerd_start() {
  if _dockerd_answers; then
    echo "dockerd: already answering on ${DOCKER_HOST:-unix:///var/run/docker.sock}; reusing it"
    return 0
  fi
  if ! command -v dockerd >/dev/null 2>&1; then
    echo "dockerd: not installed; fix: apt-get install -y docker.io busybox-static" >&2
    return 1
  fi
  if [[ -n "${DOCKER_HOST:-}" && "${DOCKER_HOST}" != "unix:///var/run/docker.sock" ]]; then
    echo "dockerd: DOCKER_HOST=${DOCKER_HOST} does not answer and is not the local default socket; fix: unset DOCKER_HOST or start that daemon" >&2
    return 1
  fi
  # Never add --bridge=none: on a machine where another daemon runs it deletes that daemon's docker0.
  echo "dockerd: starting (log: $DOCKERD_LOG)"
  dockerd >"$DOCKERD_LOG" 2>&1 &
  _dockerd_started_pid=$!
  local waited=0
  until _dockerd_answers; do
    if ! kill -0 "$_dockerd_started_pid" 2>/dev/null; then
      echo "dockerd: exited during start-up; last log lines:" >&2
      tail -n 20 "$DOCKERD_LOG" >&2
      _dockerd_started_pid=""
      return 1
    fi
    if (( waited >= DOCKERD_WAIT_SECONDS * 10 )); then
      echo "dockerd: did not answer within ${DOCKERD_WAIT_SECONDS}s; last log lines:" >&2
      tail -n 20 "$DOCKERD_LOG" >&2
      dockerd_stop
      return 1
    fi
    sleep 0.1
    waited=$((waited + 1))
  done
  echo "dockerd: ready (pid $_dockerd_started_pid)"
}

dockerd_stop() {
  [[ -n "$_dockerd_started_pid" ]] || return 0
  if kill -0 "$_dockerd_started_pid" 2>/dev/null; then
    kill -TERM "$_dockerd_started_pid"
    local waited=0
    while kill -0 "$_dockerd_started_pid" 2>/dev/null && (( waited < 150 )); do
      sleep 0.1
      waited=$((waited + 1))
    done
    if kill -0 "$_dockerd_started_pid" 2>/dev/null; then
      echo "dockerd: pid $_dockerd_started_pid ignored TERM for 15 s; killing it" >&2
      kill -KILL "$_dockerd_started_pid" 2>/dev/null || true
    fi
  fi
  echo "dockerd: stopped (pid $_dockerd_started_pid)"
  _dockerd_started_pid=""
}

busybox_image() {
  if docker image inspect "$BUSYBOX_IMAGE" >/dev/null 2>&1; then
    return 0
  fi
  # busybox-static puts a statically linked busybox here, so the image needs no libc.
  local busybox=/bin/busybox
  if [[ ! -x "$busybox" ]]; then
    echo "busybox_image: $busybox missing; fix: apt-get install -y busybox-static" >&2
    return 1
  fi
  local dir
  dir=$(mktemp -d)
  mkdir -p "$dir/bin" "$dir/tmp" "$dir/etc"
  cp "$busybox" "$dir/bin/busybox"
  local applet
  for applet in sh sleep env cat test ls echo true false kill ps grep stat; do
    ln -s busybox "$dir/bin/$applet"
  done
  echo 'root:x:0:0:root:/root:/bin/sh' >"$dir/etc/passwd"
  echo 'root:x:0:' >"$dir/etc/group"
  if ! tar -C "$dir" -c . | docker import -c 'CMD ["/bin/sh"]' -c 'ENV PATH=/bin' - "$BUSYBOX_IMAGE" >/dev/null; then
    rm -rf "$dir"
    echo "busybox_image: docker import failed" >&2
    return 1
  fi
  rm -rf "$dir"
  echo "busybox_image: built $BUSYBOX_IMAGE"
}
