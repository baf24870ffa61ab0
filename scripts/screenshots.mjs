// Takes the dashboard screenshots in docs/images/ (`npm run docs:screenshots`, which builds first): the BUILT
// `faultline serve --demo --shards 4` on loopback, driven over REST into a state worth showing, photographed by
// the packaged Chromium (scripts/packaged-chromium.cjs). Run it again when the page changes, and commit the PNGs.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const { CHROMIUM_ARGS, chromiumExecutable } = require('./packaged-chromium.cjs');
const { API_BASE_PATH, DASHBOARD_PATH } = require('../dist/cjs/wire.js');

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'docs', 'images');
/** How long the demo runs before the overview is taken, so the timeline has a few bursts to show. */
const WARM_UP_MS = 40_000;
const DEADLINE_MS = 30_000;

function startServe() {
  const child = spawn(process.execPath, [join(root, 'dist/cjs/cli/main.js'), 'serve', '--demo', '--shards', '4', '--port', '0'], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, NO_COLOR: '1' },
  });
  const url = new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`serve printed no URL within ${DEADLINE_MS} ms:\n${text}`)), DEADLINE_MS);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      text += chunk;
      const found = /listening on (http:\/\/\S+)/.exec(text);
      if (found) {
        clearTimeout(timer);
        resolve(found[1]);
      }
    });
    child.once('exit', (code) => reject(new Error(`serve exited with ${code} before it listened:\n${text}`)));
  });
  return { child, url };
}

async function rest(base, method, path, body) {
  const res = await fetch(base + API_BASE_PATH + path, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
}

const serve = startServe();
const profile = mkdtempSync(join(tmpdir(), 'faultline-screenshots-'));
let context;
try {
  const base = await serve.url;
  context = await chromium.launchPersistentContext(profile, {
    executablePath: await chromiumExecutable(),
    headless: true,
    args: [...CHROMIUM_ARGS],
    viewport: { width: 1360, height: 900 },
    colorScheme: 'light',
  });
  const page = context.pages()[0] ?? (await context.newPage());
  await page.goto(base + DASHBOARD_PATH, { timeout: DEADLINE_MS });
  await page.waitForSelector('body[data-state-read]', { timeout: DEADLINE_MS });
  mkdirSync(out, { recursive: true });

  // A burst, a steady stream with parameters, a count that runs out, and handlers left waiting.
  await rest(base, 'POST', '/injection/demo_exception?count=25', {});
  await rest(base, 'POST', '/injection/demo_lambda', { user: 'alice', region: 'eu-west' });
  await delay(WARM_UP_MS / 2);
  await rest(base, 'POST', '/injection/demo_sleep', { ms: '50' });
  await rest(base, 'POST', '/injection/demo_handler?one_shot=true', { timeout: '600000' });
  await page.waitForSelector('#parked-list li[data-injection="demo_handler"]', { timeout: DEADLINE_MS });
  await delay(WARM_UP_MS / 2);
  await page.fill('#enable-name', 'payment_timeout');
  await page.check('#enable-one-shot');
  await page.screenshot({ path: join(out, 'dashboard.png'), fullPage: true });
  await page.locator('aside.side').screenshot({ path: join(out, 'dashboard-enabled-and-parked.png') });
  await page.locator('#timeline').locator('xpath=..').screenshot({ path: join(out, 'dashboard-timeline.png') });

  // The server goes away: the page says so and turns its buttons off.
  serve.child.kill('SIGKILL');
  await page.waitForSelector('body[data-stale]', { timeout: DEADLINE_MS });
  await page.screenshot({ path: join(out, 'dashboard-disconnected.png'), clip: { x: 0, y: 0, width: 1360, height: 640 } });
  console.log(`screenshots written to ${out}`);
} finally {
  await context?.close();
  rmSync(profile, { recursive: true, force: true });
  if (serve.child.exitCode === null && serve.child.signalCode === null) serve.child.kill('SIGKILL');
}
