// @ts-check
// The page's one event stream: hits, and the named notices it asks for (control, handler, shard-down, gap).
// It follows the stream instead of polling: everything the page shows changes because a message said so.

/**
 * @typedef {object} Hit
 * @property {string} injection
 * @property {string} type
 * @property {number} shard
 * @property {number} [ts]
 * @property {Record<string, string>} [params]
 * @property {boolean} [paramsTruncated]
 * @property {string} [id]
 * @property {string} [scope] the injection scope of the enablement that fired; absent when unscoped
 *
 * @typedef {object} ControlNotice
 * @property {'enabled' | 'disabled' | 'disabled-all' | 'messaged' | 'exhausted'} op
 * @property {string | null} injection
 * @property {Record<string, unknown>} [options]
 * @property {number | null} shard
 * @property {string} [scope] disabled, messaged: the one scope it applied to (absent: every enablement of the name); exhausted: the scope of the enablement that ran out (absent: the unscoped one)
 * @property {number} ts
 *
 * @typedef {object} HandlerNotice
 * @property {string} injection
 * @property {'waiting' | 'released'} phase
 * @property {number} shard
 * @property {number} ts
 * @property {string} [scope]
 *
 * @typedef {object} GapNotice
 * @property {'history' | 'restart'} reason
 * @property {string} lastEventId
 * @property {string | null} oldestId
 *
 * @typedef {'connecting' | 'open' | 'reconnecting' | 'closed'} StreamState
 *
 * @typedef {object} StreamHandlers
 * @property {(hit: Hit) => void} hit
 * @property {(notice: ControlNotice) => void} control
 * @property {(notice: HandlerNotice) => void} handler
 * @property {(notice: GapNotice) => void} gap
 * @property {(shard: number) => void} shardDown
 * @property {(state: StreamState, detail: string) => void} state
 * @property {() => void} closedForGood the server refused the stream (an HTTP status): the page checks why
 */

const FIRST_RETRY_MS = 1000;
const MAX_RETRY_MS = 30000;

/**
 * @param {string} url the events URL, without a query
 * @param {() => string} token
 * @param {StreamHandlers} on
 */
export function openStream(url, token, on) {
  /** @type {EventSource | null} */
  let source = null;
  let retryTimer = 0;
  let retryDelay = FIRST_RETRY_MS;
  let lastId = '';

  function connect() {
    if (source) source.close();
    clearTimeout(retryTimer);
    const q = new URLSearchParams({ control: '1', handler: '1', shard_down: '1' });
    const t = token();
    if (t) q.set('access_token', t);
    // A new EventSource cannot send Last-Event-ID; the server takes it from the query instead, so a reconnect
    // made here misses nothing the history holds (the browser's own reconnects send the header).
    if (lastId) q.set('lastEventId', lastId);
    on.state('connecting', 'connecting');
    const es = new EventSource(url + '?' + q.toString());
    source = es;
    es.onopen = () => {
      retryDelay = FIRST_RETRY_MS;
      on.state('open', 'live');
    };
    es.onmessage = (m) => {
      const hit = parse(m.data);
      if (!hit || typeof hit.injection !== 'string' || typeof hit.shard !== 'number') return;
      if (m.lastEventId) {
        hit.id = m.lastEventId;
        lastId = m.lastEventId;
      }
      on.hit(/** @type {Hit} */ (hit));
    };
    es.addEventListener('control', (m) => {
      const notice = parse(m.data);
      if (notice && typeof notice.op === 'string') on.control(/** @type {ControlNotice} */ (notice));
    });
    es.addEventListener('handler', (m) => {
      const notice = parse(m.data);
      if (notice && typeof notice.injection === 'string' && typeof notice.shard === 'number') on.handler(/** @type {HandlerNotice} */ (notice));
    });
    es.addEventListener('gap', (m) => {
      const notice = parse(m.data);
      if (notice && (notice.reason === 'history' || notice.reason === 'restart')) on.gap(/** @type {GapNotice} */ (notice));
    });
    es.addEventListener('shard-down', (m) => {
      const notice = parse(m.data);
      if (notice && typeof notice.shard === 'number') on.shardDown(notice.shard);
    });
    es.onerror = () => {
      if (source !== es) return;
      if (es.readyState === EventSource.CONNECTING) {
        on.state('reconnecting', 'disconnected, reconnecting');
        return;
      }
      // The browser gave up (an HTTP error status): the page finds out why; this tries again with backoff.
      es.close();
      source = null;
      const wait = Math.round(retryDelay * (0.75 + Math.random() * 0.5));
      retryDelay = Math.min(retryDelay * 2, MAX_RETRY_MS);
      on.state('closed', `offline, retrying in ${Math.ceil(wait / 1000)} s`);
      on.closedForGood();
      retryTimer = window.setTimeout(connect, wait);
    };
  }

  return {
    connect,
    /** Stops retrying (the page waits for a token). */
    stop() {
      clearTimeout(retryTimer);
      if (source) source.close();
      source = null;
    },
  };
}

/**
 * @param {string} data
 * @returns {Record<string, any> | null}
 */
function parse(data) {
  try {
    const value = JSON.parse(data);
    return typeof value === 'object' && value !== null ? value : null;
  } catch {
    return null;
  }
}
