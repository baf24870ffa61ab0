// The project's browser: the Chromium that ships inside the npm package @sparticuz/chromium, never a system one,
// so every machine runs the same browser and `npm ci` is the only set-up. Used by the dashboard's browser specs
// (spec/helpers/chromium.ts) and by `npm run docs:screenshots` (scripts/screenshots.mjs).
//
// The package unpacks its brotli-compressed binary into os.tmpdir() and reuses whatever `chromium` it finds
// there, whichever version, whoever wrote it, even half-written. So it unpacks here in a child process whose
// TMPDIR is a private staging folder, which is then renamed into a cache folder named after the package's
// version: concurrent runs cannot see each other's half-written files, and an upgrade unpacks afresh.
'use strict';
const { execFile } = require('node:child_process');
const { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } = require('node:fs');
const { dirname, join } = require('node:path');

const PACKAGE_ROOT = join(__dirname, '..');
const CACHE_ROOT = join(PACKAGE_ROOT, 'node_modules', '.cache', 'faultline-chromium');
/** Generous: unpacking about 200 MB takes 2 s on an idle 2-core machine. Only a hang guard. */
const UNPACK_DEADLINE_MS = 120_000;

/**
 * Flags for a headless Chromium on a machine without network, run as root in a container:
 * - `--no-sandbox`: Chromium refuses to start as root with its sandbox, and a container may lack user
 *   namespaces (playwright-core passes it too unless `chromiumSandbox` is set; it is stated here so that what
 *   this machine needs is in one place);
 * - the `--disable-*` and `--no-first-run` flags stop the background requests (updates, sync, QUIC probes,
 *   metrics) that would otherwise wait on a network that is not there;
 * - `--disable-gpu`: no GPU; the page needs none.
 * Deliberately NOT the package's own `args` for serverless use: they include `--disable-web-security` and
 * `--single-process`, and the dashboard's test relies on the page's Content-Security-Policy being enforced.
 */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

function sparticuzVersion() {
  // Its `exports` do not expose package.json; the entry point is build/cjs/index.cjs.
  const manifest = join(dirname(require.resolve('@sparticuz/chromium')), '..', '..', 'package.json');
  return JSON.parse(readFileSync(manifest, 'utf8')).version;
}

function unpackInto(dir) {
  const script = `require('@sparticuz/chromium').executablePath().then((p) => process.stdout.write(p))`;
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['-e', script],
      { cwd: PACKAGE_ROOT, env: { ...process.env, TMPDIR: dir }, timeout: UNPACK_DEADLINE_MS, killSignal: 'SIGKILL' },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`unpacking @sparticuz/chromium failed: ${err.message}\n${stderr}`));
        else resolve(stdout);
      },
    );
  });
}

/** The path of the packaged Chromium binary, unpacked on first use into node_modules/.cache. */
async function chromiumExecutable() {
  const dir = join(CACHE_ROOT, sparticuzVersion());
  const binary = join(dir, 'chromium');
  if (existsSync(binary)) return binary;
  mkdirSync(CACHE_ROOT, { recursive: true });
  const staging = mkdtempSync(join(CACHE_ROOT, '.staging-'));
  try {
    const unpacked = await unpackInto(staging);
    if (unpacked !== join(staging, 'chromium')) throw new Error(`@sparticuz/chromium unpacked to ${unpacked}, not into ${staging}`);
    renameSync(staging, dir);
  } catch (err) {
    rmSync(staging, { recursive: true, force: true });
    // Another run unpacked the same version first: use its copy.
    if (existsSync(binary)) return binary;
    throw err;
  }
  return binary;
}

module.exports = { CHROMIUM_ARGS, chromiumExecutable };
