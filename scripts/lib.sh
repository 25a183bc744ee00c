# Shared by scripts/run, scripts/test and scripts/setup. Each step installs a
# tool only when it is missing, so a second run skips straight to the work.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$HOME/.cargo/bin:$PATH"
TRUNK_VERSION="0.21.14"

SAMSKAB_T0="${SAMSKAB_T0:-$(date +%s)}"; export SAMSKAB_T0
# Each step is printed with the seconds since the command started, so a slow
# step shows in any log.
say() { printf '\033[1m==> [%4ss] %s\033[0m\n' "$(( $(date +%s) - SAMSKAB_T0 ))" "$*" >&2; }

# The tools below are built from crates.io once per machine. They orchestrate
# and post-process; none of them is on a hot path, so they are built without
# optimisation, link-time or other: trunk then builds in 187 s instead of
# 447 s at opt-level 2 (2-core VM), wasm-bindgen-cli in 64 s instead of
# 191 s, and wasm-bindgen takes 2.5 s instead of 0.7 s on the app.
install_tool() {
  CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
    CARGO_PROFILE_RELEASE_OPT_LEVEL=0 CARGO_PROFILE_RELEASE_DEBUG=false \
    CARGO_TARGET_DIR="${CARGO_HOME:-$HOME/.cargo}/samskab-tool-build" \
    cargo install "$@"
}

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "need root for: $*" >&2; return 1; fi
}

ensure_rust() {
  if ! command -v cargo >/dev/null; then
    echo "Rust is not installed: see https://rustup.rs (this project needs Rust 1.90 or newer)" >&2
    exit 1
  fi
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    say "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
  for c in clippy rustfmt; do
    if ! rustup component list --installed | grep -q "^$c"; then
      say "adding rustup component $c"
      rustup component add "$c"
    fi
  done
}

# The wasm-bindgen version pinned in Cargo.lock; the CLI must match it exactly.
wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$ROOT/Cargo.lock"
}

ensure_web_tools() {
  ensure_rust
  if ! trunk --version 2>/dev/null | grep -q "$TRUNK_VERSION"; then
    say "installing trunk $TRUNK_VERSION (about 3 minutes, once)"
    install_tool "trunk@$TRUNK_VERSION" --locked
  fi
  local wbg
  wbg="$(wasm_bindgen_version)"
  if ! wasm-bindgen --version 2>/dev/null | grep -q " $wbg\$"; then
    say "installing wasm-bindgen-cli $wbg (about a minute, once)"
    # Not --locked: its lock file names a crate version the registry no longer serves.
    install_tool "wasm-bindgen-cli@$wbg"
  fi
  ensure_wasm_opt
}

# Binaryen's wasm-opt, which Trunk runs on release builds of the web app
# (frontend/index.html), at the version Trunk.toml pins (`version_N`). It
# comes from npm (Binaryen compiled to WebAssembly, run by Node): Debian's
# binaryen 108 is too old and breaks the app.
WEB_TOOLS="${CARGO_HOME:-$HOME/.cargo}/samskab-web-tools"
export PATH="$WEB_TOOLS/node_modules/.bin:$PATH"
binaryen_version() {
  awk -F'"' '/^wasm_opt = / { sub(/^version_/, "", $2); print $2; exit }' "$ROOT/Trunk.toml"
}
ensure_wasm_opt() {
  local v
  v="$(binaryen_version)"
  if wasm-opt --version 2>/dev/null | grep -q "version $v "; then
    return
  fi
  if ! command -v npm >/dev/null; then
    echo "npm is needed to install Binaryen's wasm-opt (Node.js 18 or newer)" >&2
    return 1
  fi
  say "installing Binaryen $v (wasm-opt) from npm"
  mkdir -p "$WEB_TOOLS"
  npm install --prefix "$WEB_TOOLS" --no-save --no-audit --no-fund --silent \
    "binaryen@$v.0.0"
}

ensure_chromium() {
  if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then
    return
  fi
  say "installing Chromium and ChromeDriver from Debian (for the browser tests)"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq chromium chromium-driver >/dev/null
}

build_frontend() {
  say "building the web app (trunk build --release --offline)"
  (cd "$ROOT" && trunk build --release --offline)
}
