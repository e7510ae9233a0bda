#!/usr/bin/env bash
# Installs everything briefing needs on a Debian/Ubuntu machine with Node >= 20, then prints every briefing.
#   - Chromium from the distribution (Puppeteer's own browser download is skipped: it is not needed
#     and cannot be fetched on machines without general internet access), and its headless shell where
#     the distribution has one (Debian's chromium-headless-shell), which prints with less CPU;
#   - poppler-utils, for looking at pages as images (pdftoppm) and for the visual tests;
#   - the npm packages, from package-lock.json;
#   - the compiled command, then `briefing build`.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || command -v google-chrome >/dev/null 2>&1 || [ -n "${PUPPETEER_EXECUTABLE_PATH:-}" ] || need_apt+=(chromium)
command -v pdftoppm >/dev/null 2>&1 || need_apt+=(poppler-utils)
if [ ${#need_apt[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "installing ${need_apt[*]} with apt-get"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi
if [ -z "${PUPPETEER_EXECUTABLE_PATH:-}" ] && ! command -v chromium-headless-shell >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "installing chromium-headless-shell with apt-get (optional: briefing prints with chromium without it)"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends chromium-headless-shell >/dev/null 2>&1 \
    || { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends chromium-headless-shell >/dev/null 2>&1; } \
    || echo "chromium-headless-shell is not available here; printing with chromium"
fi

export PUPPETEER_SKIP_DOWNLOAD=1
npm ci --no-audit --no-fund
npm run build:ts
node bin/briefing.js build "$@"
