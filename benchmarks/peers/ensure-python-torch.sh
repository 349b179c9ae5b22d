#!/usr/bin/env bash
# Installs Debian's PyTorch and soundfile for the mix-stream peer (benchmarks/peers/mix_dataloader.py) when missing.
# Only `./forge bench mix` needs them; the product and its tests never call Python.
set -euo pipefail
need=()
for package in python3-torch python3-soundfile python3-numpy; do
  dpkg -s "$package" >/dev/null 2>&1 || need+=("$package")
done
if ((${#need[@]})); then
  sudo=""
  [[ $(id -u) -ne 0 ]] && sudo="sudo"
  echo "installing ${need[*]}..." >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >&2
fi
/usr/bin/python3 -c "import torch, soundfile, numpy" >&2
