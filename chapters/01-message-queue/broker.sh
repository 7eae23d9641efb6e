#!/bin/bash
# broker.sh: a private RabbitMQ node for this checkout of the course.
#
#   broker.sh start|stop|running BUILD_DIR
#
# start    starts Debian's rabbitmq-server as a node of our own (not the
#          system's rabbit@host, not port 5672): its own node name, free AMQP,
#          distribution and epmd ports, data and logs under BUILD_DIR/broker/;
#          returns once it accepts AMQP connections and writes its URL to
#          BUILD_DIR/broker/url. Does nothing if the node is already up.
# stop     stops it and everything it started (epmd included).
# running  exits 0 if it is up, or if AMQP_URL is set (then the user's broker
#          is used and nothing is ever started).
# ctl ARGS runs rabbitmqctl ARGS against the node, for example
#          'broker.sh ctl build list_queues name messages consumers'.
#
# Exit status: 0 done, 1 failure (the reason and the log's tail on stderr),
# 2 usage.
set -u

usage() { echo "usage: broker.sh start|stop|running BUILD_DIR | broker.sh ctl BUILD_DIR ARGS..." >&2; exit 2; }
[ $# -ge 2 ] || usage
cmd=$1
dir=$(mkdir -p "$2/broker" && cd "$2/broker" && pwd) || exit 1
shift 2
[ "$cmd" = ctl ] || [ $# -eq 0 ] || usage
state=$dir/state          # the running node's pid and ports, shell syntax
erl_dir=/usr/lib/rabbitmq/bin

say() { echo "broker: $*"; }
fail() { echo "broker: $*" >&2; exit 1; }

# One node name per checkout, so two checkouts on one machine never meet.
node="ipclabs-$(printf %s "$dir" | cksum | cut -d' ' -f1)@localhost"

# A port nobody listens on now: the kernel picks it when we bind port 0.
free_port() {
    /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Non-zero unless something accepts TCP connections on 127.0.0.1:$1.
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Non-zero unless $server_pid is our rabbitmq-server. After a reboot the
# state file may name a pid that now belongs to some other process.
ours() {
    tr '\0' '\n' < "/proc/$server_pid/environ" 2>/dev/null | grep -qxF "RABBITMQ_NODENAME=$node"
}

is_up() {
    [ -f "$state" ] || return 1
    # shellcheck disable=SC1090
    . "$state"
    ours && port_open "$amqp_port"
}

# Kills whatever is left of a node described by $state, gently first.
stop_node() {
    [ -f "$state" ] || return 0
    . "$state"
    if ours; then
        # SIGTERM makes rabbitmq-server stop the node cleanly (it saves its state).
        kill -TERM "$server_pid"
        for _ in $(seq 1 300); do
            kill -0 "$server_pid" 2>/dev/null || break
            sleep 0.1
        done
        # The server ran in its own session: anything left in it goes now.
        pkill -KILL -s "$server_pid" 2>/dev/null
    fi
    # epmd detached itself from that session; it is ours alone (its own port).
    ERL_EPMD_PORT=$epmd_port epmd -kill >/dev/null 2>&1
    local pid
    pid=$(ss -Htlnp "sport = :$epmd_port" 2>/dev/null | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2)
    [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = epmd ] && kill -KILL "$pid" 2>/dev/null
    rm -f "$state" "$dir/url"
}

# rabbitmqctl finds the node through our epmd and proves itself with the
# node's cookie, which it reads from $HOME/.erlang.cookie. (Debian's
# /usr/sbin/rabbitmqctl would switch to the system's HOME: call the real one.)
ctl() {
    . "$state"
    HOME="$dir/home" ERL_EPMD_PORT="$epmd_port" RABBITMQ_CONF_ENV_FILE="$dir/rabbitmq-env.conf" \
        "$erl_dir/rabbitmqctl" -q -n "$node" "$@"
}

explain_failure() {
    local log=$dir/log/startup.log
    echo "broker: rabbitmq-server did not start; last lines of $log:" >&2
    tail -n 12 "$log" 2>/dev/null | cut -c 1-300 >&2
    local why="see the log above and $dir/log/"
    if grep -q 'eaddrinuse' "$dir"/log/* 2>/dev/null; then
        why="a port it wanted was taken just after we picked it: run 'make broker-start' again"
    elif grep -qi 'eacces\|permission denied' "$dir"/log/* 2>/dev/null; then
        why="the rabbitmq user cannot write to $dir or reach it (check the directories' permissions)"
    elif grep -qi 'cookie' "$dir"/log/* 2>/dev/null; then
        why="a problem with the Erlang cookie in $dir/home"
    elif grep -qi 'insufficient disk\|disk_free' "$dir"/log/* 2>/dev/null; then
        why="not enough free disk space"
    fi
    echo "broker: likely cause: $why" >&2
}

start_node() {
    command -v "$erl_dir/rabbitmq-server" >/dev/null ||
        fail "rabbitmq-server is not installed: run 'make deps' (Debian package rabbitmq-server)"
    stop_node   # leftovers of a node that died

    local amqp_port dist_port epmd_port
    amqp_port=$(free_port) && dist_port=$(free_port) && epmd_port=$(free_port) ||
        fail "cannot pick free ports (is /usr/bin/python3 installed?)"

    rm -rf "$dir/mnesia" "$dir/log" "$dir/home"
    mkdir -p "$dir/mnesia" "$dir/log" "$dir/home" || exit 1
    : > "$dir/enabled_plugins"   # no plugins: no management web UI, a quick start
    : > "$dir/rabbitmq-env.conf" # not /etc/rabbitmq's: this node is configured here only
    # The Erlang cookie lets rabbitmqctl talk to the node; it must be private.
    head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$dir/home/.erlang.cookie"
    chmod 400 "$dir/home/.erlang.cookie"

    # Run as the rabbitmq user when we are root, as rabbitmq-server expects.
    local as=()
    if [ "$(id -u)" = 0 ]; then
        id rabbitmq >/dev/null 2>&1 || fail "no 'rabbitmq' user: is rabbitmq-server installed?"
        chown -R rabbitmq:rabbitmq "$dir/mnesia" "$dir/log" "$dir/home" "$dir/enabled_plugins" \
            "$dir/rabbitmq-env.conf"
        as=(setpriv --reuid=rabbitmq --regid=rabbitmq --init-groups)
        # Say so now, rather than through an Erlang crash report later.
        "${as[@]}" test -w "$dir/mnesia" -a -r "$dir/home/.erlang.cookie" ||
            fail "the rabbitmq user cannot reach $dir (a parent directory is closed to other users?); \
move the checkout, or set AMQP_URL to use another broker"
    fi

    cd "$dir" || exit 1
    setsid "${as[@]}" env HOME="$dir/home" \
        RABBITMQ_NODENAME="$node" \
        RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 \
        RABBITMQ_NODE_PORT="$amqp_port" \
        RABBITMQ_DIST_PORT="$dist_port" \
        ERL_EPMD_PORT="$epmd_port" \
        RABBITMQ_CONF_ENV_FILE="$dir/rabbitmq-env.conf" \
        RABBITMQ_CONFIG_FILE="$dir/rabbitmq" \
        RABBITMQ_ADVANCED_CONFIG_FILE="$dir/advanced.config" \
        RABBITMQ_MNESIA_BASE="$dir/mnesia" \
        RABBITMQ_LOG_BASE="$dir/log" \
        RABBITMQ_ENABLED_PLUGINS_FILE="$dir/enabled_plugins" \
        ERL_CRASH_DUMP="$dir/log/erl_crash.dump" \
        "$erl_dir/rabbitmq-server" > "$dir/log/startup.log" 2>&1 < /dev/null &
    local server_pid=$!
    # (Not the node's name: that follows from the directory, see above.)
    printf 'server_pid=%s\namqp_port=%s\ndist_port=%s\nepmd_port=%s\n' \
        "$server_pid" "$amqp_port" "$dist_port" "$epmd_port" > "$state"

    say "starting $node on port $amqp_port (data and logs in $dir)"
    # Ready when our node says so in its own log: something else answering
    # on the port would not be our broker.
    local ready="Server startup complete"
    for _ in $(seq 1 600); do
        grep -qs "$ready" "$dir/log/$node.log" && break
        if ! kill -0 "$server_pid" 2>/dev/null; then
            # A port we picked was taken in the meantime: pick again, once.
            if [ -z "${retried:-}" ] && grep -q 'eaddrinuse' "$dir"/log/* 2>/dev/null; then
                say "a port was taken meanwhile; trying other ports"
                stop_node
                retried=1 start_node
                return
            fi
            explain_failure
            stop_node
            exit 1
        fi
        sleep 0.1
    done
    if ! grep -qs "$ready" "$dir/log/$node.log" || ! port_open "$amqp_port"; then
        echo "broker: not ready after 60 s" >&2
        explain_failure
        stop_node
        exit 1
    fi
    # Queues the tests create are named ipclabs-test-*: should a failing test
    # leave one behind, the broker deletes it after a minute unused.
    ctl set_policy ipclabs-test-expiry '^ipclabs-test-' '{"expires":60000}' --apply-to queues >/dev/null ||
        echo "broker: warning: could not set the expiry policy for test queues" >&2
    # 'guest' may log in only from localhost, which is where this node listens.
    local url="amqp://guest:guest@127.0.0.1:$amqp_port/"
    printf '%s\n' "$url" > "$dir/url.tmp" && chmod 644 "$dir/url.tmp" && mv "$dir/url.tmp" "$dir/url"
    chmod 755 "$dir"   # tests may run as another uid and must read the URL
    say "up: $url (in $dir/url)"
}

case $cmd in
running)
    [ -n "${AMQP_URL:-}" ] && exit 0
    is_up ;;
start)
    if [ -n "${AMQP_URL:-}" ]; then say "AMQP_URL is set: using $AMQP_URL, starting nothing"; exit 0; fi
    if is_up; then say "already up: $(cat "$dir/url")"; exit 0; fi
    start_node ;;
stop)
    if [ -n "${AMQP_URL:-}" ] && [ ! -f "$state" ]; then exit 0; fi
    [ -f "$state" ] && say "stopping $node"
    stop_node ;;
ctl)
    is_up || fail "the private node is not running: 'make broker-start' first"
    ctl "$@" ;;
*) usage ;;
esac
