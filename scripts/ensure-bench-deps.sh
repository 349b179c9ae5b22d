#!/usr/bin/env bash
# Installs the Debian packages the benchmarks compare against (libebur128-1 via P/Invoke, sox, ffmpeg; numpy and
# soundfile for the Python peers, psutil for `bench mix`'s worker CPU time, python3-torch for `bench mix` and `bench train`, and libopenblas0-pthread, without
# which Debian's torch and numpy run on the reference netlib BLAS: measured 36x slower on a 1024x1024 matmul, which
# would make `bench train` compare against a crippled PyTorch) when they are missing. The product and its tests need none of them.
set -euo pipefail
need=()
for package in libebur128-1 sox ffmpeg python3-numpy python3-soundfile python3-psutil python3-torch libopenblas0-pthread; do
  dpkg -s "$package" >/dev/null 2>&1 || need+=("$package")
done
if ((${#need[@]})); then
  sudo=""
  [[ $(id -u) -ne 0 ]] && sudo="sudo"
  echo "installing ${need[*]}..." >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}"
fi
