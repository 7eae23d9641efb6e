#!/usr/bin/env bash
# Checks that the Debian packages in common/packages.txt are installed and
# installs the missing ones with apt-get (as root, or through sudo), saying
# what it installs. Prints nothing when all is there.
#
#   common/deps.sh [--install-all]   --install-all: apt-get update and install
#                                    the whole list (what CI does)
# Exit status: 0 ready; 1 packages missing and could not be installed.
# IPC_SKIP_DEPS=1 skips the check (a machine without dpkg, set up by hand).
set -u
here=$(cd "$(dirname "$0")" && pwd)
mapfile -t wanted < <(sed -e 's/#.*//' -e 's/[[:space:]]//g' "$here/packages.txt" | grep -v '^$')

[ "${IPC_SKIP_DEPS:-0}" = 1 ] && exit 0

if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "deps: this is not a Debian or Ubuntu system; install the equivalents of:" >&2
    echo "  ${wanted[*]}" >&2
    echo "deps: then run again with IPC_SKIP_DEPS=1" >&2
    exit 1
fi

if [ "${1:-}" = "--install-all" ]; then
    missing=("${wanted[@]}")
else
    # One dpkg-query for the whole list keeps the check well under a second.
    installed=$(dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' "${wanted[@]}" 2>/dev/null |
                awk '$2 ~ /^ii/ { print $1 }')
    missing=()
    for p in "${wanted[@]}"; do
        grep -qx -- "$p" <<<"$installed" || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && exit 0
fi

line="apt-get install -y --no-install-recommends ${missing[*]}"
# How to become root: sudo where it is installed (a minimal Debian has none,
# and then root's password goes to su).
if command -v sudo >/dev/null 2>&1; then
    by_hand="sudo apt-get update && sudo $line"
else
    by_hand="su -c 'apt-get update && $line'"
fi
if [ "$(id -u)" -eq 0 ]; then
    sudo=()
elif command -v sudo >/dev/null 2>&1 && { sudo -n true 2>/dev/null || [ -t 0 ]; }; then
    # (sudo resets the environment: env carries DEBIAN_FRONTEND through.)
    sudo=(sudo env DEBIAN_FRONTEND=noninteractive) # asks for a password on the terminal if needed
else
    echo "deps: these packages are missing: ${missing[*]}" >&2
    echo "deps: install them as root, then run make again:" >&2
    echo "  $by_hand" >&2
    exit 1
fi

echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
if ! "${sudo[@]}" apt-get update -qq || ! "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"; then
    echo "deps: apt-get failed; run it yourself and look at its message:" >&2
    if [ "$(id -u)" -eq 0 ]; then echo "  apt-get update && $line" >&2; else echo "  $by_hand" >&2; fi
    exit 1
fi
