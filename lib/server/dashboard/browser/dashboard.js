// @ts-check
// The dashboard page. It reads the state once when its stream opens (REST), then follows the stream: hits,
// control notices (enabled, disabled, messaged, exhausted) and handler notices (waiting, released) change what
// it shows, with no polling. Everything is drawn in one batch per animation frame.
import { createApi, injectionPath, scopeQuery } from './api.js';
import { byId, clock, el } from './dom.js';
import { HitTable } from './hit-table.js';
import { openStream } from './stream.js';
import { HitTimeline } from './timeline.js';
import { apiBaseOf, readWire } from './wire.js';

/** @typedef {import('./stream.js').Hit} Hit */
/** @typedef {import('./stream.js').ControlNotice} ControlNotice */
/** @typedef {import('./stream.js').HandlerNotice} HandlerNotice */
/** @typedef {import('./stream.js').GapNotice} GapNotice */
/** @typedef {import('./stream.js').StreamState} StreamState */
/** @typedef {{ waiting: number, since: number, before: boolean }} ParkedAt since: when the first parked; before: it parked before this time, which is when the page read it */

/**
 * An enabled injection as the page knows it: one enablement of a name, unscoped or in one injection scope (a name
 * may be enabled unscoped and in several scopes at once, each its own entry).
 * @typedef {object} Enabled
 * @property {string} name
 * @property {string | null} scope the injection scope it fires in; null: unscoped
 * @property {Record<string, unknown> | null} options what it was enabled with; null when enabled before the page connected (REST does not say)
 * @property {Record<string, string>} parameters
 * @property {number} hits hits since it was enabled: the server's count when the page connected, then the stream's
 * @property {Map<number, number>} hitsByShard hits the stream brought since the enable the page saw
 * @property {number | null} shardsOn shards it is enabled on, when known
 * @property {number | null} messagedAt
 */

/** Rows the live table keeps: enough to read, few enough that a busy stream costs little. */
const TABLE_ROWS = 100;
/** How often the live table may move under a steady stream. */
const TABLE_EVERY_MS = 100;
const RATE_WINDOW_MS = 5000;
const TIMELINE_SECONDS = 300;
const TOKEN_KEY = 'faultline-token';

const wire = readWire();
const apiBase = apiBaseOf(wire, location.pathname);
const eventsUrl = apiBase + wire.eventsPath.slice(wire.apiBasePath.length);
let token = takeToken();
const api = createApi({ base: apiBase, token: () => token, onAuthRefused: needToken });

const model = {
  /** Whether the stream is open: when not, everything shown is stale and the buttons are off. */
  live: false,
  /** When the counters started: the page opening, or the last restart or gap. */
  countingSince: Date.now(),
  countingReason: 'page opened',
  total: 0,
  /** @type {Map<string, { count: number, type: string, last: number, byShard: Map<number, number> }>} */
  byName: new Map(),
  /** @type {Map<number, number>} */
  byShard: new Map(),
  /** @type {Set<number>} */
  shards: new Set(),
  /** @type {Set<number>} shards whose worker exited (the stream's shard-down notice) */
  downShards: new Set(),
  /** Shards the server has, once known (a state read or a hit). */
  shardCount: 0,
  /** @type {Set<string>} */
  names: new Set(),
  /** @type {number[]} receive times, for the rate */
  recent: [],
  /** @type {Hit[]} hits not drawn yet */
  pending: [],
  paused: false,
  shardFilter: '',
  /** @type {Map<string, Enabled>} by enabledKey(name, scope) */
  enabled: new Map(),
  /**
   * @type {Map<string, Map<number, ParkedAt>>} parked handlers: name -> shard -> how many, since when
   */
  parked: new Map(),
};

/**
 * The key of one enablement in `model.enabled` (NUL never occurs in a name).
 * @param {string} name
 * @param {string | null} scope
 */
const enabledKey = (name, scope) => (scope === null ? name : name + '\u0000' + scope);

/** @param {string} name @returns {Enabled[]} every enablement of `name` the page knows */
const enabledOf = (name) => [...model.enabled.values()].filter((e) => e.name === name);

/** @param {unknown} value @returns {string | null} a scope field's value, null when it names none */
const scopeOf = (value) => (typeof value === 'string' ? value : null);

/** What the next frame redraws. */
const dirty = { hits: false, counters: false, enabled: false, parked: false, names: false, form: false };

const table = new HitTable(
  /** @type {HTMLTableElement} */ (byId('hits')).tBodies[0],
  byId('hits-empty'),
  wire.injectionTypes,
  TABLE_ROWS,
);
const timeline = new HitTimeline(/** @type {HTMLCanvasElement} */ (byId('timeline')), byId('timeline-legend'), TIMELINE_SECONDS);
/** @type {Map<number, { row: HTMLElement, label: HTMLElement, fill: HTMLElement, count: HTMLElement }>} */
const shardBars = new Map();
/** @type {Map<string, { row: HTMLTableRowElement, type: HTMLElement, last: HTMLElement, count: HTMLElement }>} */
const nameRows = new Map();

// ---- token ---------------------------------------------------------------------------------------------------
// EventSource cannot send headers, so the token travels as ?access_token= on the stream and as a Bearer header on
// fetches. It is taken out of the address bar (it would end up in history) and kept for this tab only.
function takeToken() {
  const params = new URLSearchParams(location.search);
  const t = params.get('token') || params.get('access_token');
  if (t) {
    store(t);
    params.delete('token');
    params.delete('access_token');
    const q = params.toString();
    history.replaceState(null, '', location.pathname + (q ? '?' + q : '') + location.hash);
    return t;
  }
  try {
    return sessionStorage.getItem(TOKEN_KEY) || '';
  } catch {
    return '';
  }
}

/** @param {string} t */
function store(t) {
  try {
    sessionStorage.setItem(TOKEN_KEY, t);
  } catch {
    /* storage off: the token stays in memory */
  }
}

function needToken() {
  byId('token-bar').hidden = false;
  stream.stop();
  setConnection('closed', token ? 'token refused' : 'token needed');
  byId('token-input').focus();
}

// ---- the stream ------------------------------------------------------------------------------------------------
const stream = openStream(eventsUrl, () => token, {
  hit: onHit,
  control: onControl,
  handler: onHandler,
  gap: onGap,
  shardDown: (shard) => {
    model.downShards.add(shard);
    if (!model.shards.has(shard)) {
      model.shards.add(shard);
      drawShardOptions();
    }
    dirty.counters = true;
    schedule();
  },
  state: setConnection,
  closedForGood: () => {
    // Learn why (a 401 shows the token bar); the stream retries by itself otherwise.
    api.request('GET', '/injection').catch(() => undefined);
  },
});

/**
 * @param {StreamState} state
 * @param {string} detail
 */
function setConnection(state, detail) {
  byId('conn').setAttribute('data-state', state);
  byId('conn-text').textContent = detail;
  const live = state === 'open';
  if (live === model.live) return;
  model.live = live;
  document.body.toggleAttribute('data-stale', !live);
  const banner = byId('stale-banner');
  banner.hidden = live;
  if (!live) banner.textContent = `Disconnected at ${clock(Date.now())}: everything below is as it was then, and the buttons are off until the stream is back.`;
  for (const button of document.querySelectorAll('[data-needs-stream]')) /** @type {HTMLButtonElement} */ (button).disabled = !live;
  if (live) void readState();
}

// ---- the state, read once per connection -----------------------------------------------------------------------
let reading = 0;
/** Names a notice changed while a state read was under way: the notice is newer than the read. */
const changedDuringRead = new Set();
/** Names a handler notice changed while a state read was under way. */
const parkedDuringRead = new Set();
let readInFlight = false;
let clearedDuringRead = false;

async function readState() {
  const read = ++reading;
  changedDuringRead.clear();
  parkedDuringRead.clear();
  clearedDuringRead = false;
  readInFlight = true;
  const startedAt = Date.now();
  try {
    // Asked together with the list: they do not depend on it.
    const lifetimeRead = api.request('GET', '/lifetime_enters').catch(() => null);
    // Handlers that parked before this connection sent their `waiting` notice to nobody; a server without
    // the route (404) leaves the notices as the only source.
    const parkedRead = api.request('GET', '/parked').catch(() => null);
    const names = stringArray(await api.request('GET', '/injection')).sort();
    /** @param {string} name @param {string | null} scope */
    const stateOf = async (name, scope) => {
      const [shards, hits] = await Promise.all([
        api.request('GET', injectionPath(name) + scopeQuery(scope)),
        names.length ? api.request('GET', injectionPath(name) + '/enters' + scopeQuery(scope)).catch(() => null) : null,
      ]);
      return { name, scope, shards: /** @type {any[]} */ (arrayOf(shards)), hits };
    };
    // With nothing enabled, the state of any name still tells how many shards there are.
    const unscoped = await Promise.all((names.length ? names : ['faultline-dashboard']).map((name) => stateOf(name, null)));
    // A name's unscoped state lists the scopes it is enabled in besides (faultline's `scopes`), per shard.
    const scoped = await Promise.all(
      unscoped.flatMap((s) => [...new Set(s.shards.flatMap((x) => (x && Array.isArray(x.scopes) ? stringArray(x.scopes) : [])))].map((scope) => stateOf(s.name, scope))),
    );
    const states = [...unscoped, ...scoped];
    const [lifetime, parked] = await Promise.all([lifetimeRead, parkedRead]);
    if (read !== reading) return;
    if (states.length) setShardCount(states[0].shards.length);
    if (!clearedDuringRead) {
      /** @type {Set<string>} */
      const read = new Set();
      for (const s of states) {
        if (!names.includes(s.name) || changedDuringRead.has(s.name)) continue;
        const on = s.shards.filter((x) => x && x.enabled);
        if (on.length === 0) continue; // a name enabled in scopes only has no unscoped enablement
        const key = enabledKey(s.name, s.scope);
        read.add(key);
        const known = model.enabled.get(key);
        model.enabled.set(key, {
          name: s.name,
          scope: s.scope,
          options: known ? known.options : null,
          parameters: parametersOf(on[0] || s.shards[0]),
          hits: typeof s.hits === 'number' ? s.hits : known ? known.hits : 0,
          hitsByShard: known ? known.hitsByShard : new Map(),
          shardsOn: on.length,
          messagedAt: known ? known.messagedAt : null,
        });
      }
      for (const [key, e] of [...model.enabled]) if (!changedDuringRead.has(e.name) && !read.has(key)) model.enabled.delete(key);
    }
    if (Array.isArray(parked)) readParked(parked, startedAt);
    for (const name of names) model.names.add(name);
    if (lifetime && typeof lifetime === 'object') for (const name of Object.keys(lifetime)) model.names.add(name);
    dirty.enabled = dirty.names = true;
    schedule();
    // How many reads finished: tests wait on it rather than on the network.
    document.body.setAttribute('data-state-read', String(read));
  } catch {
    // Shown by the connection state; the next connection reads again.
  } finally {
    if (read === reading) readInFlight = false;
  }
}

/** @param {unknown} value @returns {unknown[]} */
const arrayOf = (value) => (Array.isArray(value) ? value : []);
/** @param {unknown} value */
const stringArray = (value) => /** @type {string[]} */ (arrayOf(value).filter((n) => typeof n === 'string'));

/** @param {any} shardState @returns {Record<string, string>} */
function parametersOf(shardState) {
  const p = shardState && shardState.parameters;
  /** @type {Record<string, string>} */
  const out = {};
  if (Array.isArray(p)) for (const kv of p) if (kv && typeof kv.key === 'string') out[kv.key] = String(kv.value);
  return out;
}

/** @param {number} n */
function setShardCount(n) {
  if (n <= model.shardCount) return;
  model.shardCount = n;
  dirty.form = dirty.enabled = true;
  schedule();
}

// ---- notices ---------------------------------------------------------------------------------------------------
/** @param {ControlNotice} notice */
function onControl(notice) {
  const name = notice.injection;
  if (name !== null) changedDuringRead.add(name);
  switch (notice.op) {
    case 'enabled': {
      if (name === null) break;
      const options = notice.options ?? {};
      const parameters = /** @type {Record<string, string>} */ (typeof options.parameters === 'object' && options.parameters !== null ? options.parameters : {});
      const scope = scopeOf(options.scope);
      model.enabled.set(enabledKey(name, scope), {
        name,
        scope,
        options,
        parameters,
        hits: 0,
        hitsByShard: new Map(),
        shardsOn: model.shardCount || null,
        messagedAt: null,
      });
      model.names.add(name);
      dirty.names = true;
      break;
    }
    case 'disabled':
      // With a scope, that scope's enablement only; without, every enablement of the name.
      if (name !== null) for (const e of affected(name, notice.scope)) model.enabled.delete(enabledKey(e.name, e.scope));
      break;
    case 'exhausted': {
      if (name === null) break;
      // Of one enablement: without a scope, the unscoped one.
      const scope = scopeOf(notice.scope);
      model.enabled.delete(enabledKey(name, scope));
      say(`${name}${scope === null ? '' : ` in scope ${scope}`} is spent: its one-shot or count ran out on every shard`, 'ok');
      break;
    }
    case 'disabled-all':
      clearedDuringRead = true;
      model.enabled.clear();
      break;
    case 'messaged':
      if (name !== null) for (const e of affected(name, notice.scope)) e.messagedAt = notice.ts;
      break;
  }
  dirty.enabled = true;
  schedule();
}

/**
 * The enablements of `name` a disable or message notice applies to: the one of its scope, or (no scope) all.
 * @param {string} name
 * @param {unknown} scope
 */
function affected(name, scope) {
  return typeof scope === 'string' ? enabledOf(name).filter((e) => e.scope === scope) : enabledOf(name);
}

/**
 * Replaces what is known of parked handlers with the server's answer, except for names a handler notice changed
 * while it was read (the notice is newer).
 * @param {unknown[]} rows `GET /parked`: `{ injection, shard, waiters }`
 * @param {number} readAt when the read started: they parked before it
 */
function readParked(rows, readAt) {
  /** @type {Map<string, Map<number, ParkedAt>>} */
  const read = new Map();
  for (const row of rows) {
    const { injection, shard, waiters } = /** @type {{ injection?: unknown, shard?: unknown, waiters?: unknown }} */ (row ?? {});
    if (typeof injection !== 'string' || typeof shard !== 'number' || typeof waiters !== 'number' || waiters < 1) continue;
    let shards = read.get(injection);
    if (!shards) read.set(injection, (shards = new Map()));
    shards.set(shard, { waiting: waiters, since: readAt, before: true });
  }
  for (const name of [...model.parked.keys()]) if (!parkedDuringRead.has(name) && !read.has(name)) model.parked.delete(name);
  for (const [name, shards] of read) if (!parkedDuringRead.has(name)) model.parked.set(name, shards);
  dirty.parked = true;
}

/** @param {HandlerNotice} notice */
function onHandler(notice) {
  if (readInFlight) parkedDuringRead.add(notice.injection);
  let shards = model.parked.get(notice.injection);
  if (notice.phase === 'waiting') {
    if (!shards) model.parked.set(notice.injection, (shards = new Map()));
    const at = shards.get(notice.shard);
    if (at) at.waiting++;
    else shards.set(notice.shard, { waiting: 1, since: notice.ts, before: false });
  } else if (shards) {
    const at = shards.get(notice.shard);
    if (at && --at.waiting <= 0) shards.delete(notice.shard);
    if (shards.size === 0) model.parked.delete(notice.injection);
  }
  dirty.parked = true;
  schedule();
}

/** @param {GapNotice} notice */
function onGap(notice) {
  const at = clock(Date.now());
  const text =
    notice.reason === 'restart'
      ? `The server restarted (noticed at ${at}): its injections and handlers started afresh, and the counters here start again.`
      : `Some hits were missed while disconnected (the server's history no longer reaches back that far): the counters here start again at ${at}.`;
  byId('gap-text').textContent = text;
  byId('gap-banner').setAttribute('data-reason', notice.reason);
  byId('gap-banner').hidden = false;
  if (notice.reason === 'restart') {
    // Whatever was parked went with the old server, and so did its shards' state; the state read at this
    // connection's open has the new one.
    model.parked.clear();
    model.downShards.clear();
    model.shardCount = 0;
    dirty.parked = true;
    // Once more, now that the restart is known: the new server may have another number of shards.
    void readState();
  }
  resetCounters(notice.reason === 'restart' ? 'server restart' : 'missed hits');
}

/** @param {string} reason */
function resetCounters(reason) {
  model.countingSince = Date.now();
  model.countingReason = reason;
  model.total = 0;
  model.byName.clear();
  model.byShard.forEach((_c, s) => model.byShard.set(s, 0));
  model.recent = [];
  model.pending = [];
  for (const row of nameRows.values()) row.row.remove();
  nameRows.clear();
  table.clear();
  timeline.reset();
  dirty.counters = true;
  schedule();
}

// ---- hits ------------------------------------------------------------------------------------------------------
/** @param {Hit} hit */
function onHit(hit) {
  const now = Date.now();
  model.total++;
  model.recent.push(now);
  // A hidden tab draws no frame: the rate's window is trimmed here too, so it stays bounded meanwhile.
  if (model.recent.length % 4096 === 0) trimRecent(now);
  let n = model.byName.get(hit.injection);
  if (!n) model.byName.set(hit.injection, (n = { count: 0, type: hit.type, last: 0, byShard: new Map() }));
  n.count++;
  n.type = hit.type;
  n.last = hit.ts ?? now;
  n.byShard.set(hit.shard, (n.byShard.get(hit.shard) || 0) + 1);
  model.byShard.set(hit.shard, (model.byShard.get(hit.shard) || 0) + 1);
  if (!model.shards.has(hit.shard)) {
    model.shards.add(hit.shard);
    drawShardOptions();
    setShardCount(hit.shard + 1);
  }
  if (!model.names.has(hit.injection)) {
    model.names.add(hit.injection);
    dirty.names = true;
  }
  // A hit is of the enablement of its scope.
  const key = enabledKey(hit.injection, scopeOf(hit.scope));
  const entry = model.enabled.get(key);
  if (entry) {
    entry.hits++;
    entry.hitsByShard.set(hit.shard, (entry.hitsByShard.get(hit.shard) || 0) + 1);
    if (isSpent(entry)) model.enabled.delete(key);
    dirty.enabled = true;
  }
  timeline.add(hit.injection, hit.ts ?? now);
  if (!model.paused) {
    model.pending.push(hit);
    if (model.pending.length > TABLE_ROWS) model.pending.splice(0, model.pending.length - TABLE_ROWS);
    dirty.hits = true;
  }
  dirty.counters = true;
  schedule();
}

/**
 * Whether a one-shot or count enablement the page saw from its start has fired its last on every shard: then it
 * is off everywhere (the server's `exhausted` notice says the same, where it sends one).
 * @param {Enabled} e
 */
function isSpent(e) {
  const o = e.options;
  const limit = o === null ? 0 : o.oneShot === true ? 1 : typeof o.count === 'number' ? o.count : 0;
  if (limit === 0 || model.shardCount === 0 || e.hitsByShard.size < model.shardCount) return false;
  for (const n of e.hitsByShard.values()) if (n < limit) return false;
  return true;
}

// ---- drawing, once per frame -----------------------------------------------------------------------------------
let frameRequested = false;
function schedule() {
  if (frameRequested) return;
  frameRequested = true;
  // However many messages arrived, one DOM update per frame; a hidden tab catches up when shown.
  requestAnimationFrame(frame);
}

let tableDrawnAt = 0;

/** @type {readonly [Exclude<keyof typeof dirty, 'hits'>, () => void][]} what a frame redraws when marked, besides the table */
const PARTS = [
  ['counters', drawCounters],
  ['enabled', drawEnabled],
  ['parked', drawParked],
  ['names', drawNames],
  ['form', drawFormHints],
];

/** @param {number} now the frame's time */
function frame(now) {
  frameRequested = false;
  if (dirty.hits && now - tableDrawnAt >= TABLE_EVERY_MS) {
    // The live table moves at most this often: rows that scroll past faster cannot be read, and moving them is
    // most of what the page costs under load (layout and paint of the whole table). Counts move every frame.
    dirty.hits = false;
    tableDrawnAt = now;
    const batch = model.pending;
    model.pending = [];
    table.add(batch);
  } else if (dirty.hits) {
    schedule();
  }
  for (const [part, draw] of PARTS) {
    if (!dirty[part]) continue;
    dirty[part] = false;
    draw();
  }
  timeline.draw(Date.now());
}

// The timeline and the rate move with time even when no hit comes: a tick once a second asks for a frame.
setInterval(() => {
  dirty.counters = true;
  schedule();
}, 1000);

/** @param {number} now */
function trimRecent(now) {
  const from = model.recent.findIndex((t) => t >= now - RATE_WINDOW_MS);
  model.recent.splice(0, from === -1 ? model.recent.length : from);
}

function drawCounters() {
  const now = Date.now();
  trimRecent(now);
  setText(byId('stat-total'), model.total.toLocaleString());
  setText(byId('stat-since'), `since ${clock(model.countingSince).slice(0, 8)} (${model.countingReason})`);
  setText(byId('stat-rate'), (model.recent.length / (RATE_WINDOW_MS / 1000)).toFixed(1));
  setText(byId('stat-names'), String(model.byName.size));
  setText(byId('stat-shards'), String(model.shards.size));
  drawByName();
  drawShardBars();
}

function drawByName() {
  const body = /** @type {HTMLTableElement} */ (byId('by-injection')).tBodies[0];
  const shard = model.shardFilter === '' ? null : Number(model.shardFilter);
  /** @type {{ name: string, count: number }[]} */
  const rows = [];
  for (const [name, v] of model.byName) {
    const count = shard === null ? v.count : v.byShard.get(shard) || 0;
    let row = nameRows.get(name);
    if (count === 0) {
      if (row) row.row.hidden = true;
      continue;
    }
    if (!row) {
      const tr = el('tr');
      tr.setAttribute('data-injection', name);
      tr.appendChild(el('td', 'mono', name));
      const typeCell = el('td');
      const type = typeCell.appendChild(el('span', 'type'));
      tr.appendChild(typeCell);
      const last = tr.appendChild(el('td', 'time'));
      const countCell = tr.appendChild(el('td', 'num count'));
      nameRows.set(name, (row = { row: tr, type, last, count: countCell }));
    }
    row.row.hidden = false;
    if (row.type.textContent !== v.type) {
      row.type.textContent = v.type;
      row.type.className = 'type ' + (wire.injectionTypes.includes(v.type) ? v.type : '');
    }
    setText(row.last, clock(v.last));
    setText(row.count, count.toLocaleString());
    rows.push({ name, count });
  }
  rows.sort((a, b) => b.count - a.count || (a.name < b.name ? -1 : 1));
  // Rows move only when the order changed, so a steady stream rewrites a few texts and nothing else.
  const current = [...body.rows].filter((r) => !r.hidden).map((r) => r.getAttribute('data-injection'));
  if (rows.some((r, i) => current[i] !== r.name) || current.length !== rows.length) {
    for (const r of rows) body.appendChild(/** @type {{ row: HTMLTableRowElement }} */ (nameRows.get(r.name)).row);
  }
  byId('by-injection-empty').hidden = rows.length > 0;
}

/** @param {HTMLElement} node @param {string} text */
function setText(node, text) {
  if (node.textContent !== text) node.textContent = text;
}

function drawShardBars() {
  let max = 0;
  model.byShard.forEach((c) => (max = Math.max(max, c)));
  for (const shard of model.shards) {
    const bar = shardBars.get(shard) || addShardBar(shard);
    const c = model.byShard.get(shard) || 0;
    // Only what changed is written: an unchanged write still costs a style pass or a layout, every frame.
    bar.row.classList.toggle('selected', model.shardFilter === String(shard));
    if (model.downShards.has(shard) !== bar.row.classList.contains('down')) {
      bar.row.classList.toggle('down');
      setText(bar.label, model.downShards.has(shard) ? `shard ${shard} (down)` : `shard ${shard}`);
    }
    const width = (max ? Math.max(2, Math.round((c / max) * 100)) : 0) + '%';
    if (bar.fill.style.width !== width) bar.fill.style.width = width;
    setText(bar.count, c.toLocaleString());
  }
  byId('by-shard-empty').hidden = model.shards.size > 0;
}

// A shard's bar is made once and then updated in place: rebuilt on every redraw, a click on it was lost whenever a
// redraw fell between mousedown and mouseup (the browser fires a click only when both land on the same element).
/** @param {number} shard */
function addShardBar(shard) {
  const row = el('div', 'bar');
  row.setAttribute('data-shard', String(shard));
  row.title = `Show only shard ${shard}`;
  const label = row.appendChild(el('span', 'label', `shard ${shard}`));
  const track = row.appendChild(el('div', 'track'));
  const fill = track.appendChild(el('div', 'fill'));
  const count = row.appendChild(el('span', 'count'));
  row.addEventListener('click', () => setShardFilter(model.shardFilter === String(shard) ? '' : String(shard)));
  /** @type {HTMLElement | null} */
  let next = null;
  let nextShard = Infinity;
  for (const [s, b] of shardBars) {
    if (s > shard && s < nextShard) {
      nextShard = s;
      next = b.row;
    }
  }
  byId('by-shard').insertBefore(row, next);
  const bar = { row, label, fill, count };
  shardBars.set(shard, bar);
  return bar;
}

function drawShardOptions() {
  const select = /** @type {HTMLSelectElement} */ (byId('shard-filter'));
  const keep = select.value;
  while (select.options.length > 1) select.remove(1);
  for (const s of [...model.shards].sort((a, b) => a - b)) {
    const o = el('option', '', `Shard ${s}`);
    o.value = String(s);
    select.appendChild(o);
  }
  select.value = keep;
}

/** @param {string} value */
function setShardFilter(value) {
  model.shardFilter = value;
  /** @type {HTMLSelectElement} */ (byId('shard-filter')).value = value;
  table.setFilter(value === '' ? () => true : (hit) => String(hit.shard) === value);
  drawCounters();
}

function drawNames() {
  const list = byId('known-names');
  list.textContent = '';
  for (const n of [...model.names].sort()) {
    const o = el('option');
    o.value = n;
    list.appendChild(o);
  }
}

/** @param {number} n @param {string} one @param {string} [many] */
const plural = (n, one, many = one + 's') => `${n.toLocaleString()} ${n === 1 ? one : many}`;

function drawFormHints() {
  const n = model.shardCount;
  byId('one-shot-hint').textContent = n
    ? `fires once per shard, then disables there: up to ${plural(n, 'hit')} on ${plural(n, 'shard')}`
    : 'fires once per shard, then disables there';
  const count = Number(/** @type {HTMLInputElement} */ (byId('enable-count')).value);
  byId('count-hint').textContent =
    Number.isInteger(count) && count > 0 && n
      ? `each shard fires ${plural(count, 'time')}: up to ${plural(count * n, 'hit')} on ${plural(n, 'shard')}`
      : 'Count, skip and probability act on each shard separately.';
}

// ---- the Enabled and Parked cards ------------------------------------------------------------------------------
/**
 * A button that acts on the server: off while the stream is down (what the page shows may be stale then).
 * @param {string} text
 * @param {string} className
 * @param {string} action
 */
function actionButton(text, className, action) {
  const b = el('button', className, text);
  b.type = 'button';
  b.setAttribute('data-action', action);
  b.setAttribute('data-needs-stream', '');
  b.disabled = !model.live;
  return b;
}

function drawEnabled() {
  const list = byId('enabled-list');
  const frag = document.createDocumentFragment();
  // By key: by name, then a name's unscoped enablement before its scoped ones, by scope (NUL sorts first).
  const entries = [...model.enabled].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, e]) => e);
  for (const e of entries) {
    const li = el('li');
    li.setAttribute('data-injection', e.name);
    if (e.scope !== null) li.setAttribute('data-scope', e.scope);
    li.appendChild(el('div', 'name', e.name));
    const meta = el('div', 'meta');
    if (e.scope !== null) {
      const chip = el('span', 'chip scope', `scope ${e.scope}`);
      chip.title = 'Fires only for work running in this injection scope (a request with its faultline-scope header)';
      meta.appendChild(chip);
    }
    for (const chip of chipsOf(e)) meta.appendChild(el('span', 'chip', chip));
    const hits = el('span', 'chip strong hits', `${plural(e.hits, 'hit')} since enabled`);
    hits.title = "Hits of this enablement on every shard: the server's count when the page connected, then counted from the stream";
    meta.appendChild(hits);
    li.appendChild(meta);
    const buttons = el('div', 'buttons');
    const seen = model.byName.get(e.name);
    // Only handlers take messages: offered while it is (or, not hit yet, may be) a handler.
    const inScope = e.scope === null ? '' : ` in scope ${e.scope}`;
    if (!seen || seen.type === 'handler') {
      const msg = actionButton('Message', 'small', 'message');
      msg.title =
        e.scope === null
          ? `Wake the handlers of ${e.name} waiting for a message, on every shard (in every scope too)`
          : `Wake the handlers of ${e.name}${inScope} waiting for a message, on every shard`;
      msg.addEventListener('click', () => act(msg, 'POST', injectionPath(e.name) + '/message' + scopeQuery(e.scope), `message sent to ${e.name}${inScope}`));
      buttons.appendChild(msg);
    }
    const off = actionButton('Disable', 'small danger', 'disable');
    if (e.scope === null && enabledOf(e.name).length > 1) off.title = `Disables every enablement of ${e.name}, in every scope too`;
    off.addEventListener('click', () => act(off, 'DELETE', injectionPath(e.name) + scopeQuery(e.scope), `${e.name}${inScope} disabled`));
    buttons.appendChild(off);
    li.appendChild(buttons);
    frag.appendChild(li);
  }
  list.textContent = '';
  list.appendChild(frag);
  byId('enabled-empty').hidden = entries.length > 0;
  /** @type {HTMLButtonElement} */ (byId('disable-all')).disabled = !model.live || entries.length === 0;
}

/** @param {Enabled} e @returns {string[]} */
function chipsOf(e) {
  const chips = [];
  if (e.shardsOn !== null && model.shardCount) chips.push(`on ${e.shardsOn}/${model.shardCount} shards`);
  const o = e.options;
  if (o) {
    if (o.oneShot === true) chips.push('one-shot per shard');
    if (typeof o.count === 'number') chips.push(`count ${o.count} per shard`);
    if (typeof o.skip === 'number' && o.skip > 0) chips.push(`skip ${o.skip} per shard`);
    if (typeof o.probability === 'number' && o.probability !== 1) chips.push(`probability ${o.probability}`);
  }
  for (const [k, v] of Object.entries(e.parameters)) chips.push(`${k}=${v}`);
  if (e.messagedAt !== null) chips.push(`messaged ${clock(e.messagedAt).slice(0, 8)}`);
  return chips;
}

function drawParked() {
  const list = byId('parked-list');
  const frag = document.createDocumentFragment();
  for (const name of [...model.parked.keys()].sort()) {
    const shards = /** @type {Map<number, ParkedAt>} */ (model.parked.get(name));
    const li = el('li');
    li.setAttribute('data-injection', name);
    li.appendChild(el('div', 'name', name));
    const meta = el('div', 'meta');
    let waiting = 0;
    let since = Infinity;
    let before = false;
    const on = [...shards.keys()].sort((a, b) => a - b);
    for (const s of shards.values()) {
      waiting += s.waiting;
      if (s.since < since) [since, before] = [s.since, s.before];
    }
    meta.appendChild(el('span', 'chip strong', `${plural(waiting, 'handler')} waiting`));
    meta.appendChild(el('span', 'chip', `${on.length === 1 ? 'shard' : 'shards'} ${on.join(', ')}`));
    meta.appendChild(el('span', 'chip', `since ${before ? 'before ' : ''}${clock(since).slice(0, 8)}`));
    if (enabledOf(name).length === 0) meta.appendChild(el('span', 'chip', 'no longer enabled'));
    li.appendChild(meta);
    const buttons = el('div', 'buttons');
    const msg = actionButton('Message', 'small primary', 'message');
    msg.title = `Release the handlers of ${name} waiting for a message, on every shard`;
    msg.addEventListener('click', () => act(msg, 'POST', injectionPath(name) + '/message', `message sent to ${name}`));
    buttons.appendChild(msg);
    li.appendChild(buttons);
    frag.appendChild(li);
  }
  list.textContent = '';
  list.appendChild(frag);
  byId('parked-empty').hidden = model.parked.size > 0;
}

/**
 * @param {HTMLButtonElement} button
 * @param {string} method
 * @param {string} path
 * @param {string} done
 */
async function act(button, method, path, done) {
  button.disabled = true;
  try {
    await api.request(method, path);
    say(done, 'ok');
  } catch (err) {
    say(/** @type {Error} */ (err).message, 'error');
  } finally {
    button.disabled = !model.live;
  }
}

/** @param {string} text @param {string} [kind] */
function say(text, kind = '') {
  const r = byId('enable-result');
  r.textContent = text;
  r.className = 'result ' + kind;
}

// ---- the enable form -------------------------------------------------------------------------------------------
function addParamRow() {
  const row = el('div', 'param-row');
  const k = row.appendChild(el('input', 'param-key'));
  k.placeholder = 'key';
  k.spellcheck = false;
  const v = row.appendChild(el('input', 'param-value'));
  v.placeholder = 'value';
  v.spellcheck = false;
  const x = row.appendChild(el('button', 'icon', '\u00d7'));
  x.type = 'button';
  x.title = 'Remove this parameter';
  x.addEventListener('click', () => row.remove());
  byId('param-rows').appendChild(row);
  return k;
}

/** @param {SubmitEvent} e */
async function onEnable(e) {
  e.preventDefault();
  const input = (/** @type {string} */ id) => /** @type {HTMLInputElement} */ (byId(id));
  const name = input('enable-name').value.trim();
  if (!name) return say('name the injection to enable', 'error');
  /** @type {Record<string, string>} */
  const params = {};
  for (const row of byId('param-rows').querySelectorAll('.param-row')) {
    const k = /** @type {HTMLInputElement} */ (row.querySelector('.param-key')).value.trim();
    const v = /** @type {HTMLInputElement} */ (row.querySelector('.param-value')).value;
    if (!k && !v) continue;
    if (!k) return say('a parameter has a value but no key', 'error');
    params[k] = v;
  }
  const oneShot = input('enable-one-shot').checked;
  const q = new URLSearchParams();
  q.set(wire.enableQuery.oneShot, oneShot ? 'True' : 'False');
  for (const [option, id] of /** @type {const} */ ([['count', 'enable-count'], ['probability', 'enable-probability'], ['skip', 'enable-skip']])) {
    const value = input(id).value.trim();
    if (value !== '') q.set(wire.enableQuery[option], value);
  }
  const button = /** @type {HTMLButtonElement} */ (byId('enable-submit'));
  button.disabled = true;
  try {
    await api.request('POST', injectionPath(name) + '?' + q.toString(), params);
    say(`${name} enabled${oneShot ? ' (one-shot per shard)' : ''}`, 'ok');
  } catch (err) {
    say(/** @type {Error} */ (err).message, 'error');
  } finally {
    button.disabled = !model.live;
  }
}

// ---- wiring ----------------------------------------------------------------------------------------------------
byId('server').textContent = location.host + apiBase;
byId('hits-title').textContent = `Live hits: the newest ${TABLE_ROWS}, newest first`;
byId('enable-form').addEventListener('submit', (e) => void onEnable(/** @type {SubmitEvent} */ (e)));
byId('enable-count').addEventListener('input', drawFormHints);
byId('add-param').addEventListener('click', () => addParamRow().focus());
byId('disable-all').addEventListener('click', () => act(/** @type {HTMLButtonElement} */ (byId('disable-all')), 'DELETE', '/injection', 'all injections disabled'));
byId('shard-filter').addEventListener('change', () => setShardFilter(/** @type {HTMLSelectElement} */ (byId('shard-filter')).value));
byId('pause').addEventListener('click', () => {
  model.paused = !model.paused;
  byId('pause').textContent = model.paused ? 'Resume' : 'Pause';
  byId('pause').setAttribute('aria-pressed', String(model.paused));
});
byId('clear').addEventListener('click', () => resetCounters('cleared'));
byId('gap-dismiss').addEventListener('click', () => (byId('gap-banner').hidden = true));
byId('token-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const t = /** @type {HTMLInputElement} */ (byId('token-input')).value.trim();
  if (!t) return;
  token = t;
  store(t);
  byId('token-bar').hidden = true;
  stream.connect();
});
window.addEventListener('resize', () => timeline.draw(Date.now(), true));

drawFormHints();
drawCounters();
drawEnabled();
drawParked();
stream.connect();
