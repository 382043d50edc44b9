#!/usr/bin/env bash
# Runs every test of every module (the README's test command): installs what is missing, then builds the
# reactor (the native module compiles its JNI library against casacore here) and runs the suites.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
mvn -B -ntp install "$@"
