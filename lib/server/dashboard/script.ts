// The dashboard's script, inlined into the page. Plain browser JavaScript (no build step at run time); it
// must not contain a backtick, a dollar-brace or a closing script tag, which the page spec checks.
export const DASHBOARD_SCRIPT = `
(function () {
  'use strict';

  var MAX_ROWS = 500;
  var RATE_WINDOW_MS = 5000;
  var STATE_REFRESH_MS = 2000;
  var TYPES = ['sleep', 'handler', 'exception', 'lambda'];
  var DEMO_NAMES = ['demo_sleep', 'demo_exception', 'demo_lambda', 'demo_handler'];

  // The API lives beside the page: <prefix>/v2/error_injection/ui/ -> <prefix>/v2/error_injection
  var api = location.pathname.replace(/\\/ui(\\/.*)?$/, '');
  var token = takeToken();

  // A shard's bar is made once and then updated in place. Rebuilt on every redraw (many a second while hits
  // flow), a click on it was lost whenever a redraw fell between mousedown and mouseup: the browser fires a
  // click only when both land on the same element.
  var shardBars = new Map(); // shard -> { row, fill, count }

  var $ = function (id) { return document.getElementById(id); };
  var el = function (tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  };

  var model = {
    total: 0,
    byName: new Map(),     // name -> { count, type, last }
    byShard: new Map(),    // shard -> count
    shards: new Set(),
    names: new Set(DEMO_NAMES),
    recent: [],            // receive times, for the rate
    pending: [],           // events not yet drawn
    rows: 0,
    paused: false,
    shardFilter: '',
    enabled: [],
  };

  // ---- token -------------------------------------------------------------------------------------------
  // EventSource cannot send headers, so the token travels as ?access_token= on the stream and as a Bearer header on
  // fetches. It is taken out of the address bar (it would end up in history) and kept for this tab only.
  function takeToken() {
    var params = new URLSearchParams(location.search);
    var t = params.get('token') || params.get('access_token');
    if (t) {
      try { sessionStorage.setItem('faultline-token', t); } catch (e) { /* storage off: keep it in memory */ }
      params.delete('token');
      params.delete('access_token');
      var q = params.toString();
      history.replaceState(null, '', location.pathname + (q ? '?' + q : '') + location.hash);
      return t;
    }
    try { return sessionStorage.getItem('faultline-token') || ''; } catch (e) { return ''; }
  }

  function setToken(t) {
    token = t;
    try { sessionStorage.setItem('faultline-token', t); } catch (e) { /* memory only */ }
    $('token-bar').hidden = true;
    connect();
    refreshState();
  }

  function needToken() {
    $('token-bar').hidden = false;
    setConn('closed', token ? 'token refused' : 'token needed');
    $('token-input').focus();
  }

  // ---- REST --------------------------------------------------------------------------------------------
  function request(method, path, body) {
    var headers = { accept: 'application/json' };
    if (token) headers.authorization = 'Bearer ' + token;
    var init = { method: method, headers: headers, credentials: 'same-origin', cache: 'no-store' };
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    return fetch(api + path, init).then(function (res) {
      return res.text().then(function (text) {
        var data = null;
        if (text) { try { data = JSON.parse(text); } catch (e) { data = text; } }
        if (res.status === 401 || res.status === 403) needToken();
        if (!res.ok) {
          var msg = data && typeof data === 'object' && data.message ? data.message : (typeof data === 'string' && data ? data : res.statusText);
          var err = new Error(res.status + ' ' + msg);
          err.status = res.status;
          throw err;
        }
        return data;
      });
    });
  }

  var injectionPath = function (name) { return '/injection/' + encodeURIComponent(name); };

  // ---- event stream ------------------------------------------------------------------------------------
  var source = null;
  var retryTimer = 0;
  var retryDelay = 1000;
  var lastId = '';

  function connect() {
    if (source) source.close();
    clearTimeout(retryTimer);
    var q = new URLSearchParams();
    if (token) q.set('access_token', token);
    // A new EventSource cannot send Last-Event-ID; the server takes it from the query instead, so nothing is
    // missed across a reconnect we make ourselves (the browser's own reconnects send the header).
    if (lastId) q.set('lastEventId', lastId);
    var qs = q.toString();
    var url = api + '/events' + (qs ? '?' + qs : '');
    setConn('connecting', 'connecting');
    var es = new EventSource(url);
    source = es;
    es.onopen = function () {
      retryDelay = 1000;
      setConn('open', 'live');
    };
    es.onmessage = function (m) {
      var ev;
      try { ev = JSON.parse(m.data); } catch (e) { return; }
      if (!ev || typeof ev.injection !== 'string' || typeof ev.shard !== 'number') return;
      if (m.lastEventId) { ev.id = m.lastEventId; lastId = m.lastEventId; }
      onHit(ev);
    };
    es.onerror = function () {
      if (source !== es) return;
      if (es.readyState === EventSource.CONNECTING) {
        setConn('connecting', 'reconnecting');
        return;
      }
      // The browser gave up (an HTTP error status): find out why, then try again with backoff and jitter.
      es.close();
      source = null;
      var wait = Math.round(retryDelay * (0.75 + Math.random() * 0.5));
      retryDelay = Math.min(retryDelay * 2, 30000);
      setConn('closed', 'offline, retrying in ' + Math.ceil(wait / 1000) + ' s');
      request('GET', '/injection').catch(function () { /* needToken() already ran on 401/403 */ });
      retryTimer = setTimeout(function () { if ($('token-bar').hidden) connect(); }, wait);
    };
  }

  function setConn(state, text) {
    $('conn').setAttribute('data-state', state);
    $('conn-text').textContent = text;
  }

  // ---- hits --------------------------------------------------------------------------------------------
  function onHit(ev) {
    var now = Date.now();
    model.total++;
    model.recent.push(now);
    var n = model.byName.get(ev.injection);
    if (!n) { n = { count: 0, type: ev.type, byShard: new Map() }; model.byName.set(ev.injection, n); }
    n.count++;
    n.type = ev.type;
    n.last = ev.ts || now;
    n.byShard.set(ev.shard, (n.byShard.get(ev.shard) || 0) + 1);
    model.byShard.set(ev.shard, (model.byShard.get(ev.shard) || 0) + 1);
    addShard(ev.shard);
    if (!model.names.has(ev.injection)) { model.names.add(ev.injection); drawNames(); }
    if (!model.paused) {
      model.pending.push(ev);
      if (model.pending.length > MAX_ROWS) model.pending.splice(0, model.pending.length - MAX_ROWS);
    }
    scheduleDraw();
    // A count or one-shot may have just switched it off: refresh soon, at most once a second however busy.
    if (model.enabled.indexOf(ev.injection) !== -1) scheduleRefresh(1000);
  }

  var drawScheduled = false;
  function scheduleDraw() {
    if (drawScheduled) return;
    drawScheduled = true;
    // One DOM update per frame, however many hits arrived; a hidden tab catches up when shown.
    requestAnimationFrame(function () { drawScheduled = false; draw(); });
  }

  function draw() {
    drawHits();
    drawCounters();
  }

  function visible(ev) {
    return model.shardFilter === '' || String(ev.shard) === model.shardFilter;
  }

  function hitRow(ev) {
    var tr = el('tr', 'fresh');
    tr.setAttribute('data-injection', ev.injection);
    tr.setAttribute('data-shard', String(ev.shard));
    tr.setAttribute('data-type', ev.type);
    tr.appendChild(el('td', 'time', clock(ev.ts || Date.now())));
    tr.appendChild(el('td', 'num', String(ev.shard)));
    var td = el('td');
    td.appendChild(el('span', 'type ' + (TYPES.indexOf(ev.type) !== -1 ? ev.type : ''), ev.type));
    tr.appendChild(td);
    tr.appendChild(el('td', 'mono', ev.injection));
    var cell = paramsCell(ev.params);
    // The stream keeps each event's parameters small; the injection's card shows the whole set.
    if (ev.paramsTruncated === true) cell.appendChild(el('span', 'k', ' \u2026 (cut)'));
    tr.appendChild(cell);
    return tr;
  }

  function paramsCell(params) {
    var td = el('td', 'mono params-cell');
    if (params && typeof params === 'object') {
      Object.keys(params).forEach(function (k, i) {
        if (i) td.appendChild(document.createTextNode(' '));
        td.appendChild(el('span', 'k', k + '='));
        td.appendChild(document.createTextNode(String(params[k])));
      });
    }
    return td;
  }

  var shownHits = [];   // what the table holds, newest first, so a filter change can redraw it

  function drawHits() {
    var batch = model.pending;
    model.pending = [];
    if (batch.length === 0) return;
    for (var i = 0; i < batch.length; i++) shownHits.unshift(batch[i]);
    if (shownHits.length > MAX_ROWS) shownHits.length = MAX_ROWS;
    var body = $('hits').tBodies[0];
    var frag = document.createDocumentFragment();
    for (var j = batch.length - 1; j >= 0; j--) if (visible(batch[j])) frag.insertBefore(hitRow(batch[j]), null);
    body.insertBefore(frag, body.firstChild);
    while (body.rows.length > MAX_ROWS) body.deleteRow(body.rows.length - 1);
    $('hits-empty').hidden = body.rows.length > 0;
  }

  function redrawHits() {
    var body = $('hits').tBodies[0];
    body.textContent = '';
    var frag = document.createDocumentFragment();
    shownHits.forEach(function (ev) {
      if (!visible(ev)) return;
      var tr = hitRow(ev);
      tr.className = '';
      frag.appendChild(tr);
    });
    body.appendChild(frag);
    $('hits-empty').hidden = body.rows.length > 0;
  }

  function drawCounters() {
    var now = Date.now();
    while (model.recent.length && model.recent[0] < now - RATE_WINDOW_MS) model.recent.shift();
    $('stat-total').textContent = model.total.toLocaleString();
    $('stat-rate').textContent = (model.recent.length / (RATE_WINDOW_MS / 1000)).toFixed(1);
    $('stat-names').textContent = String(model.byName.size);
    $('stat-shards').textContent = String(model.shards.size);

    var rows = [];
    model.byName.forEach(function (v, name) {
      var count = model.shardFilter === '' ? v.count : (v.byShard.get(Number(model.shardFilter)) || 0);
      if (count > 0) rows.push({ name: name, count: count, type: v.type, last: v.last });
    });
    rows.sort(function (a, b) { return b.count - a.count || (a.name < b.name ? -1 : 1); });
    var body = $('by-injection').tBodies[0];
    body.textContent = '';
    rows.forEach(function (r) {
      var tr = el('tr');
      tr.setAttribute('data-injection', r.name);
      tr.appendChild(el('td', 'mono', r.name));
      var td = el('td');
      td.appendChild(el('span', 'type ' + r.type, r.type));
      tr.appendChild(td);
      tr.appendChild(el('td', 'time', clock(r.last)));
      tr.appendChild(el('td', 'num count', r.count.toLocaleString()));
      body.appendChild(tr);
    });
    $('by-injection-empty').hidden = rows.length > 0;

    var max = 0;
    model.byShard.forEach(function (c) { if (c > max) max = c; });
    model.shards.forEach(function (shard) {
      var bar = shardBars.get(shard) || addShardBar(shard);
      var c = model.byShard.get(shard) || 0;
      bar.row.className = 'bar' + (model.shardFilter === String(shard) ? ' selected' : '');
      bar.fill.style.width = (max ? Math.max(2, Math.round((c / max) * 100)) : 0) + '%';
      bar.count.textContent = c.toLocaleString();
    });
    $('by-shard-empty').hidden = model.shards.size > 0;
  }

  function addShardBar(shard) {
    var row = el('div', 'bar');
    row.setAttribute('data-shard', String(shard));
    row.title = 'Show only shard ' + shard;
    row.appendChild(el('span', '', 'shard ' + shard));
    var track = el('div', 'track');
    var fill = el('div', 'fill');
    track.appendChild(fill);
    row.appendChild(track);
    var count = el('span', 'count');
    row.appendChild(count);
    row.addEventListener('click', function () { setShardFilter(model.shardFilter === String(shard) ? '' : String(shard)); });
    var next = null;
    shardBars.forEach(function (bar, s) { if (s > shard && (next === null || s < next.shard)) next = { shard: s, row: bar.row }; });
    $('by-shard').insertBefore(row, next && next.row);
    var bar = { row: row, fill: fill, count: count };
    shardBars.set(shard, bar);
    return bar;
  }

  function addShard(shard) {
    if (model.shards.has(shard)) return;
    model.shards.add(shard);
    var select = $('shard-filter');
    var opts = Array.from(model.shards).sort(function (a, b) { return a - b; });
    var keep = select.value;
    while (select.options.length > 1) select.remove(1);
    opts.forEach(function (s) {
      var o = el('option', '', 'Shard ' + s);
      o.value = String(s);
      select.appendChild(o);
    });
    select.value = keep;
  }

  function setShardFilter(value) {
    model.shardFilter = value;
    $('shard-filter').value = value;
    redrawHits();
    drawCounters();
  }

  function drawNames() {
    var list = $('known-names');
    list.textContent = '';
    Array.from(model.names).sort().forEach(function (n) {
      var o = el('option');
      o.value = n;
      list.appendChild(o);
    });
  }

  function clock(ts) {
    var d = new Date(ts);
    var p = function (n, w) { return String(n).padStart(w || 2, '0'); };
    return p(d.getHours()) + ':' + p(d.getMinutes()) + ':' + p(d.getSeconds()) + '.' + p(d.getMilliseconds(), 3);
  }

  // ---- enabled injections ------------------------------------------------------------------------------
  var refreshTimer = 0;
  var refreshing = false;
  function scheduleRefresh(ms) {
    if (refreshTimer) return;
    refreshTimer = setTimeout(function () { refreshTimer = 0; refreshState(); }, ms);
  }

  function refreshState() {
    if (refreshing) { scheduleRefresh(200); return Promise.resolve(); }
    refreshing = true;
    return request('GET', '/injection')
      .then(function (names) {
        names = Array.isArray(names) ? names.filter(function (n) { return typeof n === 'string'; }).sort() : [];
        return Promise.all(names.map(function (name) {
          var state = request('GET', injectionPath(name)).then(
            function (shards) { return Array.isArray(shards) ? shards : []; },
            function () { return []; });
          // Hits since it was enabled, summed over shards (an older ScyllaDB has no such route: left out).
          var hits = request('GET', injectionPath(name) + '/enters').then(
            function (n) { return typeof n === 'number' ? n : null; },
            function () { return null; });
          return Promise.all([state, hits]).then(function (r) { return { name: name, shards: r[0], hits: r[1] }; });
        }));
      })
      .then(function (states) {
        model.enabled = states.map(function (s) { return s.name; });
        states.forEach(function (s) {
          model.names.add(s.name);
          for (var i = 0; i < s.shards.length; i++) addShard(i);
        });
        drawNames();
        drawEnabled(states);
        drawCounters();
      })
      .catch(function () { /* shown by the connection state; the next poll tries again */ })
      .then(function () { refreshing = false; });
  }

  function paramsOf(shardState) {
    var p = shardState && shardState.parameters;
    var out = {};
    if (Array.isArray(p)) p.forEach(function (kv) { if (kv && typeof kv.key === 'string') out[kv.key] = String(kv.value); });
    else if (p && typeof p === 'object') Object.keys(p).forEach(function (k) { out[k] = String(p[k]); });
    return out;
  }

  function drawEnabled(states) {
    var list = $('enabled-list');
    list.textContent = '';
    states.forEach(function (s) {
      var on = s.shards.filter(function (x) { return x && x.enabled; });
      var first = on[0] || s.shards[0] || {};
      var li = el('li');
      li.setAttribute('data-injection', s.name);
      li.appendChild(el('div', 'name', s.name));
      var meta = el('div', 'meta');
      if (s.shards.length) meta.appendChild(el('span', 'chip', on.length + '/' + s.shards.length + ' shards'));
      var params = paramsOf(first);
      Object.keys(params).forEach(function (k) { meta.appendChild(el('span', 'chip', k + '=' + params[k])); });
      if (s.hits !== null) meta.appendChild(el('span', 'chip strong', s.hits + (s.hits === 1 ? ' hit' : ' hits')));
      li.appendChild(meta);
      var buttons = el('div', 'buttons');
      var seen = model.byName.get(s.name);
      // Only handlers take messages; offer it when this one is (or has not been hit yet, so may be) a handler.
      var takesMessages = !seen || seen.type === 'handler';
      var msg = el('button', 'small', 'Message');
      msg.hidden = !takesMessages;
      msg.type = 'button';
      msg.setAttribute('data-action', 'message');
      msg.title = 'Wake the handlers of ' + s.name + ' waiting for a message, on every shard';
      msg.addEventListener('click', function () { act(msg, 'POST', injectionPath(s.name) + '/message', 'message sent to ' + s.name); });
      var off = el('button', 'small danger', 'Disable');
      off.type = 'button';
      off.setAttribute('data-action', 'disable');
      off.addEventListener('click', function () { act(off, 'DELETE', injectionPath(s.name), s.name + ' disabled'); });
      buttons.appendChild(msg);
      buttons.appendChild(off);
      li.appendChild(buttons);
      list.appendChild(li);
    });
    $('enabled-empty').hidden = states.length > 0;
    $('disable-all').disabled = states.length === 0;
  }

  function act(button, method, path, done) {
    button.disabled = true;
    return request(method, path)
      .then(function () { say(done, 'ok'); }, function (err) { say(err.message, 'error'); })
      .then(function () { button.disabled = false; return refreshState(); });
  }

  function say(text, kind) {
    var r = $('enable-result');
    r.textContent = text;
    r.className = 'result ' + (kind || '');
  }

  // ---- enable form -------------------------------------------------------------------------------------
  function addParamRow(key, value) {
    var row = el('div', 'param-row');
    var k = el('input');
    k.placeholder = 'key';
    k.className = 'param-key';
    k.value = key || '';
    k.spellcheck = false;
    var v = el('input');
    v.placeholder = 'value';
    v.className = 'param-value';
    v.value = value || '';
    v.spellcheck = false;
    var x = el('button', 'icon', '\\u00d7');
    x.type = 'button';
    x.title = 'Remove this parameter';
    x.addEventListener('click', function () { row.remove(); });
    row.appendChild(k);
    row.appendChild(v);
    row.appendChild(x);
    $('param-rows').appendChild(row);
    return k;
  }

  function onEnable(e) {
    e.preventDefault();
    var name = $('enable-name').value.trim();
    if (!name) { say('name the injection to enable', 'error'); return; }
    var params = {};
    var rows = $('param-rows').querySelectorAll('.param-row');
    for (var i = 0; i < rows.length; i++) {
      var k = rows[i].querySelector('.param-key').value.trim();
      var v = rows[i].querySelector('.param-value').value;
      if (!k && !v) continue;
      if (!k) { say('a parameter has a value but no key', 'error'); return; }
      params[k] = v;
    }
    var q = new URLSearchParams();
    q.set('one_shot', $('enable-one-shot').checked ? 'True' : 'False');
    [['count', 'enable-count'], ['probability', 'enable-probability'], ['skip', 'enable-skip']].forEach(function (p) {
      var val = $(p[1]).value.trim();
      if (val !== '') q.set(p[0], val);
    });
    var button = $('enable-submit');
    button.disabled = true;
    request('POST', injectionPath(name) + '?' + q.toString(), params)
      .then(function () {
        model.names.add(name);
        drawNames();
        say(name + ' enabled' + ($('enable-one-shot').checked ? ' (one-shot)' : ''), 'ok');
      }, function (err) { say(err.message, 'error'); })
      .then(function () { button.disabled = false; return refreshState(); });
  }

  // ---- wiring ------------------------------------------------------------------------------------------
  $('server').textContent = location.host + api;
  $('enable-form').addEventListener('submit', onEnable);
  $('add-param').addEventListener('click', function () { addParamRow().focus(); });
  $('disable-all').addEventListener('click', function () {
    act($('disable-all'), 'DELETE', '/injection', 'all injections disabled');
  });
  $('shard-filter').addEventListener('change', function () { setShardFilter($('shard-filter').value); });
  $('pause').addEventListener('click', function () {
    model.paused = !model.paused;
    $('pause').textContent = model.paused ? 'Resume' : 'Pause';
    $('pause').setAttribute('aria-pressed', String(model.paused));
  });
  $('clear').addEventListener('click', function () {
    model.total = 0;
    model.byName.clear();
    model.byShard.forEach(function (_c, s) { model.byShard.set(s, 0); });
    model.recent = [];
    model.pending = [];
    shownHits = [];
    redrawHits();
    drawCounters();
  });
  $('token-form').addEventListener('submit', function (e) {
    e.preventDefault();
    var t = $('token-input').value.trim();
    if (t) setToken(t);
  });
  document.addEventListener('visibilitychange', function () {
    if (document.visibilityState === 'visible') { refreshState(); scheduleDraw(); }
  });

  drawNames();
  drawCounters();
  $('disable-all').disabled = true;
  connect();
  refreshState();
  setInterval(function () {
    if (document.visibilityState === 'visible') { refreshState(); drawCounters(); }
  }, STATE_REFRESH_MS);
})();
`;
