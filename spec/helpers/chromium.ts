import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

// The browser of the dashboard's test: the Chromium that ships inside the npm package @sparticuz/chromium,
// never a system one, so every machine runs the same browser and `npm ci` is the only set-up.
//
// The package unpacks its brotli-compressed binary into os.tmpdir() and reuses whatever `chromium` it finds
// there, whichever version, whoever wrote it, even half-written. So it unpacks here in a child process whose
// TMPDIR is a private staging folder, which is then renamed into a cache folder named after the package's
// version: concurrent runs cannot see each other's half-written files, and an upgrade unpacks afresh.

const PACKAGE_ROOT = join(__dirname, '..', '..');
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
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

function sparticuzVersion(): string {
  // Its `exports` do not expose package.json; the entry point is build/cjs/index.cjs.
  const manifest = join(dirname(require.resolve('@sparticuz/chromium')), '..', '..', 'package.json');
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
}

function unpackInto(dir: string): Promise<string> {
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
export async function chromiumExecutable(): Promise<string> {
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

export interface Browser {
  context: BrowserContext;
  page: Page;
  /** Uncaught page errors and console errors, in order. */
  errors: string[];
  close(): Promise<void>;
}

/** A fresh headless Chromium with its own profile, and its first page. */
export async function openBrowser(): Promise<Browser> {
  const executablePath = await chromiumExecutable();
  const profile = mkdtempSync(join(tmpdir(), 'faultline-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1360, height: 900 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(msg.text());
  });
  return {
    context,
    page,
    errors,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
