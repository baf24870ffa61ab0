import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DASHBOARD_CSP, DASHBOARD_HTML, DASHBOARD_WIRE } from '../../lib/server/dashboard/page';
import { DASHBOARD_CSS } from '../../lib/server/dashboard/styles';
import { INJECTION_TYPES } from '../../lib/event';
import { API_BASE_PATH, DASHBOARD_PATH, EVENTS_PATH } from '../../lib/wire';

// The page is one HTML string with its style inline, a JSON data block and a module script served beside it;
// the browser test runs it for real. These checks catch what would break it before a browser ever loads it.

const BROWSER_DIR = join(__dirname, '..', '..', 'lib', 'server', 'dashboard', 'browser');
const modules = readdirSync(BROWSER_DIR).filter((f) => f.endsWith('.js'));
const source = (file: string): string => readFileSync(join(BROWSER_DIR, file), 'utf8');

describe('dashboard page', () => {
  it('loads exactly one script, a module from beside the page, and holds no inline script', () => {
    const scripts = [...DASHBOARD_HTML.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.map((m) => m[1].trim())).toEqual(['type="application/json" id="faultline-wire"', 'type="module" src="dashboard.js"']);
    expect(scripts[1][2]).toBe('');
    expect(modules).toContain('dashboard.js');
  });

  it('carries the wire constants from their one definition, as JSON that cannot close its element', () => {
    const block = /<script type="application\/json" id="faultline-wire">([^<]*)<\/script>/.exec(DASHBOARD_HTML);
    expect(block).not.toBeNull();
    const wire = JSON.parse((block as RegExpExecArray)[1]) as typeof DASHBOARD_WIRE;
    expect(wire).toEqual(DASHBOARD_WIRE);
    expect(wire).toMatchObject({ apiBasePath: API_BASE_PATH, eventsPath: EVENTS_PATH, dashboardPath: DASHBOARD_PATH });
    expect(wire.injectionTypes).toEqual(INJECTION_TYPES);
    expect(wire.enableQuery).toEqual({ oneShot: 'one_shot', count: 'count', probability: 'probability', skip: 'skip' });
  });

  it('keeps no list of its own of what the wire defines', () => {
    for (const file of modules) {
      const text = source(file);
      expect({ file, routes: /\/v2\/error_injection|'one_shot'/.test(text) }).toEqual({ file, routes: false });
      // One type may be named where the page acts on it (only handlers take messages); a list of them may not.
      const named = INJECTION_TYPES.filter((type) => text.includes(`'${type}'`));
      expect({ file, named: named.length > 1 }).toEqual({ file, named: false });
    }
  });

  it('has modules that import only each other, by relative path, and are type-checked', () => {
    for (const file of modules) {
      const text = source(file);
      expect(text.startsWith('// @ts-check\n')).toBe(true);
      for (const [, target] of text.matchAll(/^import .* from '([^']+)';$/gm)) {
        expect(target.startsWith('./')).toBe(true);
        expect(modules).toContain(target.slice(2));
      }
    }
  });

  it('is self-contained: no external script, style, font or image', () => {
    expect(DASHBOARD_HTML.startsWith('<!doctype html>')).toBe(true);
    expect(DASHBOARD_HTML).not.toMatch(/\b(src|href)\s*=\s*["']?(https?:)?\/\//i);
    expect(DASHBOARD_HTML).not.toMatch(/@import|url\(/i);
    expect(DASHBOARD_HTML.match(/<style>/g)).toHaveLength(1);
    expect(DASHBOARD_CSS).not.toMatch(/<\/style/i);
  });

  it('has no inline style attribute or event handler attribute (the CSP would block them)', () => {
    expect(DASHBOARD_HTML).not.toMatch(/\sstyle\s*=/i);
    expect(DASHBOARD_HTML).not.toMatch(/\son[a-z]+\s*=/i);
  });

  it('allows scripts from its own origin only, and exactly its inline style', () => {
    const directives = Object.fromEntries(DASHBOARD_CSP.split('; ').map((d) => [d.split(' ')[0], d.slice(d.indexOf(' ') + 1)]));
    expect(directives['script-src']).toBe("'self'");
    expect(directives['default-src']).toBe("'none'");
    expect(directives['style-src']).toMatch(/^'sha256-[A-Za-z0-9+/]+=*'$/);
    expect(directives['frame-ancestors']).toBe("'none'");
    expect(directives['connect-src']).toBe("'self'");
    expect(DASHBOARD_CSP).not.toMatch(/unsafe/);
  });

  it('has an element for every id the modules look up', () => {
    const ids = new Set(modules.flatMap((file) => [...source(file).matchAll(/byId\('([a-z-]+)'\)/g)].map((m) => m[1])));
    expect(ids.size).toBeGreaterThan(20);
    for (const id of ids) expect({ id, present: DASHBOARD_HTML.includes(`id="${id}"`) }).toEqual({ id, present: true });
  });
});
