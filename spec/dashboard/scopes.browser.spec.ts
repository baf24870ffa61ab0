import { runInInjectionScope } from '../../lib/injector/scope';
import { budget, dashboardStand, openDashboard } from '../helpers/dashboard-stand';

// The dashboard with injection scopes, in a real browser against a real server: one name enabled unscoped and in
// several scopes is one Enabled entry per enablement, each scoped one with its scope chip, and the notices and
// buttons of one scope touch that scope's entry only.

describe('dashboard in Chromium: injection scopes', () => {
  const stand = dashboardStand();

  afterEach(async () => {
    await stand.group.disableAllOnAll();
  });

  const entries = (name: string) => `#enabled-list li[data-injection="${name}"]`;
  const unscoped = (name: string) => `${entries(name)}:not([data-scope])`;
  const scoped = (name: string, scope: string) => `${entries(name)}[data-scope="${scope}"]`;

  it("shows one entry per enablement of a name, by scope; a scoped disable or exhaustion removes that scope's entry only", async () => {
    const left = budget();
    const { page } = stand.browser;
    await openDashboard(page, stand.base, left);
    await stand.group.enableOnAll('ui_sc');
    await stand.group.enableOnAll('ui_sc', { scope: 'a' });
    await stand.group.enableOnAll('ui_sc', { scope: 'b', oneShot: true });
    await page.locator(scoped('ui_sc', 'b')).waitFor({ timeout: left() });
    expect(await page.locator(entries('ui_sc')).count()).toBe(3);
    // The unscoped enablement first, then the scopes in order.
    expect(await page.locator(entries('ui_sc')).evaluateAll((lis) => lis.map((li) => li.getAttribute('data-scope')))).toEqual([null, 'a', 'b']);
    expect(await page.locator(`${scoped('ui_sc', 'b')} .chip`).allTextContents()).toEqual([
      'scope b',
      'on 1/1 shards',
      'one-shot per shard',
      '0 hits since enabled',
    ]);
    expect(await page.locator(`${unscoped('ui_sc')} .chip.scope`).count()).toBe(0);

    // A hit counts for the enablement of its scope only.
    expect(runInInjectionScope('a', () => stand.injector.enter('ui_sc'))).toBe(true);
    await page.locator(`${scoped('ui_sc', 'a')} .chip.hits:text-is("1 hit since enabled")`).waitFor({ timeout: left() });
    expect(await page.textContent(`${unscoped('ui_sc')} .chip.hits`)).toBe('0 hits since enabled');

    await stand.group.disableOnAll('ui_sc', { scope: 'a' });
    await page.locator(scoped('ui_sc', 'a')).waitFor({ state: 'detached', timeout: left() });
    expect(await page.locator(entries('ui_sc')).count()).toBe(2);

    expect(runInInjectionScope('b', () => stand.injector.enter('ui_sc'))).toBe(true);
    await page.locator(scoped('ui_sc', 'b')).waitFor({ state: 'detached', timeout: left() });
    await page.waitForSelector('#enable-result:text-is("ui_sc in scope b is spent: its one-shot or count ran out on every shard")', { timeout: left() });
    expect(await page.locator(entries('ui_sc')).count()).toBe(1);
    expect(await page.locator(unscoped('ui_sc')).count()).toBe(1);

    // Without a scope, a disable ends every enablement of the name.
    await stand.group.enableOnAll('ui_sc', { scope: 'c' });
    await page.locator(scoped('ui_sc', 'c')).waitFor({ timeout: left() });
    await stand.group.disableOnAll('ui_sc');
    await page.locator(entries('ui_sc')).first().waitFor({ state: 'detached', timeout: left() });
    expect(await page.locator(entries('ui_sc')).count()).toBe(0);
    expect(stand.browser.errors).toEqual([]);
  });

  it("reads every scope's enablement when it connects, and its Disable button of a scoped entry disables that scope only", async () => {
    const left = budget();
    const { page } = stand.browser;
    await stand.group.enableOnAll('ui_sr');
    await stand.group.enableOnAll('ui_sr', { scope: 'a', parameters: { k: 'v' } });
    await stand.group.enableOnAll('ui_only', { scope: 'c' });
    await openDashboard(page, stand.base, left);
    await page.locator(scoped('ui_sr', 'a')).waitFor({ timeout: left() });
    expect(await page.locator(entries('ui_sr')).count()).toBe(2);
    expect(await page.locator(`${scoped('ui_sr', 'a')} .chip`).allTextContents()).toEqual(['scope a', 'on 1/1 shards', 'k=v', '0 hits since enabled']);
    // A name enabled in a scope only has no unscoped entry.
    expect(await page.locator(entries('ui_only')).evaluateAll((lis) => lis.map((li) => li.getAttribute('data-scope')))).toEqual(['c']);

    await page.locator(`${scoped('ui_sr', 'a')} button[data-action="disable"]`).click({ timeout: left() });
    await page.locator(scoped('ui_sr', 'a')).waitFor({ state: 'detached', timeout: left() });
    expect(stand.injector.isEnabled('ui_sr', { scope: 'a' })).toBe(false);
    expect(stand.injector.get('ui_sr').enabled).toBe(true);
    expect(await page.locator(unscoped('ui_sr')).count()).toBe(1);
    expect(stand.browser.errors).toEqual([]);
  });
});
