#!/bin/bash
# broker.sh: a private RabbitMQ node for this checkout of the course.
#
#   broker.sh start|stop|running BUILD_DIR
#
# start    starts Debian's rabbitmq-server as a node of our own (not the
#          system's rabbit@host, not port 5672): its own node name, free AMQP,
#          distribution and epmd ports; returns once it accepts AMQP
#          connections and writes its URL to BUILD_DIR/broker/url. Does
#          nothing if the node is already up.
# stop     stops it and everything it started (epmd included).
# running  exits 0 if it is up, or if AMQP_URL is set (then the user's broker
#          is used and nothing is ever started). Prints "adopted" if the run
#          that started it (IPC_SERVICE_OWNER, see common/run-each.sh) is gone
#          and the run asking now (its IPC_SERVICE_OWNER) takes it over.
# ctl ARGS runs rabbitmqctl ARGS against the node, for example
#          'broker.sh ctl build list_queues name messages consumers'.
#
# While the node runs, its data, logs and Erlang cookie are in a directory of
# its own under /tmp (the "run directory", named in BUILD_DIR/broker/state),
# never in the checkout: as root the node runs as the rabbitmq user, who may
# not be able to reach the checkout at all (a 0700 home such as /root). Stop
# removes that directory and keeps the node's logs in BUILD_DIR/broker/log/.
#
# Exit status: 0 done, 1 failure (the reason and the node's errors on
# stderr), 2 usage.
set -u

usage() { echo "usage: broker.sh start|stop|running BUILD_DIR | broker.sh ctl BUILD_DIR ARGS..." >&2; exit 2; }
[ $# -ge 2 ] || usage
cmd=$1
dir=$(mkdir -p "$2/broker" && cd "$2/broker" && pwd) || exit 1
shift 2
[ "$cmd" = ctl ] || [ $# -eq 0 ] || usage
state=$dir/state          # the running node's pid, ports and run directory
erl_dir=/usr/lib/rabbitmq/bin

# Once the reader of our output has gone (make grade | head -1), the rest of
# it goes nowhere, and the start or stop goes on: killed by SIGPIPE half-way,
# this script would leave a node up that nobody stops. (A trap, not "ignore":
# the node itself inherits no ignored signal.)
trap 'exec >/dev/null' PIPE
say() { echo "broker: $*" 2>/dev/null; }
fail() { echo "broker: $*" >&2; exit 1; }

# One node name per checkout, so two checkouts on one machine never meet.
id=$(printf %s "$dir" | cksum | cut -d' ' -f1)
node="ipclabs-$id@localhost"
# Run directories of this checkout are /tmp/ipclabs-broker-ID.XXXXXX: /tmp,
# not $TMPDIR, because the rabbitmq user must be able to reach it.
run_prefix=/tmp/ipclabs-broker-$id.
run_pattern="^/tmp/ipclabs-broker-$id\.[A-Za-z0-9]+\$"

# A port nobody listens on now: the kernel picks it when we bind port 0.
free_port() {
    /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Non-zero unless something accepts TCP connections on 127.0.0.1:$1.
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# ------------------------------------------------------------ the state file
# Reads $state into server_pid, amqp_port, dist_port, epmd_port, run_dir
# and owner. Read, not sourced: only those names, and a run_dir that is one
# of ours.
load_state() {
    server_pid='' amqp_port='' dist_port='' epmd_port='' run_dir='' owner=''
    [ -f "$state" ] || return 1
    local key value
    while IFS='=' read -r key value; do
        case $key in
        server_pid | amqp_port | dist_port | epmd_port) [[ $value =~ ^[0-9]+$ ]] && printf -v "$key" %s "$value" ;;
        run_dir) [[ $value =~ $run_pattern ]] && run_dir=$value ;;
        owner) [[ $value =~ ^[0-9]+:[0-9]+$ ]] && owner=$value ;;
        esac
    done < "$state"
}

# (Not the node's name: that follows from the directory, see above.)
save_state() {
    printf 'server_pid=%s\namqp_port=%s\ndist_port=%s\nepmd_port=%s\nrun_dir=%s\nowner=%s\n' \
        "$server_pid" "$amqp_port" "$dist_port" "$epmd_port" "$run_dir" "$owner" > "$state"
}

# The run that started the node, as common/run-each.sh names itself
# (pid:start time); empty when started by hand (make broker-start), which
# leaves it up until make broker-stop.
new_owner() { [[ ${IPC_SERVICE_OWNER:-} =~ ^[0-9]+:[0-9]+$ ]] && echo "$IPC_SERVICE_OWNER"; }

# Zero if $owner names a run that has ended: its pid is gone, is a zombie
# not reaped yet, or is now another process (one started at another time).
owner_gone() {
    [ -n "$owner" ] || return 1
    local stat
    read -r stat 2>/dev/null < "/proc/${owner%%:*}/stat" || return 0
    read -r -a stat <<< "${stat##*) }"
    [ "${stat[0]}" = Z ] || [ "${stat[19]}" != "${owner#*:}" ]
}

# ------------------------------------------------------------ our processes
# Every process of our node (rabbitmq-server, beam.smp, epmd, the node's
# helpers) inherits IPCLABS_BROKER=<its run directory> from its environment.
# That is how we tell them from everything else: after a reboot the pid in the
# state file may belong to another process, and an epmd on "our" port may be
# someone else's. /proc is all it needs (no ss, no pgrep on a minimal system).

# Non-zero unless pid $1 belongs to the node that runs in $run_dir.
ours() {
    [ -n "$1" ] && [ -n "$run_dir" ] && grep -qszxF "IPCLABS_BROKER=$run_dir" "/proc/$1/environ" ||
        return 1   # (not grep's 2 for a pid that is gone: 'running' exits 1, not "usage")
}

# The pids of every process of any node of this checkout: the current run's,
# and those of an earlier run whose state file is gone (make clean while it ran).
our_pids() {
    local f
    grep -lszE "^IPCLABS_BROKER=${run_pattern:1}" /proc/[0-9]*/environ | while read -r f; do
        f=${f#/proc/}
        echo "${f%/environ}"
    done
}

# Waits up to $1 tenths of a second for pid $2 to exit.
wait_exit() {
    local i
    for ((i = 0; i < $1; i++)); do
        kill -0 "$2" 2>/dev/null || return 0
        sleep 0.1
    done
    return 1
}

# Kills every process of our nodes: the server, beam.smp, epmd (which
# detached itself from the server's session), the node's helpers, a node
# whose state file is gone. SIGKILL, not a clean stop: the node's data goes
# with its run directory, and a clean stop takes 3 to 5 s that every make
# grade would wait at its end (and after Ctrl-C). Twice, for a helper
# started meanwhile.
kill_ours() {
    local pid pids
    for _ in 1 2; do
        pids=$(our_pids)
        [ -n "$pids" ] || return 0
        # shellcheck disable=SC2086
        kill -KILL $pids 2>/dev/null
        for pid in $pids; do wait_exit 20 "$pid"; done
    done
}

# Zero if $1 is a directory (not a link) that one of our nodes could have
# made: owned by us or, when we are root, by the rabbitmq user.
our_dir() {
    [ -d "$1" ] && [ ! -L "$1" ] || return 1
    local owner
    owner=$(stat -c %u "$1")
    [ "$owner" = "$(id -u)" ] && return 0
    [ "$(id -u)" = 0 ] && [ "$owner" = "$(id -u rabbitmq 2>/dev/null)" ]
}

# Removes this checkout's run directories: the current run's, and any an
# earlier run left behind (killed, or its state file gone).
remove_run_dirs() {
    local d
    for d in "$run_prefix"*; do
        if our_dir "$d"; then rm -rf "$d"; fi
    done
}

# The node's logs outlive its run directory, for whoever wants to read them.
# Not erl_crash.dump: it is large, and the logs say what went wrong.
save_logs() {
    [ -n "$run_dir" ] && [ -d "$run_dir/log" ] || return 0
    rm -rf "$dir/log" && mkdir -p "$dir/log" || return 0
    cp "$run_dir"/log/*.log "$dir/log/" 2>/dev/null
}

# Stops the node described by $state and removes everything it left:
# processes, run directory, state and URL. Once begun, it goes to the end
# (it takes a second at most): a second Ctrl-C must not leave half a node.
stop_node() {
    trap 'interrupted=1' INT TERM HUP
    load_state
    kill_ours
    save_logs
    remove_run_dirs
    rm -f "$state" "$dir/url"
    [ -z "${interrupted:-}" ] || exit 1 # whatever came next is not wanted
    trap - INT TERM HUP
}

# The node of a run that has ended is taken over by the run asking now,
# which then stops it when it ends; else it would stay up for good.
adopt_orphan() {
    local new
    new=$(new_owner) || return 0
    owner_gone || return 0
    owner=$new
    save_state && echo adopted
}

# Up: our node, listening, and started to the end (the URL is written last:
# a start that was killed half-way left a node that is not up).
is_up() {
    load_state || return 1
    ours "$server_pid" && port_open "$amqp_port" && [ -f "$dir/url" ]
}

# rabbitmqctl finds the node through our epmd and proves itself with the
# node's cookie, which it reads from $HOME/.erlang.cookie. (Debian's
# /usr/sbin/rabbitmqctl would switch to the system's HOME: call the real one.)
ctl() {
    load_state
    HOME="$run_dir/home" ERL_EPMD_PORT="$epmd_port" RABBITMQ_CONF_ENV_FILE="$run_dir/rabbitmq-env.conf" \
        "$erl_dir/rabbitmqctl" -q -n "$node" "$@"
}

# ------------------------------------------------------------ diagnosis
# Where the node says why it did not boot: its standard output (RabbitMQ
# prints a "BOOT FAILED ... ERROR: <reason>" block there) and its own log.
# Never erl_crash.dump: it lists every atom the VM knows, eaddrinuse
# included, whatever went wrong. (Sets the caller's array logs.)
boot_logs() { logs=("$run_dir/log/startup.log" "$run_dir/log/$node.log"); }

# What the node says went wrong, each line once, without its timestamps:
# its ERROR: lines, a distribution or AMQP listener that could not start;
# else the exception of its BOOT FAILED block, on one line; else the end of
# what it printed.
boot_errors() {
    local logs errors
    boot_logs
    errors=$(grep -hs -e 'ERROR: ' -e 'register/listen error' -e 'Failed to start Ranch listener' "${logs[@]}" |
        sed -e 's/^.*ERROR: /ERROR: /' \
            -e 's/^.*\(Protocol .* register\/listen error\)/\1/' \
            -e 's/^.*Failed to start Ranch listener \([^ ]*\) .* for reason /cannot listen on \1: /' |
        awk '!seen[$0]++' | head -n 5)
    # Standard output has the block once more, as lines without a timestamp.
    [ -n "$errors" ] || errors=$(awk '/^BOOT FAILED/ { on = 1; next }
        on && /^(\{"|Kernel pid|init terminating|Crash dump)/ { exit }
        on && !/^([0-9]{4}-|====|[[:space:]]*$)/ { gsub(/^[[:space:]]+/, ""); printf "%s ", $0 }' \
        "${logs[0]}" 2>/dev/null)
    [ -n "$errors" ] || errors=$(grep -v '^[[:space:]]*$' "${logs[0]}" 2>/dev/null | tail -n 5)
    printf '%s\n' "$errors" | cut -c 1-300
}

# Zero if the boot failed because a port we picked was taken in the meantime:
# the AMQP or distribution port (eaddrinuse, "could not bind ... in use"), or
# the epmd port (epmd could not start there, and whatever holds the port does
# not answer as epmd would).
port_was_taken() {
    local logs
    boot_logs
    grep -qsi -e 'eaddrinuse' -e 'address already in use' -e 'port .* in use' -e 'no_reg_reply_from_epmd' \
        "${logs[@]}"
}

explain_failure() {
    local logs why="see the node's logs"
    boot_logs
    echo "broker: rabbitmq-server did not start:" >&2
    boot_errors | sed 's/^/broker:   /' >&2
    if port_was_taken; then
        why="a port it wanted was taken just after we picked it: run 'make broker-start' again"
    elif grep -qs -e 'nxdomain' -e 'epmd error for host' "${logs[@]}"; then
        why="the name 'localhost' does not resolve to 127.0.0.1 (the node is $node): \
/etc/hosts needs the line '127.0.0.1 localhost'"
    elif grep -qsi -e 'eacces' -e 'permission denied' "${logs[@]}"; then
        why="the node cannot write to $run_dir (check that directory's owner and permissions)"
    elif grep -qsi 'cookie' "${logs[@]}"; then
        why="a problem with the Erlang cookie in $run_dir/home"
    elif grep -qsi -e 'insufficient disk' -e 'disk_free' "${logs[@]}"; then
        why="not enough free disk space"
    fi
    echo "broker: likely cause: $why" >&2
    echo "broker: the node's logs: $dir/log/" >&2
}

# ------------------------------------------------------------ start
# The node is name@localhost and Erlang's distribution speaks IPv4: without
# an IPv4 address for 'localhost' the boot fails, after a minute of DNS
# lookups, with "epmd error for host localhost: nxdomain". Say so at once.
check_localhost() {
    getent ahostsv4 localhost >/dev/null ||
        fail "the name 'localhost' does not resolve to an IPv4 address, and the node ($node) needs it: \
add the line '127.0.0.1 localhost' to /etc/hosts"
}

# Makes the run directory, owned by whoever the node runs as, with an empty
# configuration (not /etc/rabbitmq's: this node is configured here only),
# no plugins (no management web UI, a quick start) and a private cookie.
make_run_dir() {
    run_dir=$(mktemp -d "${run_prefix}XXXXXX") || fail "cannot create a directory under /tmp"
    mkdir "$run_dir/mnesia" "$run_dir/log" "$run_dir/home" || exit 1
    : > "$run_dir/enabled_plugins"
    : > "$run_dir/rabbitmq-env.conf"
    # The Erlang cookie lets rabbitmqctl talk to the node; it must be private.
    head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$run_dir/home/.erlang.cookie"
    chmod 400 "$run_dir/home/.erlang.cookie"
    if [ "$(id -u)" = 0 ]; then
        chown -R rabbitmq:rabbitmq "$run_dir" || exit 1
    fi
}

# Starts the node in the background; sets server_pid.
launch() {
    # Run as the rabbitmq user when we are root, as rabbitmq-server expects.
    local as=()
    if [ "$(id -u)" = 0 ]; then
        as=(setpriv --reuid=rabbitmq --regid=rabbitmq --init-groups)
        # Say so now, rather than through an Erlang crash report later.
        "${as[@]}" test -w "$run_dir/mnesia" -a -r "$run_dir/home/.erlang.cookie" ||
            { remove_run_dirs; rm -f "$state"; fail "the rabbitmq user cannot write to $run_dir (is /tmp mounted oddly?); \
set AMQP_URL to use another broker"; }
    fi
    cd "$run_dir" || exit 1
    # Everything on the loopback only: AMQP, and also epmd and the Erlang
    # distribution port, which would otherwise listen on every interface.
    setsid "${as[@]}" env HOME="$run_dir/home" \
        IPCLABS_BROKER="$run_dir" \
        RABBITMQ_NODENAME="$node" \
        RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 \
        RABBITMQ_NODE_PORT="$amqp_port" \
        RABBITMQ_DIST_PORT="$dist_port" \
        ERL_EPMD_PORT="$epmd_port" \
        ERL_EPMD_ADDRESS=127.0.0.1 \
        RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}" \
        RABBITMQ_CONF_ENV_FILE="$run_dir/rabbitmq-env.conf" \
        RABBITMQ_CONFIG_FILE="$run_dir/rabbitmq" \
        RABBITMQ_ADVANCED_CONFIG_FILE="$run_dir/advanced.config" \
        RABBITMQ_MNESIA_BASE="$run_dir/mnesia" \
        RABBITMQ_LOG_BASE="$run_dir/log" \
        RABBITMQ_ENABLED_PLUGINS_FILE="$run_dir/enabled_plugins" \
        ERL_CRASH_DUMP="$run_dir/log/erl_crash.dump" \
        "$erl_dir/rabbitmq-server" > "$run_dir/log/startup.log" 2>&1 < /dev/null &
    server_pid=$!
    cd "$dir" || exit 1
}

start_node() {
    command -v "$erl_dir/rabbitmq-server" >/dev/null ||
        fail "rabbitmq-server is not installed: run 'make deps' (Debian package rabbitmq-server)"
    [ "$(id -u)" != 0 ] || id rabbitmq >/dev/null 2>&1 || fail "no 'rabbitmq' user: is rabbitmq-server installed?"
    check_localhost
    stop_node   # leftovers of a node that died, or of a reboot
    # What an older broker.sh kept in the checkout.
    rm -rf "${dir:?}/mnesia" "${dir:?}/home" "$dir/enabled_plugins" "$dir/rabbitmq-env.conf"

    amqp_port=$(free_port) && dist_port=$(free_port) && epmd_port=$(free_port) ||
        fail "cannot pick free ports (is /usr/bin/python3 installed?)"
    server_pid=''
    owner=$(new_owner)
    make_run_dir
    # Recorded before the node starts, so no run can go unrecorded.
    save_state || { remove_run_dirs; fail "cannot write $state"; }
    # Interrupted (Ctrl-C in make), we stop what we started rather than leave
    # a node nobody will use.
    trap 'echo "broker: interrupted: stopping the node" >&2; stop_node; exit 1' INT TERM HUP
    launch
    save_state

    say "starting $node on port $amqp_port (data and logs in $run_dir)"
    # Ready when our node says so in its own log: something else answering
    # on the port would not be our broker.
    local ready="Server startup complete" log="$run_dir/log/$node.log"
    for _ in $(seq 1 600); do
        grep -qs "$ready" "$log" && break
        if ! kill -0 "$server_pid" 2>/dev/null; then
            # A port we picked was taken in the meantime: pick again, once.
            if [ -z "${retried:-}" ] && port_was_taken; then
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
    if ! grep -qs "$ready" "$log" || ! port_open "$amqp_port"; then
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
    trap - INT TERM HUP
}

case $cmd in
running)
    [ -n "${AMQP_URL:-}" ] && exit 0
    is_up && adopt_orphan ;;
start)
    if [ -n "${AMQP_URL:-}" ]; then say "AMQP_URL is set: using $AMQP_URL, starting nothing"; exit 0; fi
    if is_up; then
        # Started by hand now, it is the user's to stop, whoever started it.
        [ -n "$(new_owner)" ] || { owner='' && save_state; }
        say "already up: $(cat "$dir/url")"
        exit 0
    fi
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
