#!/usr/bin/env bash
# make test-distro: the README's commands on a fresh Debian, end to end.
#
#   tests/distro/test-distro.sh [bookworm|trixie]    (default: trixie)
#   KEEP=1  keep the root file system afterwards (its path is printed)
#
# Builds a root file system of Debian DIST with mmdebstrap (minbase plus git,
# make and ca-certificates: what someone who has just cloned the course has),
# from the archive apt on this machine already uses, copies this checkout into
# it and runs, in private PID, mount and UTS namespaces:
#   as root, in /root/ipc-labs (/root is 0700):            make demo, make test
#   as a new user, in ~/ipc-labs (home 0700, LANG=C.UTF-8): make demo, make grade
# None of the course's packages are in the base: the first make demo installs
# them (common/deps.sh), and that is part of what is tested.
#
# Logs: build/test-distro/<dist>/. The bootstrapped base is cached for every
# checkout on this machine in /var/cache/ipc-labs/test-distro/<dist>-base.tar
# and made again when a week old. (The .debs make demo downloads are not
# cached: from Debian's archive they took 2 s of a step of minutes.)
# Exit status: 0 every step passed, 1 something failed, 2 usage.
set -u

# Each step's time limit in seconds, so that CI can never hang here.
limit_boot=$((20 * 60))
limit_demo=$((30 * 60))   # the first one installs the course's packages
limit_test=$((40 * 60))
limit_user=$((20 * 60))
cache=/var/cache/ipc-labs/test-distro
max_age_days=7
user=learner
base_packages=git,make,ca-certificates

# ------------------------------------------------------------ inside the namespaces
# The script runs itself again under unshare as PID 1 of a new PID namespace:
# when it exits, the kernel kills every process the course started (a broker,
# epmd, a hung test), and the mounts below vanish with the mount namespace.
if [ "${1:-}" = --inside ]; then
    R=$TD_ROOT
    hostname "$TD_HOSTNAME"
    # What a Debian system has mounted, made here, never the host's: our own
    # /proc (this PID namespace), a small /dev, a private /dev/shm (POSIX shm
    # is used heavily, and the host's must not see it), /run, and /tmp as a
    # tmpfs on trixie (systemd's tmp.mount is the default from Debian 13) or
    # the plain 1777 directory of bookworm.
    # The root itself a mount point, as / is on any machine: tools that make
    # mounts private or move them (the grader's per-test namespaces) need it.
    mount --bind "$R" "$R" &&
        mount -t proc -o nosuid,nodev,noexec proc "$R/proc" &&
        mount -t sysfs -o ro,nosuid,nodev,noexec sysfs "$R/sys" &&
        mount -t tmpfs -o mode=755,nosuid,size=1m tmpfs "$R/dev" &&
        mknod -m 666 "$R/dev/null" c 1 3 && mknod -m 666 "$R/dev/zero" c 1 5 &&
        mknod -m 666 "$R/dev/full" c 1 7 && mknod -m 666 "$R/dev/random" c 1 8 &&
        mknod -m 666 "$R/dev/urandom" c 1 9 && mknod -m 666 "$R/dev/tty" c 5 0 &&
        ln -s /proc/self/fd "$R/dev/fd" && ln -s /proc/self/fd/0 "$R/dev/stdin" &&
        ln -s /proc/self/fd/1 "$R/dev/stdout" && ln -s /proc/self/fd/2 "$R/dev/stderr" &&
        mkdir "$R/dev/pts" "$R/dev/shm" &&
        mount -t devpts -o newinstance,ptmxmode=0666,mode=620,gid=5 devpts "$R/dev/pts" &&
        ln -s pts/ptmx "$R/dev/ptmx" &&
        mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs "$R/dev/shm" &&
        mount -t tmpfs -o mode=755,nosuid,nodev tmpfs "$R/run" && mkdir -m 1777 "$R/run/lock" &&
        if [ "$TD_DIST" = bookworm ]; then chmod 1777 "$R/tmp"; else
            mount -t tmpfs -o mode=1777,nosuid,nodev,size=50%,nr_inodes=1m tmpfs "$R/tmp"; fi ||
        { echo "test-distro: could not mount what the root file system needs" >&2; exit 1; }

    # The processes left in the root file system ("pid command" lines).
    left() {
        local p
        for p in /proc/[0-9]*; do
            [ "$(readlink "$p/root" 2>/dev/null)" = "$R" ] &&
                echo "${p#/proc/} $(tr '\0' ' ' < "$p/cmdline" 2>/dev/null | cut -c 1-150)"
        done
    }
    n=0
    # step WHAT AS DIR LIMIT [BAD]: runs WHAT (a make command) in DIR as AS,
    # in a login-like environment, and appends "what|as|result|seconds" to
    # results. A step that prints BAD (an extended regexp) has failed,
    # whatever its exit status.
    step() {
        local what=$1 as=$2 dir=$3 limit=$4 bad=${5:-} log run rc t0 result
        n=$((n + 1))
        log=$TD_LOGS/$n-$as-${what//[^A-Za-z0-9]/-}.log
        if [ "$as" = root ]; then
            run=(env -i HOME=/root USER=root LOGNAME=root SHELL=/bin/bash
                 PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin)
        else
            run=(setpriv --reuid="$as" --regid="$as" --init-groups env -i HOME="/home/$as"
                 USER="$as" LOGNAME="$as" SHELL=/bin/bash LANG=C.UTF-8
                 PATH=/usr/local/bin:/usr/bin:/bin:/usr/games)
        fi
        echo "test-distro: $what as $as in $dir (log: $log)"
        t0=$SECONDS
        timeout --kill-after=30 "$limit" chroot "$R" "${run[@]}" bash -lc "cd $dir && $what" \
            < /dev/null > "$log" 2>&1
        rc=$?
        case $rc in
        0) result=passed ;;
        124 | 137) result="timed out after $limit s" ;;
        *) result="failed (exit $rc)" ;;
        esac
        if [ $rc = 0 ] && [ -n "$bad" ] && grep -qE "$bad" "$log"; then
            rc=1 result="failed (it says: $(grep -oE -m1 "$bad" "$log" | head -1))"
        fi
        echo "test-distro: $what as $as: $result in $((SECONDS - t0)) s"
        if [ $rc != 0 ]; then
            echo "---- last 30 lines of $log" && tail -n 30 "$log" && echo "----"
        fi
        # What a step leaves running is a bug of the course: say so, then end
        # it, so that the next step starts as on a machine after a logout.
        local rest
        rest=$(left)
        if [ -n "$rest" ]; then
            echo "test-distro: $what as $as left these processes running (killed now):"
            echo "$rest" | sed 's/^/  /' | tee -a "$log"
            result="$result, left $(echo "$rest" | wc -l) processes"
            echo "$rest" | cut -d' ' -f1 | xargs kill -KILL 2> /dev/null
        fi
        echo "$what|$as in $dir|$result|$((SECONDS - t0))" >> "$TD_LOGS/results"
    }
    step "make demo" root /root/ipc-labs "$limit_demo"
    step "make test" root /root/ipc-labs "$limit_test"
    step "make demo" "$user" "/home/$user/ipc-labs" "$limit_user"
    # make grade exits 0 whenever grading ran. In a fresh tree every starter
    # builds and every test fails: a starter that does not build, or a test
    # NOT RUN, means the course cannot grade on this system.
    step "make grade" "$user" "/home/$user/ipc-labs" "$limit_user" "NOT RUN|does not build"
    exit 0
fi

# ------------------------------------------------------------ on the host
dist=${1:-trixie}
case $dist in
bookworm | trixie) ;;
*) echo "test-distro: DIST must be bookworm or trixie, not '$dist'" >&2; exit 2 ;;
esac
[ "$(id -u)" = 0 ] || { echo "test-distro: run it as root (mmdebstrap, chroot and mounts need it)" >&2; exit 2; }
for c in mmdebstrap unshare setpriv findmnt flock git apt-get; do
    command -v $c > /dev/null || { echo "test-distro: $c is not installed" >&2; exit 2; }
done
top=$(cd "$(dirname "$0")/../.." && pwd)
logs=$top/build/test-distro/$dist
rm -rf "$logs" && mkdir -p "$logs" || exit 1
die() { echo "test-distro: $*" >&2; exit 1; }

# The archive apt on this machine uses, as apt itself reads its sources
# (sources.list, *.list and deb822 *.sources alike), for this release's
# codename: the main archive, its -updates suite and the security archive,
# each if configured. Only main: the course needs nothing else.
. /etc/os-release
targets=$(apt-get indextargets --format '$(REPO_URI) $(RELEASE)' 'Created-By: Packages' | sort -u)
archive=$(awk -v s="$VERSION_CODENAME" '$2 == s { print $1; exit }' <<< "$targets")
security=$(awk -v s="$VERSION_CODENAME-security" '$2 == s { print $1; exit }' <<< "$targets")
[ -n "$archive" ] || die "apt's sources name no Debian archive for '$VERSION_CODENAME' (the host must be Debian)"
sources=("deb $archive $dist main")
grep -qx "$archive $VERSION_CODENAME-updates" <<< "$targets" && sources+=("deb $archive $dist-updates main")
[ -n "$security" ] && sources+=("deb $security $dist-security main")

# Runs at the same time share the cached base: one makes it, the others wait
# for it (the lock is held until the base is unpacked).
mkdir -p "$cache" || exit 1
exec 9> "$cache/$dist.lock"
flock -n 9 || { echo "test-distro: another run holds $cache/$dist.lock; waiting"; flock 9; }

# ------------------------------------------------------------ the base, cached
# The tarball is reused while it is younger than a week and was made from the
# same sources and packages.
base=$cache/$dist-base.tar
key="minbase $base_packages ${sources[*]}"
t0=$SECONDS
if [ -f "$base" ] && [ "$(cat "$base.key" 2> /dev/null)" = "$key" ] &&
    [ -z "$(find "$base" -mtime +$((max_age_days - 1)))" ]; then
    boot="passed (cached, made $(date -r "$base" '+%F %R'))"
    echo "test-distro: base: using the cached $base (from $(date -r "$base" '+%F %R'))"
else
    echo "test-distro: base: bootstrapping Debian $dist from $archive (log: $logs/bootstrap.log)"
    rm -rf "$base" "$base.key"
    if timeout "$limit_boot" mmdebstrap --variant=minbase --format=tar --include="$base_packages" "$dist" "$base.tmp" "${sources[@]}" \
        > "$logs/bootstrap.log" 2>&1 && mv "$base.tmp" "$base"; then
        echo "$key" > "$base.key"
        boot=passed
    else
        tail -n 30 "$logs/bootstrap.log"
        rm -f "$base.tmp"
        boot=failed
    fi
fi
echo "bootstrap|host|$boot|$((SECONDS - t0))" > "$logs/results"

# The table of what ran; fails unless every step is there and passed.
table() {
    echo
    { echo "step|as|result|seconds"; cat "$logs/results"; } |
        awk -F'|' '{ for (i = 1; i <= NF; i++) { c[NR, i] = $i; if (length($i) > w[i]) w[i] = length($i) } }
            END { for (r = 1; r <= NR; r++) printf "%-*s | %-*s | %-*s | %*s\n",
                  w[1], c[r, 1], w[2], c[r, 2], w[3], c[r, 3], w[4], c[r, 4] }'
    [ "$(grep -c '^[^|]*|[^|]*|passed' "$logs/results")" = 5 ]
}

R=
ns=
# Whatever happens, nothing stays behind: the namespaces' processes and
# mounts die with their PID 1 (killed through unshare, --kill-child); a
# chrooted process still alive after that or a mount under $R in this
# namespace would be a bug here, and is reported and cleaned up.
cleanup() {
    trap - EXIT INT TERM
    [ -n "$ns" ] && kill -KILL "$ns" 2> /dev/null && wait "$ns" 2> /dev/null
    [ -n "$R" ] || return
    local p i left
    for i in $(seq 1 50); do
        left=
        for p in /proc/[0-9]*; do
            [ "$(readlink "$p/root" 2> /dev/null)" = "$R" ] && left="$left ${p#/proc/}"
        done
        [ -z "$left" ] && break
        [ "$i" = 50 ] && { echo "test-distro: killing processes still in $R:$left" >&2; kill -KILL $left; }
        sleep 0.2
    done
    local mounts
    mounts=$(findmnt -rn -o TARGET | grep -F "$R/" | sort -r)
    for m in $mounts; do
        echo "test-distro: unmounting $m, left mounted" >&2
        umount -l "$m"
    done
    [ -z "$left$mounts" ] && echo "test-distro: no process and no mount left in $R"
    if [ "${KEEP:-0}" = 1 ]; then
        echo "test-distro: KEEP=1: the root file system stays in $R"
    else
        rm -rf --one-file-system "$R"
    fi
}
trap cleanup EXIT
trap 'echo "test-distro: interrupted" >&2; exit 1' INT TERM

[ "$boot" = failed ] && { table; exit 1; }

# ------------------------------------------------------------ the root file system
R=$(mktemp -d "/var/tmp/ipc-labs-$dist.XXXXXX") && chmod 755 "$R" &&
    tar -xpf "$base" --numeric-owner -C "$R" || die "cannot unpack $base into $R"
exec 9>&-
echo "test-distro: root file system in $R"
hostname=ipc-labs-$dist
echo "$hostname" > "$R/etc/hostname"
# Debian's own /etc/hosts (netcfg writes the 127.0.1.1 line for the host name).
printf '%s\n' "127.0.0.1	localhost" "127.0.1.1	$hostname" "" \
    "# The following lines are desirable for IPv6 capable hosts" \
    "::1     localhost ip6-localhost ip6-loopback" "ff02::1 ip6-allnodes" "ff02::2 ip6-allrouters" \
    > "$R/etc/hosts"
rm -f "$R/etc/resolv.conf" && cp -L /etc/resolv.conf "$R/etc/resolv.conf"
# Installing rabbitmq-server would start Debian's own broker (rabbit@host on
# 5672, and epmd on 4369) in the host's network namespace, which the chroot
# shares, where it could clash with a broker of the host or of another run.
# On a real machine systemd would start it; the course never uses it (it runs
# a private node on free ports), so here, as in any chroot, invoke-rc.d is
# told that no service may start.
printf '#!/bin/sh\n# test-distro: no service starts in this chroot\nexit 101\n' > "$R/usr/sbin/policy-rc.d"
chmod 755 "$R/usr/sbin/policy-rc.d"

# The course as it is in this checkout, uncommitted changes to tracked files
# included: git stash create makes a commit of them (and nothing when clean;
# it needs a committer, which CI may not have configured).
commit=$(git -C "$top" -c user.name=test-distro -c user.email=test-distro@localhost stash create) &&
    commit=${commit:-$(git -C "$top" rev-parse HEAD)} || die "cannot read the checkout in $top"
clone() {
    git clone -q --no-hardlinks --no-checkout "$top" "$1" &&
        git -C "$top" push -q "$1" "$commit:refs/heads/test-distro" &&
        git -C "$1" checkout -q test-distro
}
chmod 700 "$R/root" && clone "$R/root/ipc-labs" || die "cannot clone the course into /root/ipc-labs"
chroot "$R" useradd --create-home --shell /bin/bash "$user" && chmod 700 "$R/home/$user" &&
    clone "$R/home/$user/ipc-labs" && chroot "$R" chown -R "$user:" "/home/$user/ipc-labs" ||
    die "cannot create the user $user with the course in its home"
echo "test-distro: the course at $(git -C "$top" log -1 --format='%h %s')$(
    [ "$commit" = "$(git -C "$top" rev-parse HEAD)" ] || echo ' (and uncommitted changes)')"

TD_ROOT=$R TD_LOGS=$logs TD_DIST=$dist TD_HOSTNAME=$hostname \
    unshare --pid --fork --kill-child --mount --mount-proc --uts -- "$0" --inside 9>&- &
ns=$!
wait "$ns"
rc=$?
ns=
[ $rc = 0 ] || echo "test-distro: the run in the namespaces ended with status $rc" >&2
cleanup
echo "test-distro: logs in $logs"
table
