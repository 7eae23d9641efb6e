#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image:
# Ubuntu 22.04 by default, and the same steps work on Debian 12 and 13. Not
# every release has every package of common/packages.txt under that name
# (Ubuntu 22.04 has no iceoryx, and librabbitmq 0.10 where Debian 13 has
# 0.15, with its headers elsewhere), so nothing here depends on a release's
# version: it installs the packages the archive has (apt-cache show), then
# compiles and links a probe of each library grading needs, with the
# course's own include paths, and fails, saying which, if one is missing.
# Packages the graded chapters can do without (iceoryx: chapter 11's driver
# leaves it out; documentation and plotting tools) may be absent.
set -u
here=$(cd "$(dirname "$0")" && pwd)
course=$here/course
[ -d "$course" ] || course=/autograder/source/course
export DEBIAN_FRONTEND=noninteractive

mapfile -t wanted < <(sed -e 's/#.*//' -e 's/[[:space:]]//g' "$course/common/packages.txt" | grep -v '^$')
apt-get update -qq || { echo "setup: apt-get update failed" >&2; exit 1; }
have=() absent=()
for p in "${wanted[@]}"; do
    if apt-cache show --no-all-versions "$p" >/dev/null 2>&1; then have+=("$p"); else absent+=("$p"); fi
done
apt-get install -y -qq --no-install-recommends "${have[@]}" ||
    { echo "setup: apt-get install failed: ${have[*]}" >&2; exit 1; }
[ ${#absent[@]} -eq 0 ] || echo "setup: not in this system's archive, so not installed: ${absent[*]}"

# probe WHAT REQUIRED CODE [cc arguments]: compiles and links CODE, warnings as
# errors (a header that warns it is deprecated breaks the course's -Werror build).
probe_dir=$(mktemp -d) && trap 'rm -rf "$probe_dir"' EXIT
bad=0
probe() {
    local what=$1 required=$2 code=$3
    shift 3
    printf '%s\n' "$code" >"$probe_dir/probe.c"
    if cc -std=gnu11 -Wall -Werror -o "$probe_dir/probe" "$probe_dir/probe.c" "$@" >"$probe_dir/log" 2>&1; then
        echo "setup: ok: $what"
    elif [ "$required" = required ]; then
        echo "setup: MISSING: $what, which grading needs:" >&2
        head -5 "$probe_dir/log" >&2
        bad=1
    else
        echo "setup: not available (grading does without it): $what"
    fi
}
probe "C compiler and CUnit" required \
    '#include <CUnit/Basic.h>
int main(void) { return CU_initialize_registry() != CUE_SUCCESS; }' -lcunit -pthread -lrt
probe "rabbitmq-c (chapter 01), through the course's amqp_headers.h" required \
    '#include "amqp_headers.h"
int main(void) { amqp_connection_state_t c = amqp_new_connection(); return amqp_tcp_socket_new(c) == 0; }' \
    -I"$course/chapters/01-message-queue" -lrabbitmq
probe "ZeroMQ (chapter 11)" required \
    '#include <zmq.h>
int main(void) { return zmq_ctx_new() == 0; }' -lzmq
probe "Concurrency Kit's ring (chapters 10 and 11)" required \
    '#include <ck_ring.h>
int main(void) { ck_ring_t r; ck_ring_init(&r, 8); return (int)ck_ring_size(&r); }'
# Where chapter 11's Makefile looks for iceoryx's C binding.
iox=$(compgen -G '/usr/include/iceoryx/v*/iceoryx_binding_c/runtime.h' | head -1)
probe "iceoryx's C binding (chapter 11 measures it when present)" optional \
    '#include "iceoryx_binding_c/runtime.h"
int main(void) { return 0; }' ${iox:+-I"${iox%/iceoryx_binding_c/runtime.h}"} -liceoryx_binding_c
if [ -x /usr/lib/rabbitmq/bin/rabbitmq-server ] && id rabbitmq >/dev/null 2>&1; then
    echo "setup: ok: rabbitmq-server (chapter 01's broker)"
else
    echo "setup: MISSING: rabbitmq-server in /usr/lib/rabbitmq/bin, and its user (chapter 01's broker)" >&2
    bad=1
fi
command -v python3 >/dev/null || { echo "setup: MISSING: python3" >&2; bad=1; }
exit $bad
