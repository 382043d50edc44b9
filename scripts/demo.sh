#!/usr/bin/env bash
# The main job (README): install what is missing, build, simulate a VLA MS with a known sky, list it, image it
# with the serial tclean engine (mfs, hogbom), then image the same continuum in parallel over Kafka (row chunks,
# embedded KRaft broker, two workers, the Streams coordinator and the sink) and a cube in parallel. Output in
# demo-output/ (replaced on every run).
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
scripts/pclean --vis "$out/sim.ms" --imagename "$out/cont" --specmode mfs --imsize 256 256 --cell 3arcsec \
  --weighting briggs --robust 0.5 --niter 2000 --threshold 1mJy --deconvolver hogbom --fits \
  --parallel --nworkers 2 --local-directory "$out/work"
scripts/pclean --vis "$out/sim.ms" --imagename "$out/cube" --specmode cube --imsize 256 256 --cell 3arcsec \
  --niter 500 --threshold 5mJy --parallel --nworkers 2 --cube-chunksize 2 --local-directory "$out/work" --fits
echo "true sky: $out/sim.ms.sky.json; images: $out/sim.image (serial), $out/cont.image (parallel), $out/cube.image (+ .fits)"
