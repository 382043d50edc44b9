#!/usr/bin/env bash
# The main job (README): install what is missing, build, then
#  1. batch imaging: simulate a VLA MS with a known sky, list it, image it serially (mfs) and in parallel over
#     Kafka (continuum row chunks and a cube on an embedded broker);
#  2. the streaming site: a standalone broker, the snapshot service imaging each minute of a live stream as it
#     arrives (a correlator emulator publishing a simulated observation at 40x its cadence, no MS anywhere), then
#     replays of the stream with new imaging parameters — from the bus alone.
# Output in demo-output/ (replaced on every run).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
mvn -B -ntp -q install -DskipTests
out=demo-output
rm -rf "$out" && mkdir -p "$out"
say() { printf '\n== %s\n' "$*"; }

say "1. batch imaging of an MS"
scripts/pclean simulate --out "$out/sim.ms" --array-config C --hours 2 --nchan 8 --noise 0.01
scripts/pclean listobs --vis "$out/sim.ms"
scripts/pclean --vis "$out/sim.ms" --imagename "$out/sim" --specmode mfs --imsize 256 256 --cell 3arcsec \
  --weighting briggs --robust 0.5 --niter 2000 --threshold 1mJy --deconvolver hogbom --fits
scripts/pclean --vis "$out/sim.ms" --imagename "$out/cont" --specmode mfs --imsize 256 256 --cell 3arcsec \
  --weighting briggs --robust 0.5 --niter 2000 --threshold 1mJy --deconvolver hogbom --fits \
  --parallel --nworkers 2 --local-directory "$out/work"
scripts/pclean --vis "$out/sim.ms" --imagename "$out/cube" --specmode cube --imsize 256 256 --cell 3arcsec \
  --niter 500 --threshold 5mJy --parallel --nworkers 2 --cube-chunksize 2 --local-directory "$out/work" --fits

say "2. a streaming site: broker, live stream, snapshots while it streams, replay with new parameters"
scripts/pclean broker --local-directory "$out/kafka" > "$out/broker.log" 2>&1 &
broker_pid=$!
snapshot_pid=""
trap 'kill $snapshot_pid $broker_pid 2>/dev/null || true; wait 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do
  bootstrap=$(grep -o 'pclean broker at [^ ]*' "$out/broker.log" | awk '{print $4}' || true)
  [ -n "$bootstrap" ] && break
  sleep 0.5
done
[ -n "$bootstrap" ] || { echo "demo: the broker did not start (see $out/broker.log)" >&2; exit 1; }
echo "broker at $bootstrap (log: $out/broker.log)"
mkdir -p "$out/snapshots"
# The snapshot service (a long-running consumer group) images each 60 s window as soon as its last dump arrives.
scripts/pclean snapshot --dataset live --imagename "$out/snapshots/live" --interval 60s --imsize 256 256 \
  --cell 3arcsec --scheduler-address "$bootstrap" > "$out/snapshot.log" 2>&1 &
snapshot_pid=$!
# The correlator emulator predicts the sky dump by dump and publishes it live: there is no MS at all.
scripts/pclean simulate --stream --dataset live --rate 40 --scheduler-address "$bootstrap" --truth "$out/live.sky.json" \
  --array-config C --hours 0.5 --integration 30 --nchan 8 --noise 0.01
for _ in $(seq 1 60); do  # the last window closes when its last dump is imaged
  [ "$(ls "$out/snapshots" | grep -c '\.fits$')" -ge 30 ] && break
  sleep 0.5
done
kill -TERM "$snapshot_pid" && wait "$snapshot_pid" || true
snapshot_pid=""
echo "snapshots written while it streamed: $(ls "$out/snapshots" | grep -c '\.fits$') FITS images in $out/snapshots/ (log: $out/snapshot.log)"
# There never was an MS of the live observation: the replays read the bus alone.
scripts/pclean replay --dataset live --imagename "$out/replay" --imsize 256 256 --cell 3arcsec \
  --weighting briggs --robust 0 --niter 2000 --threshold 1mJy --deconvolver mtmfs --fits \
  --scheduler-address "$bootstrap"
scripts/pclean replay --dataset live --imagename "$out/replay-cube" --specmode cube --imsize 256 256 --cell 3arcsec \
  --niter 300 --threshold 5mJy --parallel --nworkers 2 --scheduler-address "$bootstrap" --local-directory "$out/work"

say "done"
echo "true sky: $out/sim.ms.sky.json and $out/live.sky.json"
echo "batch images: $out/sim.image (serial), $out/cont.image (parallel mfs), $out/cube.image (parallel cube), + .fits"
echo "live snapshots (one per minute of the observation): $out/snapshots/live-<UTC>.fits"
echo "replayed from the bus: $out/replay.image.tt0 (mtmfs, briggs 0) and $out/replay-cube.image (parallel cube)"
