// @ts-check
// The hit timeline: hits per second of each injection over the last minutes, drawn on a canvas. A burst reads
// faster from a picture than from a table. It is redrawn once a second (when a second is complete), not per hit.
import { el } from './dom.js';

/** Lines drawn: the injections with the most hits in the window; the others are summed into "other". */
const MAX_SERIES = 6;
const COLORS = ['#2563eb', '#dc2626', '#059669', '#7c3aed', '#d97706', '#0891b2', '#6b7280'];

export class HitTimeline {
  /**
   * @param {HTMLCanvasElement} canvas
   * @param {HTMLElement} legend
   * @param {number} seconds the window
   */
  constructor(canvas, legend, seconds) {
    this.canvas = canvas;
    this.legend = legend;
    this.seconds = seconds;
    /**
     * Hits per second, a ring indexed by epoch second modulo `slots`: the window and the second in progress.
     * @type {Map<string, Float64Array>}
     */
    this.series = new Map();
    this.slots = seconds + 1;
    /** The newest second a bucket was cleared for. */
    this.head = 0;
    this.drawnFor = -1;
    this.legendKey = '';
  }

  /**
   * Counts one hit at `ts` (epoch ms); one older than the window is left out.
   * @param {string} name
   * @param {number} ts
   */
  add(name, ts) {
    const second = Math.floor(ts / 1000);
    this.advance(second);
    if (second < this.head - this.seconds || second > this.head) return;
    let buckets = this.series.get(name);
    if (!buckets) this.series.set(name, (buckets = new Float64Array(this.slots)));
    buckets[second % this.slots]++;
  }

  reset() {
    this.series.clear();
    this.drawnFor = -1;
  }

  /** @param {number} second */
  advance(second) {
    if (second <= this.head) return;
    const from = Math.max(this.head + 1, second - this.slots + 1);
    for (const buckets of this.series.values()) for (let s = from; s <= second; s++) buckets[s % this.slots] = 0;
    this.head = second;
    // A series with nothing left in the window is dropped.
    for (const [name, buckets] of this.series) if (!buckets.some((n) => n > 0)) this.series.delete(name);
  }

  /**
   * Draws the window up to the last complete second, if not drawn for it yet (or `force`).
   * @param {number} now epoch ms
   * @param {boolean} [force]
   */
  draw(now, force = false) {
    const last = Math.floor(now / 1000) - 1;
    this.advance(last + 1);
    if (last === this.drawnFor && !force) return;
    this.drawnFor = last;
    const { canvas } = this;
    const ratio = window.devicePixelRatio || 1;
    const width = Math.max(1, canvas.clientWidth);
    const height = Math.max(1, canvas.clientHeight);
    if (canvas.width !== Math.round(width * ratio) || canvas.height !== Math.round(height * ratio)) {
      canvas.width = Math.round(width * ratio);
      canvas.height = Math.round(height * ratio);
    }
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, width, height);
    const lines = this.lines(last);
    let max = 1;
    for (const line of lines) for (const n of line.values) if (n > max) max = n;
    const top = niceCeiling(max);
    const left = 44;
    const bottom = height - 18;
    const plotWidth = width - left - 8;
    const style = getComputedStyle(canvas);
    ctx.font = '11px ' + style.fontFamily;
    ctx.fillStyle = style.color;
    ctx.strokeStyle = style.borderColor || style.color;
    ctx.globalAlpha = 0.35;
    ctx.lineWidth = 1;
    ctx.beginPath();
    for (const f of [0, 0.5, 1]) {
      const y = Math.round(bottom - f * (bottom - 8)) + 0.5;
      ctx.moveTo(left, y);
      ctx.lineTo(width - 8, y);
    }
    ctx.stroke();
    ctx.globalAlpha = 1;
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    for (const f of [0, 0.5, 1]) ctx.fillText(formatRate(top * f), left - 6, bottom - f * (bottom - 8));
    ctx.textBaseline = 'alphabetic';
    ctx.textAlign = 'left';
    ctx.fillText(`-${Math.round(this.seconds / 60)} min`, left, height - 4);
    ctx.textAlign = 'right';
    ctx.fillText('now', width - 8, height - 4);
    const step = plotWidth / (this.seconds - 1);
    ctx.lineWidth = 1.5;
    ctx.lineJoin = 'round';
    for (const line of lines) {
      ctx.strokeStyle = line.color;
      ctx.beginPath();
      line.values.forEach((n, i) => {
        const x = left + i * step;
        const y = bottom - (n / top) * (bottom - 8);
        if (i === 0) ctx.moveTo(x, y);
        else ctx.lineTo(x, y);
      });
      ctx.stroke();
    }
    this.drawLegend(lines);
  }

  /**
   * The lines to draw, oldest second first: the busiest injections, then the rest summed.
   * @param {number} last
   * @returns {{ name: string, color: string, values: number[], total: number, peak: number }[]}
   */
  lines(last) {
    const ordered = [...this.series].map(([name, buckets]) => {
      const values = [];
      for (let s = last - this.seconds + 1; s <= last; s++) values.push(buckets[s % this.slots]);
      return { name, values, total: values.reduce((a, b) => a + b, 0) };
    });
    ordered.sort((a, b) => b.total - a.total || (a.name < b.name ? -1 : 1));
    const shown = ordered.slice(0, MAX_SERIES);
    const rest = ordered.slice(MAX_SERIES);
    if (rest.length) {
      const values = rest[0].values.map((_, i) => rest.reduce((sum, r) => sum + r.values[i], 0));
      shown.push({ name: `${rest.length} other`, values, total: values.reduce((a, b) => a + b, 0) });
    }
    return shown.map((line, i) => ({ ...line, color: COLORS[i % COLORS.length], peak: Math.max(...line.values) }));
  }

  /** @param {{ name: string, color: string, peak: number }[]} lines */
  drawLegend(lines) {
    const key = lines.map((l) => `${l.name}\u0000${l.peak}`).join('\u0001');
    if (key === this.legendKey) return;
    this.legendKey = key;
    const frag = document.createDocumentFragment();
    for (const line of lines) {
      const item = el('li');
      item.setAttribute('data-injection', line.name);
      const swatch = el('span', 'swatch');
      swatch.style.background = line.color;
      item.appendChild(swatch);
      item.appendChild(el('span', 'mono', line.name));
      item.appendChild(el('span', 'hint', ` peak ${formatRate(line.peak)}/s`));
      frag.appendChild(item);
    }
    this.legend.textContent = '';
    this.legend.appendChild(frag);
  }
}

/** @param {number} n */
function niceCeiling(n) {
  const power = 10 ** Math.floor(Math.log10(n));
  for (const m of [1, 2, 5, 10]) if (m * power >= n) return m * power;
  return 10 * power;
}

/** @param {number} n */
function formatRate(n) {
  return n >= 1000 ? `${Math.round(n / 100) / 10}k` : String(Math.round(n * 10) / 10);
}
