#!/usr/bin/env bash
# suspect.sh: notes for an instructor on what a learner's compiled exercise
# reaches for that no exercise needs.
#
#   suspect.sh OBJECT SOURCE
#
# objcheck (objcheck.c) refuses what can be ruled out: other global symbols,
# constructors, calls into CUnit. What it cannot rule out, because honest
# code could in principle need it, is noted here, one line per finding:
#   suspicious: SOURCE: WHAT
# so that an instructor can look. It never changes a score. Read from the
# object, not the source text, so that a macro cannot hide it:
#   - calls of ptrace, dlsym, dlopen, process_vm_readv, pidfd_getfd and the
#     like (reading another program's memory, or finding its functions);
#   - strings naming /proc/PID/mem, maps, pagemap or fd, /dev/fd/, or the
#     grading harness's and CUnit's symbols (grade_*, tu_*, su_*, CU_*);
#   - on x86-64, read(), write() and the like called with file descriptor 3
#     or 4 (the harness's token and report pipes), syscall() with a number
#     other than the few the exercises use (futex, gettid, ...), and raw
#     system-call instructions.
# The object is untrusted input: the tools that read it are bounded in time
# and their output in size.
# Exit status: 0 (whether or not anything was found); 2 usage.
set -u
[ $# = 2 ] || { echo "usage: suspect.sh OBJECT SOURCE" >&2; exit 2; }
obj=$1 src=$2
[ -f "$obj" ] || exit 0 # not built: nothing to look at

# Bounded: a hostile object must not stall the batch.
read_obj() { timeout 20 "$@" 2>/dev/null | head -c 4000000; }

{
    # 1. what it calls
    read_obj nm -u -- "$obj" | awk '{ print $NF }' | sed 's/@.*//' |
        grep -xE 'ptrace|dlsym|dlvsym|dlopen|dlmopen|process_vm_readv|process_vm_writev|pidfd_getfd|personality' |
        sort -u | sed 's/.*/it calls &()/'

    # 2. what its strings name
    read_obj strings -a -n 4 -- "$obj" |
        grep -oE '/proc/[^/[:space:]]*/(mem|maps|smaps|pagemap|fd|fdinfo|environ)|/dev/fd/[0-9]*|\b(grade|tu|su)_[a-z_]+|\bCU_[A-Za-z_]+' |
        sort -u | head -5 | sed "s/.*/it names '&' in a string/"

    # 3. (x86-64) what it passes to fd functions and syscall()
    if [ "$(uname -m)" = x86_64 ]; then
        allowed=$(printf '#include <sys/syscall.h>\nSYS_futex SYS_gettid SYS_getcpu SYS_membarrier SYS_sched_yield\n' |
            cpp -P - 2>/dev/null | tr -s ' ' '\n' | grep -E '^[0-9]+$' | tr '\n' ' ')
        read_obj objdump -dr --no-show-raw-insn -M att -- "$obj" | awk -v allowed=" $allowed " '
            function hex(s,   v, i) { # "0x1f" -> 31 (mawk has no strtonum)
                v = 0
                for (i = 3; i <= length(s); i++) v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
                return v }
            # the first argument set from a constant: "mov $0x3,%edi"
            /^[0-9a-f]+ <.*>:$/ { n = 0; arg = ""; next }
            $2 ~ /^mov/ && $3 ~ /^\$0x[0-9a-f]+,%(edi|rdi)$/ {
                sub(/,.*/, "", $3); arg = hex(substr($3, 2)); age = 0; next }
            $2 ~ /^(syscall|sysenter)$/ || ($2 == "int" && $3 == "$0x80") {
                print "it makes a raw system call (" $2 ")"; next }
            $3 ~ /,%(edi|rdi)$/ { arg = "" } # set otherwise: not a constant we know
            $2 ~ /^(call|jmp)/ { calling = 1; age++; next }
            /R_X86_64_(PLT32|PC32)/ && calling {
                calling = 0
                fn = $NF; sub(/-0x[0-9a-f]+$/, "", fn)
                fresh = arg != "" && age <= 16
                if (fn ~ /^(read|write|dprintf|vdprintf|fdopen|pread|pwrite|readv|writev|close|dup|dup2|dup3|fcntl|fstat|lseek|send|recv|sendmsg|recvmsg|ioctl|poll|splice|tee)(64)?$/ &&
                    fresh && (arg == 3 || arg == 4))
                    print "it calls " fn "() on file descriptor " arg " (the harness'"'"'s pipes)"
                if (fn == "syscall") {
                    if (!fresh) print "it calls syscall() with a number not known at compile time"
                    else if (index(allowed, " " arg " ") == 0) print "it calls syscall(" arg ")"
                }
                arg = "" # a call leaves %edi undefined
                next }
            { calling = 0; age++ }' | sort -u
    fi
} | head -10 | LC_ALL=C tr -c '[:print:]\n' '?' | sed "s|^|suspicious: $src: |"
exit 0
