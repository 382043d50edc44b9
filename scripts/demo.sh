#!/usr/bin/env bash
# The main job (README): install what is missing, build, simulate a small VLA MS with a known sky, list it.
# Output goes to demo-output/ (replaced on every run). Imaging joins this script as the engine lands.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
mvn -B -ntp -q install -DskipTests
out=demo-output
rm -rf "$out" && mkdir -p "$out"
scripts/pclean simulate --out "$out/sim.ms" --array-config C --hours 1 --nchan 8 --noise 0.01
scripts/pclean listobs --vis "$out/sim.ms"
echo "true sky: $out/sim.ms.sky.json"
