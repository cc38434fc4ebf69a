#!/usr/bin/env bash
# Installs what nv2's build, tests and demo need on a bare Debian machine, skipping whatever is
# already present: Debian packages (Chromium + ChromeDriver, CNCF distribution registry, skopeo,
# htpasswd, GNU time for the copy benchmark, a C++ compiler for libFuzzer), the wasm32 target,
# wasm-bindgen-cli matching Cargo.lock, cargo-fuzz, npm test dependencies and the Python venv
# (test PKI, oras). Used by `.ci/run` and by `make setup` / `make demo`.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
export NPM_CONFIG_FUND=false NPM_CONFIG_AUDIT=false NPM_CONFIG_UPDATE_NOTIFIER=false
cd "$(dirname "$0")/.."
START=${START:-$(date +%s)}
phase() { printf '\n==== [%4ss] %s ====\n' "$(( $(date +%s) - START ))" "$*"; }
if [ "$(id -u)" -eq 0 ]; then SUDO=(); else SUDO=(sudo -n); fi
export PATH="$HOME/.cargo/bin:$PATH"

phase "system packages"
# openssl: make_pki.py and tests/revocation_ocsp.rs run `openssl ocsp` (a second OCSP implementation).
pkgs=(chromium chromium-driver docker-registry skopeo apache2-utils time openssl)
command -v python3 >/dev/null || pkgs+=(python3)
# libfuzzer-sys compiles libFuzzer's C++ sources (fuzz/, `make fuzz-smoke`).
command -v c++ >/dev/null || pkgs+=(g++)
# python3-venv only when the interpreter on PATH cannot create venvs (pyenv builds can).
python3 -c 'import venv, ensurepip' 2>/dev/null || pkgs+=(python3-venv)
need=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || need+=("$p")
done
if ((${#need[@]})); then
  echo "installing: ${need[*]}"
  "${SUDO[@]}" apt-get update -qq
  "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
else
  echo "all present"
fi
for t in node npm python3 cargo rustup chromium chromedriver gzip openssl; do
  command -v "$t" >/dev/null || { echo "missing required tool: $t" >&2; exit 1; }
done
node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)' \
  || { echo "node >= 20 required, have $(node --version)" >&2; exit 1; }

phase "rust target + wasm-bindgen-cli"
rustup target add wasm32-unknown-unknown
WBG=$(awk '$0=="name = \"wasm-bindgen\""{getline; gsub(/version = |"/,""); print; exit}' Cargo.lock)
HAVE=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
if [ "$HAVE" = "$WBG" ] && command -v wasm-bindgen-test-runner >/dev/null; then
  echo "wasm-bindgen $WBG already installed"
else
  echo "installing wasm-bindgen-cli $WBG (have: ${HAVE:-none})"
  # No --locked: the CLI's own lockfile pins a crate version the index here does not serve.
  cargo install wasm-bindgen-cli --version "=$WBG"
fi
# cargo-fuzz (fuzz/, `make fuzz-smoke`). It needs -Z flags: the Makefile uses nightly where
# rustup has it and otherwise stable with RUSTC_BOOTSTRAP=1, so no nightly is installed here.
if command -v cargo-fuzz >/dev/null; then
  echo "cargo-fuzz already installed"
else
  echo "installing cargo-fuzz"
  # --locked: cargo-fuzz's own lockfile resolves against the index here (checked), and keeps
  # its build reproducible.
  cargo install cargo-fuzz --locked
fi
rustc --version; cargo --version; wasm-bindgen --version; node --version; python3 --version

phase "test dependencies (npm ci, python venv)"
(cd tests && npm ci --no-audit --no-fund)
make venv

