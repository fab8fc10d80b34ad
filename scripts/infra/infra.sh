#!/usr/bin/env bash
# Continuum's local infrastructure without Docker: PostgreSQL, Kafka 3.9 (KRaft)
# and Elasticsearch 8.19, fetched from Maven Central and run as plain processes.
#
#   infra.sh up | down | status
#   infra.sh start-service kafka|elasticsearch
#   infra.sh stop-service  kafka|elasticsearch
#
# Environment:
#   CONTINUUM_CACHE_DIR  downloads (Maven repo, Kafka jars, Elasticsearch zip);
#                        default $HOME/.cache/continuum. Survives fresh clones.
#   CONTINUUM_RUN_DIR    runtime state (unpacked Elasticsearch, data, logs, pid
#                        files); default /var/tmp/continuum. Must be reachable by
#                        the Elasticsearch user, so not under /root.
#
# See scripts/infra/README.md for ports and troubleshooting.
set -euo pipefail

# ---------------------------------------------------------------------------
# Settings
# ---------------------------------------------------------------------------

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$SCRIPT_DIR/../.." && pwd)
readonly SCRIPT_DIR REPO_ROOT

CACHE_DIR=${CONTINUUM_CACHE_DIR:-${HOME:-/root}/.cache/continuum}
RUN_DIR=${CONTINUUM_RUN_DIR:-/var/tmp/continuum}
readonly CACHE_DIR RUN_DIR

# Everything Maven fetches goes into our own repository inside the cache, so that
# deleting the cache dir really means "cold" and nothing leaks into ~/.m2.
readonly MAVEN_REPO="$CACHE_DIR/maven-repo"
readonly MAVEN_CENTRAL_URL=https://repo.maven.apache.org/maven2/

readonly PG_HOST=127.0.0.1 PG_PORT=5432 PG_USER=postgres
readonly PG_DATABASES=(continuum continuum_test)

# Kafka 4.x dropped protocol versions that kafkajs 2.2.4 still uses: stay on 3.9.
readonly KAFKA_VERSION=3.9.1
readonly KAFKA_HOST=127.0.0.1 KAFKA_PORT=9092 KAFKA_CONTROLLER_PORT=9093
readonly KAFKA_LIBS="$CACHE_DIR/kafka-$KAFKA_VERSION/libs"
readonly KAFKA_DIR="$RUN_DIR/kafka"
readonly KAFKA_DATA="$KAFKA_DIR/data"
readonly KAFKA_LOGS="$KAFKA_DIR/logs"
readonly KAFKA_PID_FILE="$KAFKA_DIR/kafka.pid"
readonly KAFKA_CONSOLE_LOG="$KAFKA_LOGS/console.log"
readonly KAFKA_HEAP="-Xms512m -Xmx512m"
readonly TOPICS_JSON="$REPO_ROOT/libs/messaging/src/topics.json"
# A topic used once after each start, so that the group coordinator and the
# producer-id machinery are warm before the apps connect (kafkajs otherwise logs
# "coordinator is loading" at its first calls).
readonly KAFKA_READINESS_TOPIC=continuum.infra.readiness

# 8.19 is the last line that runs on Java 17; 9.x needs Java 21.
readonly ES_VERSION=8.19.7
readonly ES_ARTIFACT="org.elasticsearch.distribution.integ-test-zip:elasticsearch:$ES_VERSION:zip"
readonly ES_ZIP="$MAVEN_REPO/org/elasticsearch/distribution/integ-test-zip/elasticsearch/$ES_VERSION/elasticsearch-$ES_VERSION.zip"
readonly ES_HOST=127.0.0.1 ES_PORT=9200
readonly ES_URL="http://$ES_HOST:$ES_PORT"
readonly ES_DIR="$RUN_DIR/elasticsearch"
readonly ES_HOME="$ES_DIR/elasticsearch-$ES_VERSION"
readonly ES_DATA="$ES_DIR/data"
readonly ES_LOGS="$ES_DIR/logs"
readonly ES_TMP="$ES_DIR/tmp"
readonly ES_PID_DIR="$ES_DIR/run"
readonly ES_PID_FILE="$ES_PID_DIR/elasticsearch.pid"
readonly ES_STARTUP_LOG="$ES_LOGS/startup.log"
readonly ES_SERVER_LOG="$ES_LOGS/continuum-dev.log"
readonly ES_CLUSTER_NAME=continuum-dev
readonly ES_USER=continuum-es

# Bounded waits (seconds). The machine has 2 cores shared with builds and tests,
# so these are generous, but never infinite.
readonly KAFKA_START_TIMEOUT=120
readonly ES_START_TIMEOUT=240
readonly STOP_TIMEOUT=60
readonly LOCK_TIMEOUT=600

# ---------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------

# Progress goes to stderr so that stdout carries only the one-line-per-service summary.
# The elapsed time shows where a slow start spends it.
say() { printf 'infra: [%3ds] %s\n' "$SECONDS" "$*" >&2; }

# One clear sentence, then stop.
die() {
  printf 'infra: ERROR: %s\n' "$*" >&2
  exit 1
}

is_root() { [[ $(id -u) -eq 0 ]]; }

require_cmd() {
  local cmd=$1 hint=$2
  command -v "$cmd" >/dev/null 2>&1 || die "'$cmd' is not installed: $hint."
}

# True if something accepts TCP connections on host:port (bash's /dev/tcp, so no nc needed).
port_open() {
  local host=$1 port=$2
  timeout 2 bash -c "exec 3<>/dev/tcp/$host/$port" 2>/dev/null
}

# Pid of the process listening on a local TCP port, if ss can tell.
port_owner_pid() {
  local port=$1
  ss -ltnpH "sport = :$port" 2>/dev/null | grep -o 'pid=[0-9]*' | head -n1 | cut -d= -f2 || true
}

# "pid 123 (java ...)" for error messages about a taken port.
describe_port_owner() {
  local port=$1 pid
  pid=$(port_owner_pid "$port")
  if [[ -n $pid ]]; then
    printf 'pid %s (%s)' "$pid" "$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | cut -c1-80)"
  else
    printf 'an unknown process'
  fi
}

# The pid in a pid file, if that process is alive and its command line contains
# the given marker; removes the file otherwise (a stale pid file from a crash or
# reboot must not make us kill or trust an unrelated process).
live_pid() {
  local pid_file=$1 marker=$2 pid
  [[ -f $pid_file ]] || return 1
  pid=$(tr -dc '0-9' <"$pid_file")
  if [[ -n $pid ]] && [[ -r /proc/$pid/cmdline ]] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "$marker"; then
    printf '%s\n' "$pid"
    return 0
  fi
  say "removing stale pid file $pid_file (process ${pid:-?} is gone or is something else)"
  rm -f "$pid_file"
  return 1
}

# wait_for <seconds> <description> <log file> <command...>: retries the command
# every second; on timeout stops the script with a pointer at the log.
wait_for() {
  local limit=$1 what=$2 log=$3
  shift 3
  local deadline=$((SECONDS + limit))
  until "$@"; do
    if ((SECONDS >= deadline)); then
      die "$what did not happen within ${limit}s; see $log"
    fi
    sleep 1
  done
}

# SIGTERM, wait up to STOP_TIMEOUT, then SIGKILL.
stop_pid() {
  local name=$1 pid=$2
  kill -TERM "$pid" 2>/dev/null || return 0
  local deadline=$((SECONDS + STOP_TIMEOUT))
  while kill -0 "$pid" 2>/dev/null; do
    if ((SECONDS >= deadline)); then
      say "$name (pid $pid) ignored SIGTERM for ${STOP_TIMEOUT}s; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 1
      break
    fi
    sleep 1
  done
}

# Serialise concurrent ups/downs (two terminals, parallel test runners): they
# would otherwise race to fetch, format or start the same thing. The lock is fd 9;
# the daemons are started with 9>&- so that they do not inherit (and hold) it.
take_lock() {
  mkdir -p "$RUN_DIR"
  exec 9>"$RUN_DIR/.infra.lock"
  flock -w "$LOCK_TIMEOUT" 9 || die "another infra.sh held $RUN_DIR/.infra.lock for ${LOCK_TIMEOUT}s; is one stuck?"
}

# The run dir must be traversable by the Elasticsearch user.
prepare_run_dir() {
  mkdir -p "$RUN_DIR" "$KAFKA_DATA" "$KAFKA_LOGS" "$ES_DIR"
  chmod 755 "$RUN_DIR"
}

# ---------------------------------------------------------------------------
# Java and Maven
# ---------------------------------------------------------------------------

JAVA_HOME_RESOLVED=""

# The Java home used for both JVMs: ES_JAVA_HOME, then JAVA_HOME, then the `java`
# on PATH. Elasticsearch 8.19 needs 17 or newer and this integ-test build carries
# no JDK of its own.
resolve_java() {
  [[ -n $JAVA_HOME_RESOLVED ]] && return 0
  local home=${ES_JAVA_HOME:-${JAVA_HOME:-}}
  if [[ -z $home || ! -x $home/bin/java ]]; then
    require_cmd java "install Java 17 (apt-get install -y openjdk-17-jdk-headless)"
    home=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
  fi
  local version
  version=$("$home/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
  [[ ${version%%.*} =~ ^[0-9]+$ && ${version%%.*} -ge 17 ]] ||
    die "Java 17 or newer is needed but $home/bin/java is version '${version:-unknown}': install openjdk-17-jdk-headless or set ES_JAVA_HOME."
  JAVA_HOME_RESOLVED=$home
}

# mvn_fetch <what> <log> <mvn args...>: one quiet Maven call; a failure becomes one
# sentence (most often: Maven Central not reachable from here).
mvn_fetch() {
  local what=$1 log=$2
  shift 2
  require_cmd mvn "install Maven (apt-get install -y maven)"
  mkdir -p "$MAVEN_REPO" "$(dirname "$log")"
  if ! mvn -B -q -Dmaven.repo.local="$MAVEN_REPO" "$@" >"$log" 2>&1; then
    # Quiet Maven hides the network error behind e.g. "No plugin found for prefix
    # 'dependency'", so ask Maven Central directly (any HTTP answer, even a 404,
    # means it is reachable) before blaming anything else.
    if grep -qiE 'UnknownHost|Connect(ion)? (refused|timed out)|Network is unreachable|Could not transfer' "$log" ||
      ! curl -sSI -m 15 -o /dev/null "$MAVEN_CENTRAL_URL" 2>/dev/null; then
      die "could not download $what: Maven Central ($MAVEN_CENTRAL_URL) is not reachable from this machine; see $log"
    fi
    die "Maven failed to fetch $what; see $log"
  fi
}

# ---------------------------------------------------------------------------
# PostgreSQL (the machine's shared server: used, started or installed, never stopped)
# ---------------------------------------------------------------------------

pg_answers() {
  if command -v pg_isready >/dev/null 2>&1; then
    pg_isready -q -h "$PG_HOST" -p "$PG_PORT" -t 2
  else
    port_open "$PG_HOST" "$PG_PORT"
  fi
}

# Newest installed cluster version, from /etc/postgresql/<version>/ (empty if none).
pg_cluster_version() {
  [[ -d /etc/postgresql ]] || return 0
  find /etc/postgresql -mindepth 1 -maxdepth 1 -type d -printf '%f\n' | sort -V | tail -n1
}

# Debian's package creates the cluster with password auth on TCP; development
# and tests connect as postgres without a password, as on the project's machines.
pg_trust_loopback() {
  local version=$1 hba
  hba="/etc/postgresql/$version/main/pg_hba.conf"
  if ! grep -qE '^host\s+all\s+all\s+127\.0\.0\.1/32\s+trust' "$hba"; then
    sed -i '1i host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust' "$hba"
  fi
}

pg_install() {
  is_root || die "PostgreSQL is not installed and installing it needs root: run 'sudo apt-get install -y postgresql'."
  say "PostgreSQL is not installed; installing it from Debian packages"
  local log="$RUN_DIR/postgres-install.log"
  if ! { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql; } >"$log" 2>&1; then
    die "could not install PostgreSQL with apt-get; see $log"
  fi
  local version
  version=$(pg_cluster_version)
  pg_trust_loopback "$version"
  # The package may already have started the cluster: make it reread pg_hba.conf.
  pg_ctlcluster --skip-systemctl-redirect "$version" main reload >>"$log" 2>&1 || true
}

pg_ensure_running() {
  pg_answers && return 0
  if [[ -z $(pg_cluster_version) ]]; then
    pg_install
  fi
  local version
  version=$(pg_cluster_version)
  say "starting the installed PostgreSQL $version cluster"
  local log="$RUN_DIR/postgres-start.log"
  pg_ctlcluster --skip-systemctl-redirect "$version" main start >"$log" 2>&1 || true
  wait_for 60 "PostgreSQL accepting connections on $PG_HOST:$PG_PORT" \
    "$log and /var/log/postgresql/postgresql-$version-main.log" pg_answers
}

pg_ensure_databases() {
  require_cmd psql "install the PostgreSQL client (apt-get install -y postgresql-client)"
  local db exists output
  for db in "${PG_DATABASES[@]}"; do
    if ! exists=$(pg_database_exists "$db"); then
      die "cannot connect to PostgreSQL as '$PG_USER' without a password on $PG_HOST:$PG_PORT ($exists); allow 'trust' for 127.0.0.1 in pg_hba.conf."
    fi
    [[ $exists == 1 ]] && continue
    say "creating database $db"
    # A concurrent creator may win the race: what matters is that it exists after.
    output=$(psql -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d postgres -w -qc "create database $db" 2>&1) || true
    [[ $(pg_database_exists "$db") == 1 ]] || die "could not create database $db: $output"
  done
}

# Prints 1 if the database exists (nothing if not); fails if PostgreSQL refuses us.
pg_database_exists() {
  psql -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d postgres -w -Atc \
    "select 1 from pg_database where datname = '$1'" 2>&1
}

pg_up() {
  pg_ensure_running
  pg_ensure_databases
}

pg_status_line() {
  if pg_answers; then
    printf '%-14s up    postgres://%s@%s:%s/{%s}\n' postgres "$PG_USER" "$PG_HOST" "$PG_PORT" "$(IFS=,; echo "${PG_DATABASES[*]}")"
  else
    printf '%-14s down  %s:%s\n' postgres "$PG_HOST" "$PG_PORT"
    return 1
  fi
}

# ---------------------------------------------------------------------------
# Kafka (KRaft, one node that is both broker and controller)
# ---------------------------------------------------------------------------

# Maven resolves kafka_2.13 and its runtime dependencies for us; kafka-tools adds
# TopicCommand and the console consumer used by the readiness check.
kafka_fetch() {
  [[ -f $KAFKA_LIBS/.complete ]] && return 0
  say "fetching Kafka $KAFKA_VERSION jars from Maven Central"
  local work="$CACHE_DIR/kafka-$KAFKA_VERSION"
  mkdir -p "$work"
  cat >"$work/pom.xml" <<EOF
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <!-- Throwaway pom written by scripts/infra/infra.sh to fetch the broker's jars. -->
  <groupId>local.continuum.infra</groupId>
  <artifactId>kafka-runtime</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>$KAFKA_VERSION</version></dependency>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka-tools</artifactId><version>$KAFKA_VERSION</version></dependency>
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-reload4j</artifactId><version>1.7.36</version></dependency>
  </dependencies>
</project>
EOF
  # Copy into a fresh folder and rename at the end, so an interrupted fetch is
  # simply redone next time instead of leaving half a classpath.
  rm -rf "$KAFKA_LIBS.partial"
  mvn_fetch "Kafka $KAFKA_VERSION" "$work/fetch.log" -f "$work/pom.xml" \
    dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$KAFKA_LIBS.partial"
  touch "$KAFKA_LIBS.partial/.complete"
  rm -rf "$KAFKA_LIBS"
  mv "$KAFKA_LIBS.partial" "$KAFKA_LIBS"
}

# Runs one of Kafka's command-line classes with a small heap; bounded so a broker
# that accepts connections but never answers cannot hang us.
kafka_tool() {
  local limit=$1
  shift
  timeout "$limit" "$JAVA_HOME_RESOLVED/bin/java" -Xmx256m -XX:TieredStopAtLevel=1 \
    -Dlog4j.configuration="file:$KAFKA_DIR/tools-log4j.properties" \
    -cp "$KAFKA_LIBS/*" "$@"
}

# Written on every start so that edits here take effect without wiping data.
kafka_write_config() {
  cat >"$KAFKA_DIR/server.properties" <<EOF
# Written by scripts/infra/infra.sh on every start; edit the script, not this file.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@$KAFKA_HOST:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://$KAFKA_HOST:$KAFKA_PORT,CONTROLLER://$KAFKA_HOST:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://$KAFKA_HOST:$KAFKA_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$KAFKA_DATA
num.partitions=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
# Topics are created explicitly from libs/messaging/src/topics.json, so a typo in
# a topic name fails loudly instead of creating a stray topic.
auto.create.topics.enable=false
# The default 128 MB compaction buffer is a quarter of our 512 MB heap.
log.cleaner.dedupe.buffer.size=33554432
EOF
  cat >"$KAFKA_DIR/log4j.properties" <<EOF
log4j.rootLogger=INFO, file
log4j.appender.file=org.apache.log4j.RollingFileAppender
log4j.appender.file.File=$KAFKA_LOGS/server.log
log4j.appender.file.MaxFileSize=20MB
log4j.appender.file.MaxBackupIndex=3
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.request.logger=WARN
log4j.logger.state.change.logger=WARN
EOF
  cat >"$KAFKA_DIR/tools-log4j.properties" <<EOF
log4j.rootLogger=WARN, stderr
log4j.appender.stderr=org.apache.log4j.ConsoleAppender
log4j.appender.stderr.Target=System.err
log4j.appender.stderr.layout=org.apache.log4j.PatternLayout
log4j.appender.stderr.layout.ConversionPattern=[%d] %p %m (%c)%n
EOF
}

# KRaft storage is formatted once; meta.properties marks a formatted log dir.
kafka_format() {
  [[ -f $KAFKA_DATA/meta.properties ]] && return 0
  say "formatting Kafka storage in $KAFKA_DATA"
  local uuid
  uuid=$(kafka_tool 60 kafka.tools.StorageTool random-uuid 2>>"$KAFKA_CONSOLE_LOG")
  kafka_tool 60 kafka.tools.StorageTool format --ignore-formatted -t "$uuid" \
    -c "$KAFKA_DIR/server.properties" >>"$KAFKA_CONSOLE_LOG" 2>&1 ||
    die "formatting Kafka storage failed; see $KAFKA_CONSOLE_LOG"
}

kafka_pid() { live_pid "$KAFKA_PID_FILE" 'kafka.Kafka'; }

# Metadata answers: the real readiness check, beyond an open port.
kafka_list_topics() {
  kafka_tool 60 org.apache.kafka.tools.TopicCommand --bootstrap-server "$KAFKA_HOST:$KAFKA_PORT" --list 2>>"$KAFKA_CONSOLE_LOG"
}

# The topic list seen by the last successful metadata check, so that the steps
# after it do not pay for another JVM start (2-3 s each on this machine).
KAFKA_TOPICS_SEEN=""
KAFKA_TOPICS_KNOWN=false

kafka_metadata_answers() {
  KAFKA_TOPICS_SEEN=$(kafka_list_topics) || return 1
  KAFKA_TOPICS_KNOWN=true
}

kafka_start_process() {
  say "starting Kafka $KAFKA_VERSION (log: $KAFKA_LOGS/server.log)"
  : >"$KAFKA_CONSOLE_LOG"
  # setsid + nohup: the broker must outlive this script and the terminal or CI
  # step that ran it. KAFKA_HEAP is split into two JVM flags on purpose.
  # shellcheck disable=SC2086
  setsid nohup "$JAVA_HOME_RESOLVED/bin/java" $KAFKA_HEAP -XX:+UseG1GC \
    -Dkafka.logs.dir="$KAFKA_LOGS" -Dlog4j.configuration="file:$KAFKA_DIR/log4j.properties" \
    -cp "$KAFKA_LIBS/*" kafka.Kafka "$KAFKA_DIR/server.properties" \
    >>"$KAFKA_CONSOLE_LOG" 2>&1 </dev/null 9>&- &
  echo $! >"$KAFKA_PID_FILE"
}

kafka_alive_and_listening() {
  kafka_pid >/dev/null || die "Kafka exited during startup; see $KAFKA_CONSOLE_LOG and $KAFKA_LOGS/server.log"
  port_open "$KAFKA_HOST" "$KAFKA_PORT"
}

# One message in and out through a consumer group (continuum-infra-readiness):
# proves produce and consume work and leaves the group coordinator
# (__consumer_offsets) loaded before the apps connect.
kafka_round_trip() {
  if ! grep -qxF -- "$KAFKA_READINESS_TOPIC" <<<"$KAFKA_TOPICS_SEEN"; then
    kafka_tool 60 org.apache.kafka.tools.TopicCommand --bootstrap-server "$KAFKA_HOST:$KAFKA_PORT" \
      --create --if-not-exists --topic "$KAFKA_READINESS_TOPIC" --partitions 1 --replication-factor 1 \
      >>"$KAFKA_CONSOLE_LOG" 2>&1 || return 1
  fi
  # --sync makes a failed send a non-zero exit instead of a logged error.
  printf 'ready-%s\n' "$(date +%s)" | kafka_tool 60 kafka.tools.ConsoleProducer --sync \
    --bootstrap-server "$KAFKA_HOST:$KAFKA_PORT" --topic "$KAFKA_READINESS_TOPIC" \
    >>"$KAFKA_CONSOLE_LOG" 2>&1 || return 1
  # One message through the group: usually the one just sent; an older one left
  # unconsumed by an interrupted run proves the same thing.
  kafka_tool 90 org.apache.kafka.tools.consumer.ConsoleConsumer \
    --bootstrap-server "$KAFKA_HOST:$KAFKA_PORT" --topic "$KAFKA_READINESS_TOPIC" \
    --group continuum-infra-readiness --from-beginning --timeout-ms 60000 --max-messages 1 \
    2>>"$KAFKA_CONSOLE_LOG" | grep -q '^ready-'
}

# "name partitions [key=value ...]" per line from topics.json (an object of entries or an array;
# each entry has name, partitions and optional topic-level config such as max.message.bytes).
topic_specs() {
  require_cmd node "install Node.js 20 (the project's runtime)"
  node -p "const t = require(process.argv[1]); (Array.isArray(t) ? t : Object.values(t)).map((e) => [e.name, e.partitions, ...Object.entries(e.config || {}).map(([k, v]) => k + '=' + v)].join(' ')).join('\n')" "$TOPICS_JSON"
}

# Creates the topics that are missing; existing ones are left as they are.
kafka_create_topics() {
  local name partitions settings setting created=()
  local -a config_args
  if [[ $KAFKA_TOPICS_KNOWN != true ]]; then
    kafka_metadata_answers || die "Kafka does not answer metadata requests on $KAFKA_HOST:$KAFKA_PORT; see $KAFKA_CONSOLE_LOG"
  fi
  while read -r name partitions settings; do
    [[ -n $name ]] || continue
    grep -qxF -- "$name" <<<"$KAFKA_TOPICS_SEEN" && continue
    config_args=()
    for setting in $settings; do config_args+=(--config "$setting"); done
    kafka_tool 60 org.apache.kafka.tools.TopicCommand --bootstrap-server "$KAFKA_HOST:$KAFKA_PORT" \
      --create --if-not-exists --topic "$name" --partitions "$partitions" --replication-factor 1 "${config_args[@]}" \
      >>"$KAFKA_CONSOLE_LOG" 2>&1 || die "creating Kafka topic $name failed; see $KAFKA_CONSOLE_LOG"
    created+=("$name")
  done < <(topic_specs)
  if ((${#created[@]} > 0)); then
    say "created Kafka topics: ${created[*]}"
  fi
}

kafka_start() {
  prepare_run_dir
  if kafka_pid >/dev/null; then
    # Ours and alive; it may still be starting (an interrupted `up`), so wait for
    # it the same bounded way. Both checks pass at once on a running broker.
    resolve_java
    kafka_fetch
    kafka_write_config
    wait_for "$KAFKA_START_TIMEOUT" "Kafka listening on $KAFKA_HOST:$KAFKA_PORT" "$KAFKA_LOGS/server.log" kafka_alive_and_listening
    wait_for "$KAFKA_START_TIMEOUT" "Kafka answering metadata requests" "$KAFKA_CONSOLE_LOG" kafka_metadata_answers
    return 0
  fi
  if port_open "$KAFKA_HOST" "$KAFKA_PORT"; then
    # Not ours (no live pid file): use it if it speaks Kafka, refuse otherwise.
    resolve_java
    kafka_fetch
    kafka_write_config
    kafka_metadata_answers ||
      die "port $KAFKA_PORT is taken by $(describe_port_owner "$KAFKA_PORT"), which does not answer as Kafka; stop it or free the port."
    say "using the Kafka already listening on $KAFKA_HOST:$KAFKA_PORT (not started by this script)"
    return 0
  fi
  resolve_java
  kafka_fetch
  kafka_write_config
  kafka_format
  kafka_start_process
  wait_for "$KAFKA_START_TIMEOUT" "Kafka listening on $KAFKA_HOST:$KAFKA_PORT" "$KAFKA_LOGS/server.log" kafka_alive_and_listening
  wait_for "$KAFKA_START_TIMEOUT" "Kafka answering metadata requests" "$KAFKA_CONSOLE_LOG" kafka_metadata_answers
  say "Kafka is up; checking a produce/consume round trip"
  wait_for "$KAFKA_START_TIMEOUT" "a Kafka produce/consume round trip" "$KAFKA_CONSOLE_LOG" kafka_round_trip
}

kafka_up() {
  kafka_start
  resolve_java
  kafka_fetch
  kafka_write_config
  kafka_create_topics
}

kafka_stop() {
  local pid
  if pid=$(kafka_pid); then
    say "stopping Kafka (pid $pid)"
    stop_pid kafka "$pid"
    rm -f "$KAFKA_PID_FILE"
  elif port_open "$KAFKA_HOST" "$KAFKA_PORT"; then
    say "Kafka on $KAFKA_HOST:$KAFKA_PORT was not started by this script (no live pid file in $KAFKA_DIR); leaving it alone"
  fi
}

kafka_status_line() {
  if port_open "$KAFKA_HOST" "$KAFKA_PORT"; then
    printf '%-14s up    %s:%s\n' kafka "$KAFKA_HOST" "$KAFKA_PORT"
  else
    printf '%-14s down  %s:%s\n' kafka "$KAFKA_HOST" "$KAFKA_PORT"
    return 1
  fi
}

# ---------------------------------------------------------------------------
# Elasticsearch
# ---------------------------------------------------------------------------

# Elasticsearch refuses to run as root; as root we run it as a dedicated system
# user, otherwise as whoever runs this script.
es_user() { if is_root; then echo "$ES_USER"; else id -un; fi; }

as_es_user() {
  if is_root; then
    runuser -u "$ES_USER" -- "$@"
  else
    "$@"
  fi
}

es_ensure_user() {
  is_root || return 0
  id -u "$ES_USER" >/dev/null 2>&1 && return 0
  say "creating system user $ES_USER to run Elasticsearch (it refuses to run as root)"
  useradd --system --user-group --no-create-home --home-dir /nonexistent \
    --shell /usr/sbin/nologin "$ES_USER" ||
    id -u "$ES_USER" >/dev/null 2>&1 || die "could not create the system user $ES_USER with useradd."
}

es_fetch() {
  [[ -f $ES_ZIP ]] && return 0
  say "fetching Elasticsearch $ES_VERSION (about 98 MB) from Maven Central"
  mvn_fetch "Elasticsearch $ES_VERSION" "$CACHE_DIR/elasticsearch-fetch.log" \
    dependency:get -Dartifact="$ES_ARTIFACT" -Dtransitive=false
  [[ -f $ES_ZIP ]] || die "Maven reported success but $ES_ZIP is missing; see $CACHE_DIR/elasticsearch-fetch.log"
}

# Unpacked into the run dir, not the cache: the cache usually lives under /root,
# which the Elasticsearch user cannot enter.
es_install() {
  if [[ ! -f $ES_HOME/.complete ]]; then
    require_cmd unzip "install unzip (apt-get install -y unzip)"
    say "unpacking Elasticsearch into $ES_DIR"
    rm -rf "$ES_HOME" "$ES_DIR/unpack.partial"
    mkdir -p "$ES_DIR/unpack.partial"
    unzip -q "$ES_ZIP" -d "$ES_DIR/unpack.partial" || die "could not unpack $ES_ZIP (disk full?)"
    mv "$ES_DIR/unpack.partial/elasticsearch-$ES_VERSION" "$ES_HOME"
    rm -rf "$ES_DIR/unpack.partial"
    touch "$ES_HOME/.complete"
  fi
  mkdir -p "$ES_DATA" "$ES_LOGS" "$ES_TMP" "$ES_PID_DIR"
  local owner
  owner=$(es_user)
  # Recursive chown only when needed (first install, or a previous run as another user).
  if [[ $(stat -c %U "$ES_HOME/config") != "$owner" || $(stat -c %U "$ES_DATA") != "$owner" ]]; then
    chown -R "$owner:" "$ES_DIR"
  fi
  chown "$owner:" "$ES_DATA" "$ES_LOGS" "$ES_TMP" "$ES_PID_DIR"
  as_es_user test -x "$ES_HOME/bin/elasticsearch" ||
    die "user $owner cannot reach $ES_HOME (a parent folder is private); set CONTINUUM_RUN_DIR to a path such as /var/tmp/continuum."
}

# Written on every start; the settings from INFRA-NOTES: one node, loopback only
# (which also keeps development mode, so vm.max_map_count checks do not apply),
# security off (nothing but this machine can reach it), and no disk watermarks
# so a nearly full development disk does not block shard allocation.
es_write_config() {
  as_es_user tee "$ES_HOME/config/elasticsearch.yml" >/dev/null <<EOF
# Written by scripts/infra/infra.sh on every start; edit the script, not this file.
cluster.name: $ES_CLUSTER_NAME
node.name: continuum-es
discovery.type: single-node
network.host: $ES_HOST
http.port: $ES_PORT
path.data: $ES_DATA
path.logs: $ES_LOGS
xpack.security.enabled: false
cluster.routing.allocation.disk.threshold_enabled: false
EOF
}

es_pid() { live_pid "$ES_PID_FILE" 'org.elasticsearch'; }

es_healthy() {
  curl -fsS --max-time 65 "$ES_URL/_cluster/health?wait_for_status=yellow&timeout=60s" >/dev/null 2>&1
}

es_start_process() {
  say "starting Elasticsearch $ES_VERSION (log: $ES_SERVER_LOG)"
  local -a launch=(
    # setsid --wait: the node gets a session of its own, so it outlives the
    # terminal or CI step that started it, while we still wait for the launcher.
    setsid --wait
    env ES_JAVA_HOME="$JAVA_HOME_RESOLVED" ES_PATH_CONF="$ES_HOME/config" ES_TMPDIR="$ES_TMP"
    ES_JAVA_OPTS="-Xms512m -Xmx512m"
    # -d: the launcher returns once the node has started and leaves no second
    # JVM behind; the timeout keeps a stuck start from hanging us.
    timeout "$ES_START_TIMEOUT" bin/elasticsearch -d -p "$ES_PID_FILE"
  )
  # A raised open-files limit (where allowed) silences a bootstrap warning and
  # leaves room for many small test indices.
  if ! (cd "$ES_HOME" && { ulimit -n 65535 2>/dev/null || true; } && as_es_user "${launch[@]}") \
    >"$ES_STARTUP_LOG" 2>&1 </dev/null 9>&-; then
    local pid
    if pid=$(es_pid); then stop_pid elasticsearch "$pid"; fi
    die "Elasticsearch did not start (it failed, or took over ${ES_START_TIMEOUT}s); see $ES_STARTUP_LOG and $ES_SERVER_LOG"
  fi
}

es_start() {
  if es_pid >/dev/null; then
    return 0
  fi
  if port_open "$ES_HOST" "$ES_PORT"; then
    es_healthy ||
      die "port $ES_PORT is taken by $(describe_port_owner "$ES_PORT"), which does not answer as Elasticsearch; stop it or free the port."
    say "using the Elasticsearch already listening on $ES_URL (not started by this script)"
    return 0
  fi
  require_cmd curl "install curl (apt-get install -y curl)"
  resolve_java
  prepare_run_dir
  es_fetch
  es_ensure_user
  es_install
  es_write_config
  es_start_process
}

es_up() {
  require_cmd curl "install curl (apt-get install -y curl)"
  es_start
  wait_for "$ES_START_TIMEOUT" "Elasticsearch cluster health reaching yellow" "$ES_SERVER_LOG" es_healthy
}

es_stop() {
  local pid
  if pid=$(es_pid); then
    say "stopping Elasticsearch (pid $pid)"
    stop_pid elasticsearch "$pid"
    rm -f "$ES_PID_FILE"
  elif port_open "$ES_HOST" "$ES_PORT"; then
    say "Elasticsearch on $ES_URL was not started by this script (no live pid file in $ES_PID_DIR); leaving it alone"
  fi
}

es_status_line() {
  local health
  if health=$(curl -fsS --max-time 5 "$ES_URL/_cluster/health" 2>/dev/null); then
    local colour
    colour=$(sed -n 's/.*"status":"\([a-z]*\)".*/\1/p' <<<"$health")
    printf '%-14s up    %s (status %s)\n' elasticsearch "$ES_URL" "${colour:-unknown}"
  else
    printf '%-14s down  %s\n' elasticsearch "$ES_URL"
    return 1
  fi
}

# ---------------------------------------------------------------------------
# Commands
# ---------------------------------------------------------------------------

# Starts Kafka and Elasticsearch side by side: their JVM start-ups and waits
# overlap, which shortens an `up` that has to start both. Each runs in its own subshell so that
# a `die` in one is reported and turns the whole `up` into a failure.
cmd_up() {
  take_lock
  prepare_run_dir
  pg_up
  resolve_java
  # Fetch one after the other: two Mavens writing one local repository at the
  # same time can corrupt it. Both are no-ops once cached.
  kafka_fetch
  es_fetch
  # Both in background subshells: `set -e` stays in force inside them (it would
  # not inside a function called as `f || ...`).
  local es_job kafka_job kafka_status=0 es_status=0
  es_up &
  es_job=$!
  kafka_up &
  kafka_job=$!
  wait "$kafka_job" || kafka_status=$?
  wait "$es_job" || es_status=$?
  ((kafka_status == 0 && es_status == 0)) || exit 1
  pg_status_line
  printf '%-14s up    %s:%s (Kafka %s, KRaft; topics: %s)\n' kafka "$KAFKA_HOST" "$KAFKA_PORT" \
    "$KAFKA_VERSION" "$(topic_specs | cut -d' ' -f1 | paste -sd, -)"
  es_status_line
}

cmd_down() {
  take_lock
  kafka_stop
  es_stop
  say "PostgreSQL left running: it is the machine's shared server"
  cmd_status || true
}

cmd_status() {
  local failed=0
  pg_status_line || failed=1
  kafka_status_line || failed=1
  es_status_line || failed=1
  return "$failed"
}

cmd_start_service() {
  take_lock
  case ${1:-} in
    # Not `kafka_up && ...`: that would switch `set -e` off inside kafka_up.
    kafka)
      kafka_up
      kafka_status_line
      ;;
    elasticsearch)
      es_up
      es_status_line
      ;;
    *) usage ;;
  esac
}

cmd_stop_service() {
  take_lock
  case ${1:-} in
    kafka) kafka_stop ;;
    elasticsearch) es_stop ;;
    *) usage ;;
  esac
}

usage() {
  cat >&2 <<EOF
usage: $(basename "$0") up | down | status
       $(basename "$0") start-service kafka|elasticsearch
       $(basename "$0") stop-service kafka|elasticsearch
EOF
  exit 2
}

main() {
  case ${1:-} in
    up) cmd_up ;;
    down) cmd_down ;;
    status) cmd_status ;;
    start-service) cmd_start_service "${2:-}" ;;
    stop-service) cmd_stop_service "${2:-}" ;;
    *) usage ;;
  esac
}

main "$@"
