#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image:
# install every Debian package the course needs.
set -eu
cd /autograder/source/course
common/deps.sh --install-all
