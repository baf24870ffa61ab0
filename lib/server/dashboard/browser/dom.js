// @ts-check
// The two DOM helpers every part of the page uses.

/**
 * The element with this id; a missing one is a bug in the page, so it throws rather than returning null.
 * @param {string} id
 * @returns {HTMLElement}
 */
export function byId(id) {
  const found = document.getElementById(id);
  if (found === null) throw new Error(`the page has no element #${id}`);
  return found;
}

/**
 * A new element with an optional class and text (as text, never as HTML: names come from the server).
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {string} [className]
 * @param {string} [text]
 * @returns {HTMLElementTagNameMap[K]}
 */
export function el(tag, className, text) {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

/**
 * `HH:MM:SS.mmm` in local time.
 * @param {number} ts epoch milliseconds
 */
export function clock(ts) {
  const d = new Date(ts);
  /** @param {number} n @param {number} [w] */
  const pad = (n, w = 2) => String(n).padStart(w, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}
