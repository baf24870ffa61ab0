import { createHash } from 'node:crypto';
import { Script } from 'node:vm';
import { DASHBOARD_CSP, DASHBOARD_HTML } from '../../lib/server/dashboard/page';
import { DASHBOARD_SCRIPT } from '../../lib/server/dashboard/script';
import { DASHBOARD_CSS } from '../../lib/server/dashboard/styles';

// The page is served as one string with its script and style inline; the browser test runs it for real.
// These checks catch what would break it before a browser ever loads it.

describe('dashboard page', () => {
  it('has a script that parses as JavaScript', () => {
    expect(() => new Script(DASHBOARD_SCRIPT, { filename: 'dashboard.js' })).not.toThrow();
  });

  it('has nothing in the script that would end the template or the script element early', () => {
    expect(DASHBOARD_SCRIPT).not.toMatch(/`|\$\{|<\/script/i);
    expect(DASHBOARD_CSS).not.toMatch(/<\/style/i);
  });

  it('is one self-contained document: no external script, style, font or image', () => {
    expect(DASHBOARD_HTML.startsWith('<!doctype html>')).toBe(true);
    expect(DASHBOARD_HTML).not.toMatch(/\b(src|href)\s*=\s*["']?(https?:)?\/\//i);
    expect(DASHBOARD_HTML).not.toMatch(/@import|url\(/i);
    expect(DASHBOARD_HTML.match(/<script>/g)).toHaveLength(1);
    expect(DASHBOARD_HTML.match(/<style>/g)).toHaveLength(1);
  });

  it('has no inline style attribute or event handler attribute (the CSP would block them)', () => {
    expect(DASHBOARD_HTML).not.toMatch(/\sstyle\s*=/i);
    expect(DASHBOARD_HTML).not.toMatch(/\son[a-z]+\s*=/i);
  });

  it('allows exactly its own inline script and style in the CSP', () => {
    const hash = (text: string): string => createHash('sha256').update(text).digest('base64');
    expect(DASHBOARD_CSP).toContain(`script-src 'sha256-${hash(DASHBOARD_SCRIPT)}'`);
    expect(DASHBOARD_CSP).toContain(`style-src 'sha256-${hash(DASHBOARD_CSS)}'`);
    expect(DASHBOARD_CSP).toContain("frame-ancestors 'none'");
    expect(DASHBOARD_CSP).toContain("connect-src 'self'");
    expect(DASHBOARD_CSP).not.toMatch(/unsafe/);
  });

  it('has an element for every id the script looks up', () => {
    const ids = new Set([...DASHBOARD_SCRIPT.matchAll(/\$\('([a-z-]+)'\)/g)].map((m) => m[1]));
    expect(ids.size).toBeGreaterThan(10);
    for (const id of ids) expect(DASHBOARD_HTML).toContain(`id="${id}"`);
  });
});
