import type { Page } from 'playwright-core';
import { ErrorInjector } from '../../lib/injector';
import { createInjectionServer, dashboardHandler, ShardGroup } from '../../lib/server';
import { DASHBOARD_PATH } from '../../lib/wire';
import { openBrowser, type Browser } from './chromium';

// What the dashboard's browser specs share: a server on loopback with the dashboard, a packaged Chromium, and
// one hang guard per test for all its waits.

/**
 * Each test's waits share one hang guard, shorter than jest's 30 s timeout: on a machine too busy to finish in
 * time, the wait that runs out names the condition it was waiting for, instead of jest's bare "Exceeded timeout".
 */
export const TEST_BUDGET = 25_000;
/** Set-up: unpacking the packaged Chromium on first use, then launching it; hang guards only. */
export const BROWSER_SETUP_TIMEOUT = 150_000;

/** Milliseconds left of this test's budget, for the next wait. */
export function budget(ms = TEST_BUDGET): () => number {
  const end = Date.now() + ms;
  return () => Math.max(1, end - Date.now());
}

/** One packaged Chromium for a describe: opened in its beforeAll, closed in its afterAll. */
export function suiteBrowser(): { readonly browser: Browser } {
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await openBrowser();
  }, BROWSER_SETUP_TIMEOUT);
  afterAll(async () => {
    await browser?.close();
  });
  return {
    get browser(): Browser {
      if (browser === undefined) throw new Error('suiteBrowser: the browser is used before its beforeAll ran');
      return browser;
    },
  };
}

/** Opens the dashboard of the server at `base` and waits until its stream is open and its first state read done. */
export async function openDashboard(page: Page, base: string, left: () => number, query = ''): Promise<void> {
  await page.goto(base + DASHBOARD_PATH + query, { timeout: left() });
  await page.waitForSelector('#conn[data-state="open"]', { timeout: left() });
  await page.waitForSelector('body[data-state-read]', { timeout: left() });
}

/** The page's in-process server (one ShardGroup on its own injector) and a browser, for one describe. */
export interface Stand {
  injector: ErrorInjector;
  group: ShardGroup;
  readonly browser: Browser;
  /** The server's URL without a trailing slash. */
  base: string;
}

/** Registers the describe's set-up and tear-down; the stand's fields are there from its beforeAll on. */
export function dashboardStand(token?: string): Stand {
  const suite = suiteBrowser();
  const stand = {
    get browser(): Browser {
      return suite.browser;
    },
  } as Stand;
  let server: { url: string; close(): Promise<void> } | undefined;
  beforeAll(async () => {
    stand.injector = new ErrorInjector();
    stand.group = new ShardGroup({ injector: stand.injector });
    const auth = token === undefined ? {} : { token };
    server = await createInjectionServer({ shards: stand.group, host: '127.0.0.1', port: 0, ui: dashboardHandler, ...auth });
    stand.base = server.url.replace(/\/+$/, '');
  });
  afterAll(async () => {
    await server?.close();
    await stand.group?.close();
  });
  return stand;
}
