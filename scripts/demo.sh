#!/usr/bin/env bash
# The main job (README): install what is missing, build, simulate a VLA MS with a known sky, list it, and image it
# with the serial tclean engine (mfs, hogbom). Output in demo-output/ (replaced on every run).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
mvn -B -ntp -q install -DskipTests
out=demo-output
rm -rf "$out" && mkdir -p "$out"
scripts/pclean simulate --out "$out/sim.ms" --array-config C --hours 2 --nchan 8 --noise 0.01
scripts/pclean listobs --vis "$out/sim.ms"
scripts/pclean --vis "$out/sim.ms" --imagename "$out/sim" --specmode mfs --imsize 256 256 --cell 3arcsec \
  --weighting briggs --robust 0.5 --niter 2000 --threshold 1mJy --deconvolver hogbom --fits
echo "true sky: $out/sim.ms.sky.json; images: $out/sim.image (+ .fits)"
