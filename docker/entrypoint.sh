#!/bin/sh
# socialcrm container entry point: runs 'socialcrm <command>' (default: run) with the settings in the
# environment (SOCIALCRM_<NAME>, e.g. SOCIALCRM_BOOTSTRAP_SERVERS for bootstrap.servers) and an optional
# properties file (SOCIALCRM_CONFIG_FILE). exec: the JVM is PID 1 and gets SIGTERM, on which 'run'
# leaves the consumer group cleanly.
#   SOCIALCRM_JAVA_OPTS   JVM options (default: -XX:MaxRAMPercentage=60)
#   SOCIALCRM_JAR         the jar (default /opt/socialcrm/socialcrm.jar)
#   SOCIALCRM_STATE_DIR   Kafka Streams state (default /var/lib/socialcrm/state)
#   SOCIALCRM_STATE_DIR_PER_HOST=true   state in a folder per host name under it: replicas that share
#                         one volume (docker compose --scale) must not share a state directory
set -eu
jar="${SOCIALCRM_JAR:-/opt/socialcrm/socialcrm.jar}"
state="${SOCIALCRM_STATE_DIR:-/var/lib/socialcrm/state}"
if [ "${SOCIALCRM_STATE_DIR_PER_HOST:-false}" = "true" ]; then
  state="$state/${HOSTNAME:-$(hostname)}"
fi
export SOCIALCRM_STATE_DIR="$state"
mkdir -p "$SOCIALCRM_STATE_DIR"
if [ "$#" -eq 0 ]; then
  set -- run
fi
if [ -n "${SOCIALCRM_CONFIG_FILE:-}" ] && [ "$1" = "run" ]; then
  shift
  set -- run --config "$SOCIALCRM_CONFIG_FILE" "$@"
fi
# shellcheck disable=SC2086
exec java ${SOCIALCRM_JAVA_OPTS:--XX:MaxRAMPercentage=60} -jar "$jar" "$@"
