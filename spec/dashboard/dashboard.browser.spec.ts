import { DASHBOARD_PATH } from '../../lib/wire';
import { budget, dashboardStand, openDashboard, suiteBrowser } from '../helpers/dashboard-stand';
import { serveForSuite, withRest } from '../helpers/cli-child';

// The dashboard in a real browser: the Chromium shipped inside the npm package @sparticuz/chromium (never a
// system one; spec/helpers/chromium.ts) driven by playwright-core, against a real server on loopback.

/** The one timing the dashboard promises: a hit shows within a second. */
const HIT_DEADLINE = 1_000;

describe('dashboard in Chromium', () => {
  const stand = dashboardStand();

  afterEach(async () => {
    stand.injector.disableAll();
  });

  it('shows a hit within a second, with its shard, type, name and parameters', async () => {
    const left = budget();
    const { page } = stand.browser;
    await openDashboard(page, stand.base, left);
    await withRest(stand.base, (api) => api.enable('ui_hit', { parameters: { user: 'alice' } }));

    stand.injector.inject('ui_hit', () => undefined);
    const row = await page.waitForSelector('#hits tbody tr[data-injection="ui_hit"]', { timeout: HIT_DEADLINE });

    const cells = await row.$$eval('td', (tds) => tds.map((td) => td.textContent));
    expect(cells.slice(1)).toEqual(['0', 'lambda', 'ui_hit', 'user=alice']);
    expect(await page.textContent('#by-injection tr[data-injection="ui_hit"] .count')).toBe('1');
    expect(await page.textContent('#stat-total')).toBe('1');
    // The Enabled card counts it too, labelled for what it counts.
    await page.waitForSelector('#enabled-list li[data-injection="ui_hit"] .chip.hits:text-is("1 hit since enabled")', { timeout: left() });
    expect(stand.browser.errors).toEqual([]);
  });

  it('opens from the bare address: / redirects to the dashboard', async () => {
    const left = budget();
    const { page } = stand.browser;
    await page.goto(stand.base + '/', { timeout: left() });
    expect(page.url()).toBe(stand.base + DASHBOARD_PATH);
    await page.waitForSelector('#conn[data-state="open"]', { timeout: left() });
  });

  it('lists newest first and counts every hit', async () => {
    const left = budget();
    const { page } = stand.browser;
    await openDashboard(page, stand.base, left);
    for (const n of ['1', '2', '3']) {
      stand.injector.enable('ui_order', { parameters: { n } });
      stand.injector.enter('ui_order');
    }
    const rows = page.locator('#hits tbody tr[data-injection="ui_order"]');
    await rows.nth(2).waitFor({ timeout: left() });
    expect(await rows.count()).toBe(3);
    const params = await page.$$eval('#hits tbody tr[data-injection="ui_order"] td:last-child', (tds) => tds.map((td) => td.textContent));
    expect(params).toEqual(['n=3', 'n=2', 'n=1']);
    expect(await page.textContent('#by-injection tr[data-injection="ui_order"] .count')).toBe('3');
  });

  it('the enable form enables the injection on the server, with one-shot and parameters', async () => {
    const left = budget();
    const { page } = stand.browser;
    await openDashboard(page, stand.base, left);
    await page.fill('#enable-name', 'ui_form');
    await page.check('#enable-one-shot');
    await page.click('#add-param');
    await page.fill('.param-row:last-child .param-key', 'delay');
    await page.fill('.param-row:last-child .param-value', '250 ms');
    await page.click('#enable-submit');
    await page.waitForSelector('#enable-result.ok', { timeout: left() });
    expect(await page.textContent('#enable-result')).toBe('ui_form enabled (one-shot per shard)');

    const [state] = await withRest(stand.base, (api) => api.get('ui_form'));
    expect(state).toMatchObject({ enabled: true, parameters: [{ key: 'delay', value: '250 ms' }] });
    expect(stand.injector.get('ui_form')).toMatchObject({ enabled: true, oneShot: true, parameters: { delay: '250 ms' } });
    // And the enabled list shows it.
    await page.waitForSelector('#enabled-list li[data-injection="ui_form"]', { timeout: left() });
  });

  it('shows the server refusing a bad enable, and enables nothing', async () => {
    const left = budget();
    const { page } = stand.browser;
    await openDashboard(page, stand.base, left);
    // The form checks what it can (a count of 0 is refused by the browser); a name past the limit only the server knows.
    const name = 'n'.repeat(1025);
    await page.fill('#enable-name', name);
    await page.click('#enable-submit');
    await page.waitForSelector('#enable-result.error', { timeout: left() });
    expect(await page.textContent('#enable-result')).toBe('400 injection name is 1025 characters long; the limit is 1024');
    expect(stand.injector.enabledInjections()).toEqual([]);
  });

  it('the Disable and Message buttons act on the server', async () => {
    const left = budget();
    const { page } = stand.browser;
    stand.injector.enable('ui_handler');
    stand.injector.enable('ui_other');
    const handled = stand.injector.injectHandler('ui_handler', (h) => h.waitForMessage({ timeout: left() }));
    await openDashboard(page, stand.base, left);

    await page.click('#enabled-list li[data-injection="ui_handler"] button[data-action="message"]', { timeout: left() });
    await handled;

    await page.click('#enabled-list li[data-injection="ui_other"] button[data-action="disable"]', { timeout: left() });
    await page.waitForSelector('#enabled-list li[data-injection="ui_other"]', { state: 'detached', timeout: left() });
    expect(stand.injector.isEnabled('ui_other')).toBe(false);
    expect(stand.injector.isEnabled('ui_handler')).toBe(true);

    await page.click('#disable-all');
    await page.waitForSelector('#enabled-empty', { state: 'visible', timeout: left() });
    expect(stand.injector.enabledInjections()).toEqual([]);
  });
});

describe('dashboard in Chromium, with a token', () => {
  const token = 'tok-123';
  const stand = dashboardStand(token);

  it('works from the URL with ?token= and takes the token out of the address bar', async () => {
    const left = budget();
    const { page } = stand.browser;
    await openDashboard(page, stand.base, left, `?token=${token}`);
    expect(page.url()).toBe(stand.base + DASHBOARD_PATH);
    stand.injector.enable('ui_tok');
    stand.injector.enter('ui_tok');
    await page.waitForSelector('#hits tbody tr[data-injection="ui_tok"]', { timeout: HIT_DEADLINE });

    await page.fill('#enable-name', 'ui_tok_form');
    await page.click('#enable-submit');
    await page.waitForSelector('#enable-result.ok', { timeout: left() });
    expect(stand.injector.isEnabled('ui_tok_form')).toBe(true);
  });

  it('without a token asks for one, then connects with it', async () => {
    const left = budget();
    const page = await stand.browser.context.newPage();
    try {
      await page.goto(stand.base, { timeout: left() });
      await page.waitForSelector('#token-bar', { state: 'visible', timeout: left() });
      await page.fill('#token-input', token);
      await page.click('#token-form button');
      await page.waitForSelector('#conn[data-state="open"]', { timeout: left() });
      stand.injector.enable('ui_tok2');
      stand.injector.enter('ui_tok2');
      await page.waitForSelector('#hits tbody tr[data-injection="ui_tok2"]', { timeout: HIT_DEADLINE });
    } finally {
      await page.close();
    }
  });
});

describe('dashboard in Chromium, against faultline serve with worker shards', () => {
  const suite = suiteBrowser();
  const serve = serveForSuite(['--shards', '3', '--demo']);

  it('counts per shard and filters by shard', async () => {
    const left = budget();
    const { page } = suite.browser;
    await openDashboard(page, serve.url, left);
    const before = await page.locator('#by-shard').boundingBox({ timeout: left() });
    await withRest(serve.url, (api) => api.enable('demo_lambda'));
    // One wait for the condition (a bar for each of the three shards), not three waits in a row.
    await page.waitForSelector('#by-shard:has(.bar[data-shard="0"]):has(.bar[data-shard="1"]):has(.bar[data-shard="2"])', {
      timeout: left(),
    });
    // The timeline's legend fills a second later than the bars; it must not push them from under the pointer.
    await page.waitForSelector('#timeline-legend li[data-injection="demo_lambda"]', { timeout: left() });
    expect((await page.locator('#by-shard').boundingBox({ timeout: left() }))?.y).toBe(before?.y);
    await page.selectOption('#shard-filter', '2');
    // The page's CSP forbids evaluating strings, so the checks read attributes instead of running code there.
    await page.locator('#hits tbody tr').nth(3).waitFor({ timeout: left() });
    const shown = await page.$$eval('#hits tbody tr', (trs) => trs.map((tr) => tr.getAttribute('data-shard')));
    expect(new Set(shown)).toEqual(new Set(['2']));
    expect(await page.inputValue('#shard-filter')).toBe('2');
    // Clicking a shard's bar filters too, and clicking it again shows every shard. The first click spans a
    // redraw (hits keep flowing; the total changing shows the counters were redrawn between mousedown and
    // mouseup), as a person's click does: the bar must still be the element the click began on.
    // hover() waits for the bar to hold still and puts the pointer on it as it is now, not where it was.
    await page.locator('#by-shard .bar[data-shard="1"]').hover({ timeout: left() });
    await page.mouse.down();
    const total = await page.textContent('#stat-total');
    await page.waitForSelector(`#stat-total:not(:text-is("${total}"))`, { timeout: left() });
    await page.mouse.up();
    expect(await page.inputValue('#shard-filter')).toBe('1');
    await page.click('#by-shard .bar[data-shard="1"]');
    expect(await page.inputValue('#shard-filter')).toBe('');
    expect(suite.browser.errors).toEqual([]);
  });

  it('says where one-shot and count are chosen that they act per shard, with what that means on 3 shards', async () => {
    const left = budget();
    const { page } = suite.browser;
    await openDashboard(page, serve.url, left);
    expect(await page.textContent('#one-shot-hint')).toBe('fires once per shard, then disables there: up to 3 hits on 3 shards');
    await page.click('details.more summary');
    expect(await page.textContent('details.more summary')).toBe('Limits per shard: count, probability, skip');
    expect(await page.textContent('label:has(#enable-count) > span')).toBe('Count per shard');
    await page.fill('#enable-count', '25');
    expect(await page.textContent('#count-hint')).toBe('each shard fires 25 times: up to 75 hits on 3 shards');

    await page.fill('#enable-name', 'ui_per_shard');
    await page.check('#enable-one-shot');
    await page.click('#enable-submit');
    await page.waitForSelector('#enable-result.ok', { timeout: left() });
    const item = page.locator('#enabled-list li[data-injection="ui_per_shard"]');
    await item.waitFor({ timeout: left() });
    expect(await item.locator('.chip').allTextContents()).toEqual([
      'on 3/3 shards',
      'one-shot per shard',
      'count 25 per shard',
      '0 hits since enabled',
    ]);
    await withRest(serve.url, (api) => api.disable('ui_per_shard'));
    expect(suite.browser.errors).toEqual([]);
  });
});
