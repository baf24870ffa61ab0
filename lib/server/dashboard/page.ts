import { createHash } from 'node:crypto';
import { DASHBOARD_SCRIPT } from './script';
import { DASHBOARD_CSS } from './styles';

const BODY = `
<header class="top">
  <div class="brand"><span class="logo" aria-hidden="true"></span><span>faultline</span><span class="sub">error injection</span></div>
  <div class="server" id="server"></div>
  <div class="conn" id="conn" data-state="connecting" role="status" aria-live="polite"><span class="dot"></span><span id="conn-text">connecting</span></div>
</header>
<div id="token-bar" class="token-bar" hidden>
  <form id="token-form">
    <span>This server needs a token.</span>
    <input id="token-input" type="password" autocomplete="off" placeholder="token" aria-label="Token">
    <button type="submit" class="primary">Use token</button>
  </form>
</div>
<main class="layout">
  <aside class="side">
    <section class="card" aria-labelledby="enable-title">
      <h2 id="enable-title">Enable an injection</h2>
      <form id="enable-form" autocomplete="off">
        <label class="field"><span>Name</span>
          <input id="enable-name" name="name" list="known-names" placeholder="demo_sleep" spellcheck="false" required>
        </label>
        <datalist id="known-names"></datalist>
        <label class="check"><input type="checkbox" id="enable-one-shot" name="one_shot"> One-shot <span class="hint">fire once, then disable</span></label>
        <fieldset class="params">
          <legend>Parameters</legend>
          <div id="param-rows"></div>
          <button type="button" id="add-param" class="link">+ Add parameter</button>
        </fieldset>
        <details class="more">
          <summary>Limits: count, probability, skip</summary>
          <div class="row3">
            <label class="field"><span>Count</span><input id="enable-count" type="number" min="1" step="1" placeholder="&#8734;"></label>
            <label class="field"><span>Probability</span><input id="enable-probability" type="number" min="0" max="1" step="any" placeholder="1"></label>
            <label class="field"><span>Skip</span><input id="enable-skip" type="number" min="0" step="1" placeholder="0"></label>
          </div>
        </details>
        <div class="actions">
          <button type="submit" class="primary" id="enable-submit">Enable on all shards</button>
          <span id="enable-result" class="result" role="status" aria-live="polite"></span>
        </div>
      </form>
    </section>
    <section class="card" aria-labelledby="enabled-title">
      <div class="card-head"><h2 id="enabled-title">Enabled</h2><button type="button" id="disable-all" class="small danger">Disable all</button></div>
      <ul id="enabled-list" class="enabled"></ul>
      <p id="enabled-empty" class="empty">No injection is enabled.</p>
    </section>
  </aside>
  <section class="content">
    <div class="stats">
      <div class="stat"><div class="label">Hits</div><div class="value" id="stat-total">0</div></div>
      <div class="stat"><div class="label">Hits per second</div><div class="value" id="stat-rate">0.0</div></div>
      <div class="stat"><div class="label">Injections hit</div><div class="value" id="stat-names">0</div></div>
      <div class="stat"><div class="label">Shards seen</div><div class="value" id="stat-shards">0</div></div>
    </div>
    <div class="grid2">
      <section class="card" aria-labelledby="by-injection-title">
        <h2 id="by-injection-title">Hits per injection</h2>
        <table id="by-injection">
          <thead><tr><th>Injection</th><th>Type</th><th>Last hit</th><th class="num">Hits</th></tr></thead>
          <tbody></tbody>
        </table>
        <p id="by-injection-empty" class="empty">No hits yet.</p>
      </section>
      <section class="card" aria-labelledby="by-shard-title">
        <h2 id="by-shard-title">Hits per shard</h2>
        <div id="by-shard" class="bars"></div>
        <p id="by-shard-empty" class="empty">No shard has reported a hit yet.</p>
      </section>
    </div>
    <section class="card" aria-labelledby="hits-title">
      <div class="card-head">
        <h2 id="hits-title">Live hits</h2>
        <div class="tools">
          <label for="shard-filter">Shard</label>
          <select id="shard-filter"><option value="">All shards</option></select>
          <button type="button" id="pause" aria-pressed="false">Pause</button>
          <button type="button" id="clear">Clear</button>
        </div>
      </div>
      <div class="table-wrap">
        <table id="hits">
          <thead><tr><th>Time</th><th class="num">Shard</th><th>Type</th><th>Injection</th><th>Parameters</th></tr></thead>
          <tbody></tbody>
        </table>
        <p id="hits-empty" class="empty">Waiting for hits. Enable an injection and its hits appear here, newest first.</p>
      </div>
    </section>
  </section>
</main>
`;

/** The whole dashboard: one self-contained HTML document (style and script inline, nothing fetched but the API). */
export const DASHBOARD_HTML =
  '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n' +
  '<meta name="viewport" content="width=device-width, initial-scale=1">\n' +
  '<meta name="referrer" content="no-referrer">\n' +
  // An empty icon, so the browser does not ask the API for /favicon.ico.
  '<link rel="icon" href="data:,">\n' +
  '<title>faultline</title>\n' +
  '<style>' +
  DASHBOARD_CSS +
  '</style>\n</head>\n<body>' +
  BODY +
  '<script>' +
  DASHBOARD_SCRIPT +
  '</script>\n</body>\n</html>\n';

const sha256 = (text: string): string => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

/**
 * Allows exactly the inline script and style above, connections to this origin only, and no framing: the page
 * can change injections, so another site must not be able to wrap it (clickjacking) or inject into it.
 */
export const DASHBOARD_CSP = [
  "default-src 'none'",
  `script-src ${sha256(DASHBOARD_SCRIPT)}`,
  // Setting element.style from the script (the shard bars) is CSSOM, which a style hash does not block.
  `style-src ${sha256(DASHBOARD_CSS)}`,
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
