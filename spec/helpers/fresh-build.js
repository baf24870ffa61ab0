// jest's global setup for the layers that load the BUILT package (worker fixtures `require('faultline')`, the
// CLI run as a child, the package tests): builds dist/ when it is missing or older than any source of it, so
// no test ever runs yesterday's build. An up-to-date dist/ is left alone (the run starts at once).
'use strict';
const { execFileSync } = require('node:child_process');
const { existsSync, readdirSync, statSync } = require('node:fs');
const { join } = require('node:path');

const ROOT = join(__dirname, '..', '..');
/** What the build reads. */
const SOURCES = ['lib', 'scripts/build.mjs', 'tsconfig.json', 'tsconfig.build.json', 'package.json'];
/** Written last by scripts/build.mjs, so its time is when the build finished. */
const BUILT = join(ROOT, 'dist', 'esm', 'client.d.mts');

function newestMtime(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

/** Why dist/ must be rebuilt, or null when it is up to date. */
function staleReason() {
  if (!existsSync(BUILT)) return 'dist/ is missing';
  const built = statSync(BUILT).mtimeMs;
  const newer = SOURCES.filter((source) => newestMtime(join(ROOT, source)) > built);
  return newer.length ? `${newer.join(', ')} changed since dist/ was built` : null;
}

module.exports = async function freshBuild() {
  const reason = staleReason();
  if (reason === null) return;
  process.stderr.write(`\n${reason}: building it (npm run build) before the tests that load the package\n`);
  try {
    execFileSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, stdio: 'inherit' });
  } catch (err) {
    throw new Error(`npm run build failed, so the tests that load the built package cannot run: ${err.message}`);
  }
};
