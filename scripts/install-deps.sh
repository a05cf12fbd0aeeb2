#!/usr/bin/env bash
# Installs every Debian 12 package Edict needs to build, test and fuzz.
# Idempotent; run as root (or with sudo available). Nothing is downloaded at build time.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  tao-pegtl-dev libfmt-dev libboost-container-dev libsqlite3-dev sqlite3 zlib1g-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libcli11-dev nlohmann-json3-dev
  clang libfuzzer-14-dev libclang-rt-14-dev
)

# Node.js and npm run the SARIF validator of the lint tests (tests/lint_sarif_test.sh);
# Debian's packages only when npm is not on PATH already.
if ! command -v npm >/dev/null 2>&1; then packages+=(nodejs npm); fi
# Microsoft's SARIF Multitool, pinned, from the npm registry into build-tools/sarif
# (git-ignored; the test looks for it there). Installed once; a test-time tool only.
install_sarif_multitool() {
  local root dir
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  dir="$root/build-tools/sarif"
  if [[ -x "$dir/node_modules/.bin/sarif-multitool" ]]; then return 0; fi
  npm install --prefix "$dir" --no-audit --no-fund @microsoft/sarif-multitool@5.7.0
  # npm may skip the package's postinstall (`chmod u+x Sarif.Multitool`); do it here.
  chmod u+x "$dir"/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool 2>/dev/null || true
  echo "install-deps: SARIF Multitool in $dir"
}

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#packages[@]} packages present"
  install_sarif_multitool
  exit 0
fi

sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update
"${sudo_cmd[@]}" apt-get install -y --no-install-recommends "${missing[@]}"
install_sarif_multitool
