#!/usr/bin/env bash
# The command of docker-compose.yml's kafka (image apache/kafka): Baton's broker as ./baton and the tests run it
# (local-infra's EmbeddedKafka). Clients sign in with SASL/SCRAM-SHA-512; the controller listener takes SASL/PLAIN
# and the admin alone; the StandardAuthorizer denies what no ACL allows. The passwords come from compose/kafka.env
# (compose/make-secrets), as BATON_KAFKA_PASSWORD_<USER>.
#
#  1. writes the broker's JAAS file (KAFKA_OPTS points the broker at it) and the admin's client settings, which the
#     healthcheck uses too;
#  2. formats the storage with every user's SCRAM credentials, unless it is formatted already: the image's own
#     start formats it without any, and SCRAM users cannot sign in to make the first of them;
#  3. starts the broker through the image's own entrypoint (/etc/kafka/docker/run: server.properties from the
#     KAFKA_* variables; its format step finds the storage formatted and goes on);
#  4. adds the ACLs (again on every start: adding an existing one changes nothing), waits until the broker
#     enforces them and marks the broker ready for the healthcheck.
set -euo pipefail

# where the image keeps Kafka and its entrypoint; other values only to try this script outside the image
kafka_home=${BATON_BROKER_HOME:-/opt/kafka}
image_run=${BATON_BROKER_RUN:-/etc/kafka/docker/run}
bootstrap=${BATON_BROKER_BOOTSTRAP:-localhost:9092}
mounted_config=${BATON_BROKER_MOUNTED_CONFIG:-/mnt/shared/config/server.properties}
conf=$kafka_home/config/baton

users="admin planner cloud db lb watcher"
services="planner cloud db lb"

password_of() {
    local name
    name=BATON_KAFKA_PASSWORD_$(printf '%s' "$1" | tr '[:lower:]' '[:upper:]')
    if [ -z "${!name:-}" ]; then
        echo "kafka-init: $name is not set: run compose/make-secrets, then docker compose up" >&2
        exit 1
    fi
    # it goes into JAAS and --add-scram text as it is
    case ${!name} in
        *[!A-Za-z0-9_.-]*)
            echo "kafka-init: $name may hold letters, digits, _ . and - only" >&2
            exit 1
            ;;
    esac
    printf '%s' "${!name}"
}

for user in $users; do
    password_of "$user" >/dev/null
done
admin_password=$(password_of admin)
: "${CLUSTER_ID:?kafka-init: CLUSTER_ID is not set}"

umask 077
mkdir -p "$conf"
rm -f "$conf/ready"

# 1. the broker signs in to itself as admin: SCRAM on the client listeners, PLAIN on the controller listener, whose
#    only user is the admin
cat >"$conf/kafka_server_jaas.conf" <<EOF
KafkaServer {
    org.apache.kafka.common.security.scram.ScramLoginModule required
    username="admin" password="$admin_password";
};
controller.KafkaServer {
    org.apache.kafka.common.security.plain.PlainLoginModule required
    username="admin" password="$admin_password" user_admin="$admin_password";
};
EOF
export KAFKA_OPTS="${KAFKA_OPTS:+$KAFKA_OPTS }-Djava.security.auth.login.config=$conf/kafka_server_jaas.conf"

cat >"$conf/admin.properties" <<EOF
security.protocol=SASL_PLAINTEXT
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="$admin_password";
EOF

# 2. the server.properties the image makes from the environment (as its KafkaDockerWrapper does: KAFKA_FOO_BAR is
#    foo.bar, ___ is -, __ is _), for the format alone
{
    if [ -f "$mounted_config" ]; then
        cat "$mounted_config"
        echo
    fi
    for var in $(compgen -e); do
        case $var in
            KAFKA_VERSION | KAFKA_HEAP_OPTS | KAFKA_LOG4J_OPTS | KAFKA_OPTS | KAFKA_JMX_OPTS | \
                KAFKA_JVM_PERFORMANCE_OPTS | KAFKA_GC_LOG_OPTS | KAFKA_LOG4J_ROOT_LOGLEVEL | KAFKA_LOG4J_LOGGERS | \
                KAFKA_TOOLS_LOG4J_LOGLEVEL | KAFKA_JMX_HOSTNAME) ;;
            KAFKA_*)
                key=$(printf '%s' "${var#KAFKA_}" | tr '[:upper:]' '[:lower:]')
                key=${key//_/.}
                key=${key//.../-}
                key=${key//../_}
                printf '%s=%s\n' "$key" "${!var}"
                ;;
        esac
    done
} >"$conf/format.properties"

# the tools below start faster so (about half the time): short runs, no need of the broker's JIT and GC
tool_jvm="-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"

scram=()
for user in $users; do
    scram+=(--add-scram "SCRAM-SHA-512=[name=$user,password=$(password_of "$user")]")
done
echo "kafka-init: formatting the storage with the SCRAM users $users, unless it is formatted"
KAFKA_JVM_PERFORMANCE_OPTS=$tool_jvm "$kafka_home/bin/kafka-storage.sh" format --config "$conf/format.properties" --cluster-id "$CLUSTER_ID" \
    --ignore-formatted "${scram[@]}"
rm -f "$conf/format.properties"

# 3. the broker, in the background: this shell stays to set the ACLs and hands a stop on to it
"$image_run" &
broker=$!
trap 'kill -TERM "$broker" 2>/dev/null || true' TERM INT

fail() {
    echo "kafka-init: $*" >&2
    kill -TERM "$broker" 2>/dev/null || true
    wait "$broker" || true
    exit 1
}

acls() {
    KAFKA_JVM_PERFORMANCE_OPTS=$tool_jvm \
        "$kafka_home/bin/kafka-acls.sh" --bootstrap-server "$bootstrap" --command-config "$conf/admin.properties" "$@"
}

echo "kafka-init: waiting for the broker at $bootstrap"
host=${bootstrap%:*}
port=${bootstrap##*:}
up=no
for _ in $(seq 1 120); do
    kill -0 "$broker" 2>/dev/null || fail "the broker stopped before it was ready"
    if (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null; then
        up=yes
        break
    fi
    sleep 1
done
[ "$up" = yes ] || fail "the broker does not listen on $bootstrap"

# 4. what each user may do: as EmbeddedKafka.setUp, every pattern a prefix
echo "kafka-init: adding the ACLs"
expected=0
add() {
    acls --add --resource-pattern-type prefixed "$@" >/dev/null || fail "cannot add the ACLs $*"
}
for service in $services; do
    # its own topics: write, create (TopicInitializer), describe
    add --allow-principal "User:$service" --operation Write --operation Create --operation Describe \
        --topic "baton.$service."
    # its consumer group
    add --allow-principal "User:$service" --operation Read --group "baton-$service"
    expected=$((expected + 4))
done
# every Baton topic: read and describe, for every service and the watcher
readers=()
for user in $services watcher; do
    readers+=(--allow-principal "User:$user")
    expected=$((expected + 2))
done
add "${readers[@]}" --operation Read --operation Describe --topic baton.
# Kafka's console consumer reads in a group: the watcher may use groups named watcher-*
add --allow-principal User:watcher --operation Read --group watcher-
expected=$((expected + 1))

# the broker's authorizer learns of new ACLs from the metadata log a moment after they are committed; it answers
# the listing, so wait until it lists them all
for _ in $(seq 1 30); do
    listed=$(acls --list 2>/dev/null | grep -c 'principal=User:' || true)
    if [ "$listed" -ge "$expected" ]; then
        break
    fi
    sleep 1
done
[ "$listed" -ge "$expected" ] || fail "the broker lists $listed ACLs, not $expected"

touch "$conf/ready"
echo "kafka-init: ready, $listed ACLs"
# a stop interrupts the wait (the trap passes it on): wait again, until the broker is gone
while :; do
    status=0
    wait "$broker" || status=$?
    kill -0 "$broker" 2>/dev/null || exit "$status"
done
