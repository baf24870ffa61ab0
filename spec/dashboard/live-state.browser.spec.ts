import type { Request } from 'playwright-core';
import { ErrorInjector } from '../../lib/injector';
import { createInjectionServer, dashboardHandler, ShardGroup, type InjectionServer } from '../../lib/server';
import { withRest } from '../helpers/cli-child';
import { budget, dashboardStand, openDashboard, suiteBrowser } from '../helpers/dashboard-stand';

// The dashboard's live state in a real browser (the npm-shipped Chromium): it follows the stream's control and
// handler notices with no polling, shows parked handlers until they are released, goes visibly stale while the
// server is down and announces a restart.

/** The page's buttons that act on the server and are not disabled: none may be while it is disconnected. */
const LIVE_BUTTONS = 'button[data-needs-stream]:not([disabled])';

describe('dashboard live state in Chromium', () => {
  const stand = dashboardStand();

  afterEach(() => {
    stand.injector.disableAll();
  });

  it('releases a parked one-shot handler from the page, after the one-shot left the Enabled card', async () => {
    const left = budget();
    const { page } = stand.browser;
    await openDashboard(page, stand.base, left);
    await withRest(stand.base, (api) => api.enable('ui_parked', { oneShot: true }));
    await page.waitForSelector('#enabled-list li[data-injection="ui_parked"]', { timeout: left() });

    const released = stand.injector.injectHandler('ui_parked', (h) => h.waitForMessage({ timeout: left() }));
    const parked = page.locator('#parked-list li[data-injection="ui_parked"]');
    await parked.waitFor({ timeout: left() });
    // The one-shot fired on the only shard: it is off, as the server says, yet its handler waits.
    await page.waitForSelector('#enabled-list li[data-injection="ui_parked"]', { state: 'detached', timeout: left() });
    expect(stand.injector.isEnabled('ui_parked')).toBe(false);
    expect(await parked.locator('.chip').allTextContents()).toEqual(['1 handler waiting', 'shard 0', expect.stringMatching(/^since \d\d:\d\d:\d\d$/), 'no longer enabled']);

    await parked.locator('button[data-action="message"]').click({ timeout: left() });
    await released;
    await parked.waitFor({ state: 'detached', timeout: left() });
    await page.waitForSelector('#parked-empty', { state: 'visible', timeout: left() });
    expect(stand.browser.errors).toEqual([]);
  });

  it('shows a handler that parked before the page opened (read from GET /parked) and releases it', async () => {
    const left = budget();
    const { page } = stand.browser;
    await withRest(stand.base, (api) => api.enable('ui_early', { oneShot: true }));
    const released = stand.injector.injectHandler('ui_early', (h) => h.waitForMessage({ timeout: left() }));
    await withRest(stand.base, async (api) => expect(await api.parked()).toEqual([{ injection: 'ui_early', shard: 0, waiters: 1 }]));

    await openDashboard(page, stand.base, left);
    const parked = page.locator('#parked-list li[data-injection="ui_early"]');
    await parked.waitFor({ timeout: left() });
    expect(await parked.locator('.chip').allTextContents()).toEqual([
      '1 handler waiting',
      'shard 0',
      expect.stringMatching(/^since before \d\d:\d\d:\d\d$/),
      'no longer enabled',
    ]);
    await parked.locator('button[data-action="message"]').click({ timeout: left() });
    await released;
    await parked.waitFor({ state: 'detached', timeout: left() });
    expect(stand.browser.errors).toEqual([]);
  });

  it('follows control notices into the Enabled card without a single request of its own', async () => {
    const left = budget();
    const { page } = stand.browser;
    await openDashboard(page, stand.base, left);
    const requests: string[] = [];
    const record = (req: Request): void => void requests.push(`${req.method()} ${new URL(req.url()).pathname}`);
    page.on('request', record);
    try {
      await withRest(stand.base, (api) => api.enable('ui_ctrl', { count: 3, parameters: { mode: 'slow' } }));
      const item = page.locator('#enabled-list li[data-injection="ui_ctrl"]');
      await item.waitFor({ timeout: left() });
      expect(await item.locator('.chip').allTextContents()).toEqual(['on 1/1 shards', 'count 3 per shard', 'mode=slow', '0 hits since enabled']);

      stand.injector.enter('ui_ctrl');
      await item.locator('.chip.hits:text-is("1 hit since enabled")').waitFor({ timeout: left() });
      await withRest(stand.base, (api) => api.message('ui_ctrl'));
      await item.locator('.chip:text-matches("^messaged ")').waitFor({ timeout: left() });

      await withRest(stand.base, async (api) => {
        await api.enable('ui_ctrl2');
        await api.disable('ui_ctrl');
      });
      await page.waitForSelector('#enabled-list li[data-injection="ui_ctrl"]', { state: 'detached', timeout: left() });
      await page.waitForSelector('#enabled-list li[data-injection="ui_ctrl2"]', { timeout: left() });
      await withRest(stand.base, (api) => api.disableAll());
      await page.waitForSelector('#enabled-empty', { state: 'visible', timeout: left() });
      // The count ran out on every shard: the card drops it by itself, from the hits.
      await withRest(stand.base, (api) => api.enable('ui_twice', { count: 2 }));
      await page.waitForSelector('#enabled-list li[data-injection="ui_twice"]', { timeout: left() });
      stand.injector.enter('ui_twice');
      stand.injector.enter('ui_twice');
      await page.waitForSelector('#enabled-list li[data-injection="ui_twice"]', { state: 'detached', timeout: left() });
    } finally {
      page.off('request', record);
    }
    expect(requests).toEqual([]);
    expect(stand.browser.errors).toEqual([]);
  });

  it('runs no script but its own modules: an inline script is refused by the CSP', async () => {
    const left = budget();
    const page = await stand.browser.context.newPage();
    const violations: string[] = [];
    page.on('console', (msg) => {
      if (msg.type() === 'error') violations.push(msg.text());
    });
    try {
      await openDashboard(page, stand.base, left);
      await page.addScriptTag({ content: 'document.body.setAttribute("data-injected", "1")' }).catch(() => undefined);
      await page.waitForSelector('#conn[data-state="open"]', { timeout: left() });
      expect(await page.$('body[data-injected]')).toBeNull();
      expect(violations.join('\n')).toMatch(/Content Security Policy/);
    } finally {
      await page.close();
    }
  });
});

describe('dashboard in Chromium while its server goes away and comes back', () => {
  const suite = suiteBrowser();
  let server: InjectionServer | undefined;
  let group: ShardGroup | undefined;

  async function start(port: number): Promise<{ injector: ErrorInjector; group: ShardGroup; base: string }> {
    const injector = new ErrorInjector();
    const started = new ShardGroup({ injector });
    group = started;
    server = await createInjectionServer({ shards: started, host: '127.0.0.1', port, ui: dashboardHandler });
    return { injector, group: started, base: server.url.replace(/\/+$/, '') };
  }

  async function stop(): Promise<void> {
    await server?.close();
    await group?.close();
    server = group = undefined;
  }

  afterAll(stop);

  it('shows everything stale with its buttons off while down, then announces the restart and counts afresh', async () => {
    const left = budget();
    const { browser } = suite;
    const { page } = browser;
    const first = await start(0);
    const port = Number(new URL(first.base).port);
    await openDashboard(page, first.base, left);
    // Through the group, as REST does: a change made on an injector directly sends no control notice.
    await first.group.enableOnAll('ui_before', { parameters: { n: '1' } });
    first.injector.enter('ui_before');
    first.injector.enter('ui_before');
    await page.waitForSelector('#stat-total:text-is("2")', { timeout: left() });
    await page.waitForSelector('#enabled-list li[data-injection="ui_before"]', { timeout: left() });
    expect(await page.$$(LIVE_BUTTONS)).not.toHaveLength(0);

    await stop();
    await page.waitForSelector('body[data-stale]', { timeout: left() });
    expect(await page.isVisible('#stale-banner')).toBe(true);
    expect(await page.textContent('#stale-banner')).toMatch(/^Disconnected at \d\d:\d\d:\d\d\.\d{3}: everything below is as it was then/);
    expect(await page.$$(LIVE_BUTTONS)).toHaveLength(0);
    // What was there stays readable (as of the outage), not wiped.
    expect(await page.textContent('#stat-total')).toBe('2');
    expect(await page.isVisible('#enabled-list li[data-injection="ui_before"]')).toBe(true);

    // A new server on the same port: a new epoch, so the browser's reconnect (with Last-Event-ID) gets a restart gap.
    const second = await start(port);
    await page.waitForSelector('#gap-banner[data-reason="restart"]', { state: 'visible', timeout: left() });
    await page.waitForSelector('body:not([data-stale])', { timeout: left() });
    expect(await page.textContent('#gap-text')).toMatch(/^The server restarted \(noticed at \d\d:\d\d:\d\d\.\d{3}\)/);
    expect(await page.textContent('#stat-total')).toBe('0');
    expect(await page.textContent('#stat-since')).toMatch(/\(server restart\)$/);
    // The new server has nothing enabled: the state read at reconnect says so.
    await page.waitForSelector('#enabled-empty', { state: 'visible', timeout: left() });
    expect(await page.isDisabled('#enable-submit')).toBe(false);

    await second.group.enableOnAll('ui_after');
    second.injector.enter('ui_after');
    await page.waitForSelector('#stat-total:text-is("1")', { timeout: left() });
    expect(await page.$('#by-injection tr[data-injection="ui_before"]:visible')).toBeNull();
    expect(browser.errors.filter((e) => !/ERR_CONNECTION_REFUSED|Failed to load resource/.test(e))).toEqual([]);
  });
});
