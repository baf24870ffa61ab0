import type { CDPSession, Page } from 'playwright-core';
import { ErrorInjector } from '../../lib/injector';
import { createInjectionServer, dashboardHandler, ShardGroup, type InjectionServer } from '../../lib/server';
import { ShardWorker } from '../fixtures/workers/shard-worker';
import { budget, openDashboard, suiteBrowser } from '../helpers/dashboard-stand';

// The dashboard under a steady ~500 hits/s (two looping worker shards), in the npm-shipped Chromium: how busy
// its main thread is (Chrome's own task time, and the Long Tasks API) and how long a click takes to be answered
// (the Event Timing API: from the input to the next paint). The figures are printed and recorded in
// docs/benchmarks.md ("Dashboard under load"); nothing here asserts a timing. Run it alone with
// `npx jest spec/dashboard/load.browser.spec.ts`.

/** Each looping worker passes its point BURST times every EVERY_MS: 2 x 5 per 20 ms is about 500 hits/s. */
const WORKERS = 2;
const BURST = 5;
const EVERY_MS = 20;
/** How long each phase is watched, and how often a click is made during it (pacing, as a person clicks). */
const WINDOW_MS = 6_000;
const CLICK_EVERY_MS = 500;

/** Installed before the page's own code: records long tasks and the timing of each click. */
const MEASURE = `
  window.__measure = { longTasks: [], clicks: [] };
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__measure.longTasks.push({ start: e.startTime, duration: e.duration });
  }).observe({ type: 'longtask', buffered: true });
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if (e.name === 'click') window.__measure.clicks.push({ start: e.startTime, duration: e.duration });
  }).observe({ type: 'event', durationThreshold: 16, buffered: true });
`;

interface PhaseFigures {
  phase: string;
  hitsPerSecond: number;
  busyPercent: number;
  /** Shares of the wall time spent in script, layout and style recalculation (part of busyPercent). */
  scriptPercent: number;
  layoutPercent: number;
  stylePercent: number;
  longTasks: number;
  longTaskMs: number;
  clicks: number;
  /** Event Timing reports only clicks of 16 ms or more; the others count as under 16. */
  clicksOver16ms: number;
  clickMaxMs: number;
  clickMedianMs: number;
  /** From the test's click to the page showing its effect, through the DevTools protocol (an upper bound). */
  roundTripMedianMs: number;
}

interface Measured {
  longTasks: { start: number; duration: number }[];
  clicks: { start: number; duration: number }[];
}

/** Chrome's cumulative main-thread seconds: all tasks, and the script, layout and style work within them. */
const METRICS = ['TaskDuration', 'ScriptDuration', 'LayoutDuration', 'RecalcStyleDuration'] as const;
type Seconds = Record<(typeof METRICS)[number], number>;

async function mainThreadSeconds(cdp: CDPSession): Promise<Seconds> {
  const { metrics } = (await cdp.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] };
  return Object.fromEntries(METRICS.map((name) => [name, metrics.find((m) => m.name === name)?.value ?? NaN])) as Seconds;
}

const median = (xs: number[]): number => {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

/** Watches one phase: clicks "+ Add parameter" every CLICK_EVERY_MS and waits for each new row. */
async function watchPhase(page: Page, cdp: CDPSession, phase: string, left: () => number): Promise<PhaseFigures> {
  const pageNow = (): Promise<number> => page.evaluate(() => performance.now());
  const totalOf = async (): Promise<number> => Number(((await page.textContent('#stat-total')) ?? '0').replace(/\D/g, ''));
  const total0 = await totalOf();
  const seconds0 = await mainThreadSeconds(cdp);
  const since = await pageNow();
  const wall0 = Date.now();
  const roundTrips: number[] = [];
  let clicks = 0;
  while (Date.now() - wall0 < WINDOW_MS) {
    const rows = await page.locator('.param-row').count();
    const t = Date.now();
    await page.click('#add-param', { timeout: left() });
    await page.locator('.param-row').nth(rows).waitFor({ timeout: left() });
    roundTrips.push(Date.now() - t);
    clicks++;
    // Pacing between clicks, not a wait for anything: the page goes on working meanwhile.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, CLICK_EVERY_MS - (Date.now() - t))));
  }
  const wall = Date.now() - wall0;
  const seconds1 = await mainThreadSeconds(cdp);
  const percent = (name: (typeof METRICS)[number]): number => Math.round(((seconds1[name] - seconds0[name]) * 1000 * 100) / wall);
  const total = (await totalOf()) - total0;
  const measured = (await page.evaluate(() => (globalThis as unknown as { __measure: unknown }).__measure)) as Measured;
  const longTasks = measured.longTasks.filter((e) => e.start >= since);
  const slowClicks = measured.clicks.filter((e) => e.start >= since).map((e) => e.duration);
  const allClicks = [...slowClicks, ...Array.from({ length: Math.max(0, clicks - slowClicks.length) }, () => 0)];
  return {
    phase,
    hitsPerSecond: Math.round((total / wall) * 1000),
    busyPercent: percent('TaskDuration'),
    scriptPercent: percent('ScriptDuration'),
    layoutPercent: percent('LayoutDuration'),
    stylePercent: percent('RecalcStyleDuration'),
    longTasks: longTasks.length,
    longTaskMs: Math.round(longTasks.reduce((sum, e) => sum + e.duration, 0)),
    clicks,
    clicksOver16ms: slowClicks.length,
    clickMaxMs: Math.round(Math.max(0, ...slowClicks)),
    clickMedianMs: Math.round(median(allClicks)),
    roundTripMedianMs: Math.round(median(roundTrips)),
  };
}

describe('dashboard in Chromium under ~500 hits/s', () => {
  const suite = suiteBrowser();
  let server: InjectionServer;
  let group: ShardGroup;
  const workers: ShardWorker[] = [];
  const figures: PhaseFigures[] = [];

  beforeAll(async () => {
    group = new ShardGroup({ injector: new ErrorInjector() });
    for (let i = 0; i < WORKERS; i++) {
      const w = new ShardWorker('looping-shard', { name: `load_${i}`, burst: BURST, everyMs: EVERY_MS });
      workers.push(w);
      await group.addWorker(w.worker);
    }
    server = await createInjectionServer({ shards: group, host: '127.0.0.1', port: 0, ui: dashboardHandler });
  });

  afterAll(async () => {
    await server?.close();
    await Promise.all(workers.map((w) => w.stop()));
    await group?.close();
    if (figures.length) console.log(`dashboard under load (Chromium, headless, software rendering):\n${JSON.stringify(figures, null, 2)}`);
  });

  it('measures the page idle, then at about 500 hits/s (figures printed, not asserted)', async () => {
    const left = budget();
    const { browser } = suite;
    const { page } = browser;
    const base = server.url.replace(/\/+$/, '');
    await page.addInitScript({ content: MEASURE });
    await openDashboard(page, base, left);
    const cdp = await browser.context.newCDPSession(page);
    await cdp.send('Performance.enable');

    figures.push(await watchPhase(page, cdp, 'idle', left));
    await group.enableOnAll('load_0');
    await group.enableOnAll('load_1');
    await page.waitForSelector('#hits tbody tr', { timeout: left() });
    figures.push(await watchPhase(page, cdp, `${WORKERS} shards x ${BURST} hits per ${EVERY_MS} ms`, left));
    await group.disableAllOnAll();

    // What the page saw is what was sent: the figures are of a page that kept up.
    expect(figures[1].hitsPerSecond).toBeGreaterThan(0);
    expect(figures[1].clicks).toBeGreaterThan(0);
    expect(browser.errors).toEqual([]);
  });
});
