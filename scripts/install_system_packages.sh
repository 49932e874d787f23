#!/usr/bin/env bash
# Debian packages the test suite needs: PostgreSQL server binaries (store tests run on a
# real server) and Chromium (browser tests), plus a font for PDF/PNG exports.
# Installs only what is missing, so it is quick when everything is present.
set -euo pipefail
packages=(postgresql chromium fonts-dejavu-core)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
sudo_cmd=()
[ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
echo "Installing Debian packages: ${missing[*]}"
"${sudo_cmd[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
