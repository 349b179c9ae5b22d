#!/usr/bin/env bash
# Installs Debian's `chromium` when it is missing (the audit report's browser test opens the report headless with it)
# and prints the browser's path. Nothing else in the product needs a browser.
set -euo pipefail
if ! command -v chromium >/dev/null 2>&1; then
  sudo=""
  [[ $(id -u) -ne 0 ]] && sudo="sudo"
  echo "installing chromium..." >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >&2
fi
command -v chromium
