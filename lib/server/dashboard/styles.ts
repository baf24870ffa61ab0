// The dashboard's stylesheet, inlined into the page and allowed by its hash in the page's CSP.
export const DASHBOARD_CSS = `
:root {
  color-scheme: light dark;
  --bg: #f5f6f8; --panel: #ffffff; --border: #e2e5ea; --text: #1b1f24; --muted: #5f6b7a; --faint: #f0f2f5;
  --accent: #2563eb; --accent-text: #ffffff; --danger: #c62828; --ok: #1f8a4c; --warn: #b7791f;
  --sleep: #2563eb; --handler: #7c3aed; --exception: #dc2626; --lambda: #059669;
  --mono: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace;
  --shadow: 0 1px 2px rgba(16, 24, 40, .06);
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0f1217; --panel: #171b22; --border: #2a303a; --text: #e6e9ee; --muted: #9aa5b4; --faint: #1e232c;
    --accent: #3b82f6; --danger: #ef5350; --ok: #34c17b; --warn: #e0a43a;
    --sleep: #60a5fa; --handler: #a78bfa; --exception: #f87171; --lambda: #34d399;
    --shadow: none;
  }
}
* { box-sizing: border-box; }
html, body { margin: 0; }
body {
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  background: var(--bg); color: var(--text);
}
[hidden] { display: none !important; }
.top {
  display: flex; align-items: center; gap: 16px; padding: 10px 20px; background: var(--panel);
  border-bottom: 1px solid var(--border);
}
/* The header and the banners stay in sight: a stale page must say so wherever it is scrolled. */
.sticky { position: sticky; top: 0; z-index: 2; }
.brand { display: flex; align-items: baseline; gap: 8px; font-weight: 650; font-size: 16px; letter-spacing: .2px; }
.logo {
  width: 14px; height: 14px; border-radius: 3px; align-self: center;
  background: linear-gradient(135deg, var(--accent) 0 50%, var(--exception) 50% 100%);
}
.sub { color: var(--muted); font-weight: 400; font-size: 13px; }
.server { color: var(--muted); font-family: var(--mono); font-size: 12px; margin-left: auto; }
.conn {
  display: inline-flex; align-items: center; gap: 6px; padding: 3px 10px; border-radius: 999px;
  border: 1px solid var(--border); font-size: 12px; color: var(--muted); white-space: nowrap;
}
.conn .dot { width: 8px; height: 8px; border-radius: 50%; background: var(--warn); }
.conn[data-state="open"] .dot { background: var(--ok); box-shadow: 0 0 0 3px color-mix(in srgb, var(--ok) 25%, transparent); }
.conn[data-state="closed"] .dot { background: var(--danger); }
.token-bar { padding: 10px 20px; background: color-mix(in srgb, var(--warn) 14%, var(--panel)); border-bottom: 1px solid var(--border); }
.token-bar form { display: flex; gap: 8px; align-items: center; flex-wrap: wrap; }
#token-input { width: 280px; }
.layout { display: grid; grid-template-columns: 340px minmax(0, 1fr); gap: 16px; padding: 16px 20px 24px; align-items: start; }
@media (max-width: 900px) { .layout { grid-template-columns: 1fr; } }
.side, .content { display: grid; gap: 16px; min-width: 0; }
.card { background: var(--panel); border: 1px solid var(--border); border-radius: 8px; padding: 14px 16px; box-shadow: var(--shadow); min-width: 0; }
.card h2 { font-size: 13px; font-weight: 650; margin: 0 0 10px; text-transform: uppercase; letter-spacing: .5px; color: var(--muted); }
.card-head { display: flex; align-items: center; justify-content: space-between; gap: 8px; margin-bottom: 10px; }
.card-head h2 { margin: 0; }
.field { display: grid; gap: 4px; margin-bottom: 10px; }
.field > span { font-size: 12px; color: var(--muted); }
input[type="text"], input[type="number"], input[type="password"], input:not([type]), select {
  font: inherit; color: var(--text); background: var(--panel); border: 1px solid var(--border); border-radius: 6px;
  padding: 6px 8px; min-width: 0; width: 100%;
}
select { width: auto; }
input:focus, select:focus, button:focus-visible { outline: 2px solid color-mix(in srgb, var(--accent) 55%, transparent); outline-offset: 1px; }
.mono, #enable-name, .param-row input { font-family: var(--mono); font-size: 13px; }
.check { display: flex; align-items: baseline; gap: 6px; margin-bottom: 10px; }
.hint { color: var(--muted); font-size: 12px; }
.nowrap { white-space: nowrap; }
fieldset.params { border: 1px solid var(--border); border-radius: 6px; padding: 8px 10px 6px; margin: 0 0 10px; }
fieldset.params legend { font-size: 12px; color: var(--muted); padding: 0 4px; }
.param-row { display: grid; grid-template-columns: 1fr 1fr auto; gap: 6px; margin-bottom: 6px; }
details.more { margin-bottom: 10px; }
details.more summary { cursor: pointer; color: var(--muted); font-size: 12px; margin-bottom: 8px; }
.row3 { display: grid; grid-template-columns: repeat(3, 1fr); gap: 8px; }
button {
  font: inherit; font-size: 13px; border-radius: 6px; border: 1px solid var(--border); background: var(--panel);
  color: var(--text); padding: 5px 12px; cursor: pointer;
}
button:hover { background: var(--faint); }
button:disabled { opacity: .55; cursor: default; }
button.primary { background: var(--accent); border-color: var(--accent); color: var(--accent-text); font-weight: 600; }
button.primary:hover { filter: brightness(1.07); }
button.danger { color: var(--danger); }
button.small { padding: 2px 8px; font-size: 12px; }
button.link { border: 0; background: none; color: var(--accent); padding: 2px 0; }
button.icon { padding: 2px 8px; color: var(--muted); }
.actions { display: flex; align-items: center; gap: 10px; }
.result { font-size: 12px; color: var(--muted); overflow-wrap: anywhere; }
.result.ok { color: var(--ok); }
.result.error { color: var(--danger); }
ul.enabled { list-style: none; margin: 0; padding: 0; display: grid; gap: 8px; }
ul.enabled li { border: 1px solid var(--border); border-radius: 6px; padding: 8px 10px; display: grid; gap: 6px; }
.enabled .name { font-family: var(--mono); font-weight: 600; overflow-wrap: anywhere; }
.enabled .meta { display: flex; flex-wrap: wrap; gap: 4px; align-items: center; }
.enabled .buttons { display: flex; gap: 6px; }
.chip { font-size: 11px; padding: 1px 7px; border-radius: 999px; background: var(--faint); color: var(--muted); border: 1px solid var(--border); font-family: var(--mono); }
.chip.strong { color: var(--text); }
.chip.scope { color: var(--accent); border-color: var(--accent); }
.empty { color: var(--muted); font-size: 13px; margin: 4px 0; }
.stats { display: grid; grid-template-columns: repeat(4, minmax(0, 1fr)); gap: 16px; }
.stat { background: var(--panel); border: 1px solid var(--border); border-radius: 8px; padding: 10px 14px; box-shadow: var(--shadow); }
.stat .label { font-size: 12px; color: var(--muted); }
.stat .value { font-size: 22px; font-weight: 650; font-variant-numeric: tabular-nums; }
@media (max-width: 700px) { .stats { grid-template-columns: repeat(2, 1fr); } }
.grid2 { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 16px; }
@media (max-width: 1100px) { .grid2 { grid-template-columns: 1fr; } }
table { width: 100%; border-collapse: collapse; font-size: 13px; }
th { text-align: left; font-weight: 600; font-size: 12px; color: var(--muted); padding: 6px 8px; border-bottom: 1px solid var(--border); white-space: nowrap; }
td { padding: 5px 8px; border-bottom: 1px solid var(--faint); vertical-align: middle; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.mono { font-family: var(--mono); font-size: 12.5px; overflow-wrap: anywhere; }
td.time { font-family: var(--mono); font-size: 12px; color: var(--muted); white-space: nowrap; }
.type { display: inline-block; font-size: 11px; font-weight: 600; padding: 1px 7px; border-radius: 4px; font-family: var(--mono); }
.type.sleep { color: var(--sleep); background: color-mix(in srgb, var(--sleep) 12%, transparent); }
.type.handler { color: var(--handler); background: color-mix(in srgb, var(--handler) 12%, transparent); }
.type.exception { color: var(--exception); background: color-mix(in srgb, var(--exception) 12%, transparent); }
.type.lambda { color: var(--lambda); background: color-mix(in srgb, var(--lambda) 12%, transparent); }
.bars { display: grid; gap: 6px; }
.bar { display: grid; grid-template-columns: 64px 1fr 56px; gap: 8px; align-items: center; font-size: 12px; cursor: pointer; border-radius: 4px; padding: 2px 4px; }
.bar:hover, .bar.selected { background: var(--faint); }
.bar .track { height: 8px; background: var(--faint); border-radius: 4px; overflow: hidden; border: 1px solid var(--border); }
.bar .fill { height: 100%; background: var(--accent); border-radius: 4px; transition: width .2s ease; }
.bar .count { text-align: right; font-variant-numeric: tabular-nums; }
.bar.down .label { color: var(--danger); }
.bar.down .fill { background: var(--muted); }
.tools { display: flex; gap: 8px; align-items: center; font-size: 12px; color: var(--muted); }
.table-wrap { max-height: 62vh; overflow: auto; }
#hits thead th { position: sticky; top: 0; background: var(--panel); }
.params-cell .k { color: var(--muted); }
body[data-stale] .layout { opacity: .5; filter: grayscale(.8); }
.banner { padding: 8px 20px; border-bottom: 1px solid var(--border); font-size: 13px; display: flex; gap: 10px; align-items: center; }
.banner.stale { background: color-mix(in srgb, var(--danger) 14%, var(--panel)); font-weight: 600; }
.banner.gap { background: color-mix(in srgb, var(--warn) 16%, var(--panel)); }
ul.parked li { border-color: color-mix(in srgb, var(--handler) 45%, var(--border)); }
#stat-since { font-size: 11px; }
canvas.timeline { display: block; width: 100%; height: 160px; color: var(--muted); border-color: var(--border); }
/* Two lines are kept for the legend even while it is empty: it fills once a second, and a legend that grew moved
   everything below it, so a click on a shard's bar landed on the bar above. */
ul.legend { list-style: none; margin: 6px 0 0; padding: 0; display: flex; flex-wrap: wrap; gap: 4px 14px; font-size: 12px; line-height: 18px; min-height: 40px; align-content: flex-start; }
ul.legend li { display: flex; align-items: center; gap: 5px; }
.swatch { width: 10px; height: 10px; border-radius: 2px; display: inline-block; }
#hits { table-layout: fixed; }
#hits th:nth-child(1) { width: 110px; } #hits th:nth-child(2) { width: 60px; } #hits th:nth-child(3) { width: 90px; }
footer.note { color: var(--muted); font-size: 12px; padding: 0 20px 16px; }
`;
