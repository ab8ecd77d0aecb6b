#!/usr/bin/env bash
# Debian packages the tests need beyond Node, Java and Python: Chromium for the browser tests.
# Run as root or with sudo; does nothing when they are already installed.
set -euo pipefail

packages=(chromium)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "system packages: ${packages[*]} already installed"
  exit 0
fi

as_root=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "installing ${missing[*]} needs root (or sudo)" >&2; exit 1; }
  as_root=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
# A fresh machine may have no package lists yet; an update is only needed when the install cannot find them.
"${as_root[@]}" apt-get install -y --no-install-recommends "${missing[@]}" \
  || { "${as_root[@]}" apt-get update && "${as_root[@]}" apt-get install -y --no-install-recommends "${missing[@]}"; }
echo "system packages: installed ${missing[*]}"
