// @ts-check
// The live table: the newest hits first, at most `maxRows` of them. Only the rows of a frame's new hits are
// built; the rest of the table is left alone, so its cost per frame does not grow with the rate.
import { clock, el } from './dom.js';

/** @typedef {import('./stream.js').Hit} Hit */

export class HitTable {
  /**
   * @param {HTMLTableSectionElement} body
   * @param {HTMLElement} empty shown while the table has no row
   * @param {readonly string[]} types the injection types, for the type badge's class
   * @param {number} maxRows
   */
  constructor(body, empty, types, maxRows) {
    this.body = body;
    this.empty = empty;
    this.types = types;
    this.maxRows = maxRows;
    /** @type {Hit[]} newest first, whatever the filter, so a filter change can redraw */
    this.kept = [];
    /** @type {(hit: Hit) => boolean} */
    this.filter = () => true;
  }

  /**
   * Adds a frame's hits (oldest first).
   * @param {readonly Hit[]} batch
   */
  add(batch) {
    if (batch.length === 0) return;
    const newest = batch.length > this.maxRows ? batch.slice(batch.length - this.maxRows) : batch;
    for (const hit of newest) this.kept.unshift(hit);
    if (this.kept.length > this.maxRows) this.kept.length = this.maxRows;
    const frag = document.createDocumentFragment();
    for (let i = newest.length - 1; i >= 0; i--) if (this.filter(newest[i])) frag.appendChild(this.row(newest[i]));
    this.body.insertBefore(frag, this.body.firstChild);
    while (this.body.rows.length > this.maxRows) this.body.deleteRow(-1);
    this.empty.hidden = this.body.rows.length > 0;
  }

  /** @param {(hit: Hit) => boolean} filter */
  setFilter(filter) {
    this.filter = filter;
    this.redraw();
  }

  clear() {
    this.kept = [];
    this.redraw();
  }

  redraw() {
    const frag = document.createDocumentFragment();
    for (const hit of this.kept) if (this.filter(hit)) frag.appendChild(this.row(hit));
    this.body.textContent = '';
    this.body.appendChild(frag);
    this.empty.hidden = this.body.rows.length > 0;
  }

  /** @param {Hit} hit */
  row(hit) {
    const tr = el('tr');
    tr.setAttribute('data-injection', hit.injection);
    tr.setAttribute('data-shard', String(hit.shard));
    tr.setAttribute('data-type', hit.type);
    tr.appendChild(el('td', 'time', clock(hit.ts ?? Date.now())));
    tr.appendChild(el('td', 'num', String(hit.shard)));
    const type = el('td');
    type.appendChild(el('span', 'type ' + (this.types.includes(hit.type) ? hit.type : ''), hit.type));
    tr.appendChild(type);
    tr.appendChild(el('td', 'mono', hit.injection));
    const params = paramsCell(hit.params);
    // The stream keeps each event's parameters small; GET /injection/{name} has the whole set.
    if (hit.paramsTruncated === true) params.appendChild(el('span', 'k', ' \u2026 (cut)'));
    tr.appendChild(params);
    return tr;
  }
}

/** @param {Record<string, string> | undefined} params */
export function paramsCell(params) {
  const td = el('td', 'mono params-cell');
  if (params && typeof params === 'object') {
    Object.keys(params).forEach((k, i) => {
      if (i) td.appendChild(document.createTextNode(' '));
      td.appendChild(el('span', 'k', k + '='));
      td.appendChild(document.createTextNode(String(params[k])));
    });
  }
  return td;
}
