// @ts-check
// What the page must agree on with the server (paths, types, query names). The server writes it into the page
// as a JSON data block from lib/wire.ts, lib/event.ts and lib/enable-options.ts, so there is no second list here.

/**
 * @typedef {object} Wire
 * @property {string} apiBasePath     where the REST routes live (lib/wire.ts API_BASE_PATH)
 * @property {string} eventsPath      the event stream (EVENTS_PATH)
 * @property {string} dashboardPath   this page, with its trailing slash (DASHBOARD_PATH)
 * @property {string[]} injectionTypes the four types (lib/event.ts INJECTION_TYPES)
 * @property {{ oneShot: string, count: string, probability: string, skip: string }} enableQuery the query names
 */

/** @returns {Wire} */
export function readWire() {
  // The page has one JSON data block: this one.
  const block = document.querySelector('script[type="application/json"]');
  if (block === null || block.textContent === null) throw new Error('the page has no JSON data block');
  return JSON.parse(block.textContent);
}

/**
 * The API's base URL path for a page at `pathname`: the page lives at `<prefix><dashboardPath>` (a prefix when the
 * handler is mounted under one, as in Express), the API at `<prefix><apiBasePath>`.
 * @param {Wire} wire
 * @param {string} pathname
 */
export function apiBaseOf(wire, pathname) {
  const at = pathname.lastIndexOf(wire.dashboardPath.slice(0, -1));
  return (at === -1 ? '' : pathname.slice(0, at)) + wire.apiBasePath;
}
