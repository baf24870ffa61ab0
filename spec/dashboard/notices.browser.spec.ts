import type { IncomingMessage, ServerResponse } from 'node:http';
import { handleDashboardRequest } from '../../lib/server/dashboard';
import { budget, openDashboard, suiteBrowser } from '../helpers/dashboard-stand';
import { startResumableStandIn, type ResumableStandIn } from '../helpers/resumable-stand-in';

// The dashboard against a stand-in written from docs/protocol.md, for what a faultline server does not produce
// on demand: an `exhausted` control notice (reserved; its sender is being added) and a `history` gap (the
// server's history no longer reaching back to where the page left off).

const API = '/v2/error_injection';

/** The REST answers of a server with two shards and `enabled` enabled, nothing else. */
function restOf(enabled: Set<string>): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    if (handleDashboardRequest(req, res, path)) return;
    const json = (value: unknown): void => void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(value));
    if (path === `${API}/injection`) return json([...enabled]);
    if (path === `${API}/lifetime_enters`) return json({});
    // No handler parked: what a faultline server answers, which the page reads at every connect.
    if (path === `${API}/parked`) return json([]);
    const name = /^\/v2\/error_injection\/injection\/([^/]+)(\/enters)?$/.exec(path);
    if (name && name[2]) return json(0);
    if (name) return json([0, 1].map(() => ({ enabled: enabled.has(name[1]) })));
    res.writeHead(404).end();
  };
}

const control = (op: string, injection: string, options?: Record<string, unknown>): string =>
  `event: control\ndata: ${JSON.stringify({ op, injection, ...(options ? { options } : {}), shard: null, ts: Date.now() })}\n\n`;

describe('dashboard in Chromium, notices a faultline server sends rarely', () => {
  const suite = suiteBrowser();
  let standIn: ResumableStandIn;
  const enabled = new Set<string>();

  beforeAll(async () => {
    standIn = await startResumableStandIn({ history: 2, retry: 50, otherRoutes: restOf(enabled) });
  });

  afterAll(async () => {
    await standIn?.close();
  });

  it('drops an injection from the Enabled card on its exhausted notice, and says why', async () => {
    const left = budget();
    const { page, errors } = suite.browser;
    await openDashboard(page, standIn.url, left);
    standIn.write(control('enabled', 'ui_once', { oneShot: true }));
    const item = page.locator('#enabled-list li[data-injection="ui_once"]');
    await item.waitFor({ timeout: left() });
    expect(await item.locator('.chip').allTextContents()).toEqual(['on 2/2 shards', 'one-shot per shard', '0 hits since enabled']);

    standIn.write(control('exhausted', 'ui_once'));
    await item.waitFor({ state: 'detached', timeout: left() });
    expect(await page.textContent('#enable-result')).toBe('ui_once is spent: its one-shot or count ran out on every shard');
    expect(errors).toEqual([]);
  });

  it('announces hits missed while disconnected (a history gap) and starts its counters again', async () => {
    const left = budget();
    const { page } = suite.browser;
    await openDashboard(page, standIn.url, left);
    for (let i = 0; i < 3; i++) standIn.emit('ui_hist', i % 2);
    await page.waitForSelector('#stat-total:text-is("3")', { timeout: left() });

    await standIn.stop();
    await page.waitForSelector('body[data-stale]', { timeout: left() });
    // Three more hits while the page is away: the history (2 hits) no longer reaches back to its last id.
    for (let i = 0; i < 3; i++) standIn.emit('ui_hist', 0);
    await standIn.listen();
    await page.waitForSelector('#gap-banner[data-reason="history"]', { state: 'visible', timeout: left() });
    expect(await page.textContent('#gap-text')).toMatch(/^Some hits were missed while disconnected/);
    // Counted afresh: only the two hits the history still held, replayed after the gap.
    await page.waitForSelector('#stat-total:text-is("2")', { timeout: left() });
    expect(await page.textContent('#stat-since')).toMatch(/\(missed hits\)$/);
    await page.waitForSelector('body:not([data-stale])', { timeout: left() });
    await page.click('#gap-dismiss');
    expect(await page.isVisible('#gap-banner')).toBe(false);
  });

  it('marks a shard whose worker exited (a shard-down notice)', async () => {
    const left = budget();
    const { page } = suite.browser;
    await openDashboard(page, standIn.url, left);
    standIn.emit('ui_down', 1);
    await page.waitForSelector('#by-shard .bar[data-shard="1"]', { timeout: left() });
    standIn.write('event: shard-down\ndata: {"shard":1}\n\n');
    await page.waitForSelector('#by-shard .bar.down[data-shard="1"] .label:text-is("shard 1 (down)")', { timeout: left() });
  });
});
