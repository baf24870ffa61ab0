#!/usr/bin/env bash
# The package as a user gets it: `npm pack` (prepack builds), the tarball installed into a scratch project
# outside the repo that already depends on rxjs 7.5, then
#   - the tarball holds dist/, README.md, LICENSE and package.json only, and the project has one rxjs;
#   - a small TypeScript test type-checks under module commonjs + node10 resolution, node16, nodenext and
#     bundler (as CommonJS .ts and, where the resolution has both, ESM .mts);
#   - the same small test (open a stream, enable a one-shot, await the hit, close) passes under jest
#     (CommonJS), vitest (ESM) and `node --test` (ESM .mjs and CommonJS .cjs), and so do the suites in
#     examples/ (one per runner, using faultline/testing), in the same runner processes.
# The project's files are in scripts/consumer/. One `npm install` of the scratch project (jest and typescript
# at the versions this repo tests with, vitest 4, @types/node 20).
# Usage: scripts/consumer-check.sh [--json FILE]   FILE gets a jest-like summary for scripts/ci-summary.mjs.
# FAULTLINE_CONSUMER_NODE_BINS=dir[:dir...] runs the three runners again on each of those Nodes.
set -uo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
json=""
[ "${1:-}" = "--json" ] && json="$2"

scratch=$(mktemp -d "${TMPDIR:-/tmp}/faultline-consumer.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
passed=0
failed=0
failures=()

check() { # check NAME COMMAND...: runs it in the scratch project, output shown only when it fails
  local name=$1 out
  shift
  if out=$(cd "$scratch" && "$@" 2>&1); then
    passed=$((passed + 1))
    echo "  ok    $name"
  else
    failed=$((failed + 1))
    failures+=("$name")
    echo "  FAIL  $name"
    printf '%s\n' "$out" | sed 's/^/        /'
  fi
}

version_of() { node -p "require('$repo/node_modules/$1/package.json').version"; }

cp -r "$repo/scripts/consumer/." "$scratch/"
# The examples as they are in the repo, minus their package.json (the scratch project is their project).
mkdir -p "$scratch/examples"
cp -r "$repo/examples/orders.cjs" "$repo/examples/jest" "$repo/examples/jest-parallel" "$repo/examples/jest-parallel.config.cjs" \
  "$repo/examples/vitest" "$repo/examples/node-test" "$scratch/examples/"
cp "$scratch/typed.ts" "$scratch/typed.mts"

echo "== consumer check in $scratch"
tarball=$(cd "$repo" && npm pack --silent --pack-destination "$scratch" | tail -n 1)
if [ ! -f "$scratch/$tarball" ]; then
  echo "npm pack made no tarball" >&2
  exit 1
fi

check "the tarball holds dist/, README.md, LICENSE and package.json only" \
  bash -c "! { tar -tzf '$tarball' | grep -Ev '^package/(dist/.+|README\.md|LICENSE|package\.json)$'; }"
check "the tarball has LICENSE, README.md and every entry point" \
  bash -c "for f in LICENSE README.md dist/cjs/index.js dist/esm/client.mjs dist/cjs/client/index.d.ts; do tar -tzf '$tarball' | grep -qx \"package/\$f\" || { echo \"missing \$f\"; exit 1; }; done"

# The project had rxjs 7.5 before it added faultline.
(cd "$scratch" && npm pkg set 'dependencies.rxjs=7.5.7' >/dev/null)
if ! (cd "$scratch" && npm install --no-audit --no-fund --loglevel=error \
  "./$tarball" "typescript@$(version_of typescript)" "jest@$(version_of jest)" vitest@4 @types/node@20 >install.log 2>&1); then
  cat "$scratch/install.log" >&2
  echo "npm install of the scratch project failed" >&2
  exit 1
fi

check "one copy of rxjs, the project's 7.5.7" \
  bash -c "npm ls rxjs --all --parseable | grep -c node_modules/rxjs\$ | grep -qx 1 && node -p \"require('rxjs/package.json').version\" | grep -qx 7.5.7 && test ! -e node_modules/faultline/node_modules/rxjs"

for resolution in node10 node16 nodenext bundler; do
  check "tsc, $resolution resolution" npx --no-install tsc -p "tsconfig.$resolution.json"
done

runners() { # runners LABEL: the same scenario under each test runner, on the node first on PATH
  check "jest (CommonJS), with examples/jest$1" npx --no-install jest --config jest.config.cjs --ci
  check "jest, two test files in parallel against one app server, scoped (examples/jest-parallel)$1" \
    bash -c "cd examples && npx --no-install jest --config jest-parallel.config.cjs --ci"
  check "vitest (ESM), with examples/vitest$1" npx --no-install vitest run --config vitest.config.mjs
  check "node --test (ESM .mjs and CommonJS .cjs), with examples/node-test$1" \
    node --test consumer.test.mjs consumer.test.cjs examples/node-test/orders.test.mjs
}
runners ""
# More Node versions for the runners (the install and the type-checks do not depend on it): a
# colon-separated list of bin directories, e.g. .ci/run's Node 24.
IFS=: read -r -a extra_nodes <<<"${FAULTLINE_CONSUMER_NODE_BINS:-}"
for bin in "${extra_nodes[@]}"; do
  PATH="$bin:$PATH" runners ", on Node $("$bin/node" --version)"
done

echo "consumer check: $passed passed, $failed failed"
if [ -n "$json" ]; then
  node -e '
    const [file, passed, failed, ...names] = process.argv.slice(1);
    const results = names.map((name) => ({ name, status: "failed", assertionResults: [{ title: name, status: "failed" }] }));
    require("node:fs").writeFileSync(file, JSON.stringify({ numPassedTests: +passed, numFailedTests: +failed, testResults: results }));
  ' "$json" "$passed" "$failed" "${failures[@]}"
fi
[ "$failed" = 0 ]
