#!/usr/bin/env bash
# Installs the real editor that `npm start` (without `code` on PATH) and `npm run test:e2e` use:
# code-server (VS Code 1.100.3 served to a browser) and playwright-core, in test/e2e/node_modules,
# plus the Debian packages their install and the tests need. Idempotent: a second run changes
# nothing. It works offline (only the npm registry and Debian's archive): see the comments below.
#
# Exit codes: 0 installed (or already installed), 2 this system cannot run it (the message says
# what to install instead), anything else a failed step.
set -euo pipefail
E2E_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$E2E_DIR"

cannot_run() {
  # Keep in step with MANUAL_SETUP in choose-editor.ts, which gives the same advice.
  cat >&2 <<EOF
setup.sh: $1
It needs Debian or Ubuntu (apt-get, as root or with sudo) on x86_64 or arm64. Instead, either
  - install VS Code and put its \`code\` command on PATH, then run \`npm start\` again, or
  - install by hand: a C/C++ toolchain and Kerberos headers (for code-server's native modules),
    ripgrep, and Chromium; then in test/e2e/: npm ci --unsafe-perm
EOF
  exit 2
}

[ "$(uname -s)" = Linux ] || cannot_run "this is $(uname -s), not Linux."
command -v apt-get >/dev/null 2>&1 || cannot_run "apt-get is not available."
case "$(uname -m)" in
  x86_64) rg_target=x86_64-unknown-linux-musl ;;
  aarch64 | arm64) rg_target=aarch64-unknown-linux-musl ;;
  *) cannot_run "the architecture $(uname -m) is not supported." ;;
esac
if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1; then
  sudo=(sudo)
else
  cannot_run "it is not running as root and sudo is not available."
fi

# 1. Debian packages, only those missing: Kerberos headers for code-server's `kerberos` module,
#    ripgrep (its binary replaces the one @vscode/ripgrep would download), Chromium for the tests.
missing=()
for package in libkrb5-dev ripgrep chromium; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' ||
    missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]} (apt-get)"
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
fi

# 2. code-server and playwright-core, exactly as locked in package-lock.json. The stamp records
#    which lock the installed tree came from, so an unchanged lock means there is nothing to do
#    (npm ci would delete node_modules and start again).
lock_hash="$(sha256sum package-lock.json | cut -d' ' -f1)"
stamp=node_modules/.lockstep-setup-stamp
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$lock_hash" ] && [ -x node_modules/.bin/code-server ]; then
  echo "setup: code-server and playwright-core already installed in $E2E_DIR/node_modules"
  exit 0
fi

# @vscode/ripgrep 1.15.11 (inside code-server 4.100.3) downloads rg from GitHub unless its cache
# already holds the archive it wants: give it Debian's rg under that name, at the archive root.
rg_cache="$(node -p "require('os').tmpdir()")/vscode-ripgrep-cache-1.15.11"
rg_archive="$rg_cache/ripgrep-v13.0.0-10-$rg_target.tar.gz"
if [ ! -f "$rg_archive" ]; then
  mkdir -p "$rg_cache"
  tar -czf "$rg_archive.tmp" -C /usr/bin rg
  mv "$rg_archive.tmp" "$rg_archive"
fi

echo "setup: installing code-server and playwright-core into $E2E_DIR/node_modules (about 2 minutes)"
# npm_config_yes: a nested `npx node-gyp` must not stop at a prompt; --unsafe-perm: as root, the
# install scripts would otherwise run as nobody and fail to write.
npm_config_yes=true npm ci --unsafe-perm --no-audit --no-fund --loglevel=error
echo "$lock_hash" >"$stamp"
echo "setup: done"
