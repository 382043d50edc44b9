#!/usr/bin/env bash
# Installs the Debian packages pclean-java builds and runs against, when missing (idempotent).
#   casacore-dev (+ wcslib-dev, libcfitsio-dev its headers need), casacore-data: the C++ core the native module wraps
#   libfftw3-dev: FFTs;  g++: the JNI build;  casacore-tools (taql), wsclean: test oracle and benchmark peer
#   slurm-wlm, munge: a single-node SLURM the pclean submit test starts (SlurmSubmitTest)
#   chromium, chromium-driver: the headless browser the dashboard test drives (DashboardBrowserTest)
#   python3-casacore: test tooling (SeveralSpwsTest joins two simulated MSs into one two-spw MS)
set -euo pipefail
packages=(g++ casacore-dev casacore-data casacore-tools wcslib-dev libcfitsio-dev libfftw3-dev wsclean slurm-wlm munge chromium chromium-driver python3-casacore)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing Debian packages: ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
