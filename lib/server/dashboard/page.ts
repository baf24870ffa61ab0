import { createHash } from 'node:crypto';
import { SCALAR_ENABLE_OPTIONS } from '../../enable-options';
import { INJECTION_TYPES } from '../../event';
import { API_BASE_PATH, DASHBOARD_PATH, EVENTS_PATH } from '../../wire';
import { DASHBOARD_CSS } from './styles';

const BODY = `
<div class="sticky">
<header class="top">
  <div class="brand"><span class="logo" aria-hidden="true"></span><span>faultline</span><span class="sub">error injection</span></div>
  <div class="server" id="server"></div>
  <div class="conn" id="conn" data-state="connecting" role="status" aria-live="polite"><span class="dot"></span><span id="conn-text">connecting</span></div>
</header>
<div id="stale-banner" class="banner stale" role="alert" hidden></div>
<div id="gap-banner" class="banner gap" role="status" hidden><span id="gap-text"></span> <button type="button" id="gap-dismiss" class="small">Dismiss</button></div>
</div>
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
        <label class="check"><input type="checkbox" id="enable-one-shot" name="one_shot"> <span class="nowrap">One-shot</span> <span class="hint" id="one-shot-hint"></span></label>
        <fieldset class="params">
          <legend>Parameters</legend>
          <div id="param-rows"></div>
          <button type="button" id="add-param" class="link">+ Add parameter</button>
        </fieldset>
        <details class="more">
          <summary>Limits per shard: count, probability, skip</summary>
          <div class="row3">
            <label class="field"><span>Count per shard</span><input id="enable-count" type="number" min="1" step="1" placeholder="&#8734;"></label>
            <label class="field"><span>Probability</span><input id="enable-probability" type="number" min="0" max="1" step="any" placeholder="1"></label>
            <label class="field"><span>Skip per shard</span><input id="enable-skip" type="number" min="0" step="1" placeholder="0"></label>
          </div>
          <p class="hint" id="count-hint"></p>
        </details>
        <div class="actions">
          <button type="submit" class="primary" id="enable-submit" data-needs-stream disabled>Enable on all shards</button>
          <span id="enable-result" class="result" role="status" aria-live="polite"></span>
        </div>
      </form>
    </section>
    <section class="card" aria-labelledby="enabled-title">
      <div class="card-head"><h2 id="enabled-title">Enabled</h2><button type="button" id="disable-all" class="small danger" data-needs-stream disabled>Disable all</button></div>
      <ul id="enabled-list" class="enabled"></ul>
      <p id="enabled-empty" class="empty">No injection is enabled.</p>
    </section>
    <section class="card" aria-labelledby="parked-title">
      <h2 id="parked-title">Handlers waiting for a message</h2>
      <ul id="parked-list" class="enabled parked"></ul>
      <p id="parked-empty" class="empty">No handler is waiting for a message.</p>
    </section>
  </aside>
  <section class="content">
    <div class="stats">
      <div class="stat"><div class="label">Hits seen <span id="stat-since"></span></div><div class="value" id="stat-total">0</div></div>
      <div class="stat"><div class="label">Hits per second, last 5 s</div><div class="value" id="stat-rate">0.0</div></div>
      <div class="stat"><div class="label">Injections hit</div><div class="value" id="stat-names">0</div></div>
      <div class="stat"><div class="label">Shards seen</div><div class="value" id="stat-shards">0</div></div>
    </div>
    <section class="card" aria-labelledby="timeline-title">
      <h2 id="timeline-title">Hits per second per injection, last 5 minutes</h2>
      <canvas id="timeline" class="timeline" role="img" aria-label="Hits per second of each injection over the last 5 minutes"></canvas>
      <ul id="timeline-legend" class="legend"></ul>
    </section>
    <div class="grid2">
      <section class="card" aria-labelledby="by-injection-title">
        <h2 id="by-injection-title">Hits seen per injection</h2>
        <table id="by-injection">
          <thead><tr><th>Injection</th><th>Type</th><th>Last hit</th><th class="num">Hits seen</th></tr></thead>
          <tbody></tbody>
        </table>
        <p id="by-injection-empty" class="empty">No hits yet.</p>
      </section>
      <section class="card" aria-labelledby="by-shard-title">
        <h2 id="by-shard-title">Hits seen per shard</h2>
        <div id="by-shard" class="bars"></div>
        <p id="by-shard-empty" class="empty">No shard has reported a hit yet.</p>
      </section>
    </div>
    <section class="card" aria-labelledby="hits-title">
      <div class="card-head">
        <h2 id="hits-title">Live hits, newest first</h2>
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

/** What the page script must agree on with the server, from the one place each is defined. */
export const DASHBOARD_WIRE = {
  apiBasePath: API_BASE_PATH,
  eventsPath: EVENTS_PATH,
  dashboardPath: DASHBOARD_PATH,
  injectionTypes: INJECTION_TYPES,
  enableQuery: {
    oneShot: SCALAR_ENABLE_OPTIONS.oneShot.query,
    count: SCALAR_ENABLE_OPTIONS.count.query,
    probability: SCALAR_ENABLE_OPTIONS.probability.query,
    skip: SCALAR_ENABLE_OPTIONS.skip.query,
  },
} as const;

/** The id of the JSON data block that carries DASHBOARD_WIRE (browser/wire.js reads it). */
export const DASHBOARD_WIRE_ID = 'faultline-wire';

/** The page's module (browser/dashboard.js), loaded from beside the page. */
export const DASHBOARD_ENTRY = 'dashboard.js';

// `<` is escaped so no value can close the data block early.
const wireJson = JSON.stringify(DASHBOARD_WIRE).replace(/</g, '\\u003c');

/**
 * The dashboard's HTML: the style inline, the constants the script needs as a JSON data block (not a script:
 * the browser never runs it), and the script as a module file served beside the page.
 */
export const DASHBOARD_HTML =
  '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n' +
  '<meta name="viewport" content="width=device-width, initial-scale=1">\n' +
  '<meta name="referrer" content="no-referrer">\n' +
  // An empty icon, so the browser does not ask the API for /favicon.ico.
  '<link rel="icon" href="data:,">\n' +
  '<title>faultline</title>\n' +
  '<style>' +
  DASHBOARD_CSS +
  '</style>\n' +
  `<script type="application/json" id="${DASHBOARD_WIRE_ID}">${wireJson}</script>\n` +
  `<script type="module" src="${DASHBOARD_ENTRY}"></script>\n` +
  '</head>\n<body>' +
  BODY +
  '</body>\n</html>\n';

const sha256 = (text: string): string => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

/**
 * Scripts only from this origin (the page's modules; nothing inline), exactly the inline style above, connections
 * to this origin only, and no framing: the page can change injections, so another site must not be able to wrap
 * it (clickjacking) or inject into it.
 */
export const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  // Setting element.style from the script (the shard bars) is CSSOM, which a style hash does not block.
  `style-src ${sha256(DASHBOARD_CSS)}`,
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
