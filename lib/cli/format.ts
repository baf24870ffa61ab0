import type { InjectionEvent, InjectionParameters, InjectionType } from '../event';
import { CONTROL_CHARACTER } from '../wire';
import { plain, type Paint, type Style } from './color';

const TYPE_STYLE: Record<InjectionType, Style> = {
  sleep: 'blue',
  handler: 'magenta',
  exception: 'red',
  lambda: 'green',
};

/** `exception` is the longest type; padding to it keeps the name column aligned. */
const TYPE_WIDTH = 9;

/** Local wall-clock time with milliseconds, `HH:MM:SS.mmm`: what a person tailing hits wants to read. */
export function formatTime(ts: number): string {
  const d = new Date(ts);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}

/** `k=v` pairs separated by spaces; a value that would be ambiguous (empty, spaces, quotes) is JSON-quoted. */
export function formatParameters(params: InjectionParameters | undefined): string {
  if (params === undefined) return '';
  const parts: string[] = [];
  for (const key of Object.keys(params)) {
    // Split on the first `=`, so only a key holding one needs quotes for it; a value never does.
    parts.push((key.includes('=') ? JSON.stringify(key) : quoteIfNeeded(key)) + '=' + quoteIfNeeded(String(params[key])));
  }
  return parts.join(' ');
}

function quoteIfNeeded(text: string): string {
  // Control characters included on purpose: a value with a newline must not break the one-line-per-event rule.
  return text === '' || /[\s"'\\]/.test(text) || CONTROL_CHARACTER.test(text) ? JSON.stringify(text) : text;
}

export interface EventLineOptions {
  /** The node label to show when the event carries no `node` of its own. */
  node: string;
  /** Used when the event has no `ts` (a ScyllaDB node sends none): the time it was received. */
  receivedAt: number;
  paint?: Paint;
}

/** One line per hit: time, node, shard, type, name, parameters. No trailing newline. */
export function formatEventLine(event: InjectionEvent, options: EventLineOptions): string {
  const paint = options.paint ?? plain;
  const time = formatTime(typeof event.ts === 'number' ? event.ts : options.receivedAt);
  const node = typeof event.node === 'string' ? event.node : options.node;
  const type = event.type.padEnd(TYPE_WIDTH);
  let line =
    paint('dim', time) +
    '  ' +
    paint('cyan', node) +
    '  ' +
    `shard ${event.shard}` +
    '  ' +
    paint(TYPE_STYLE[event.type] ?? 'bold', type) +
    '  ' +
    paint('bold', quoteIfNeeded(event.injection));
  const params = formatParameters(event.params);
  if (params !== '') line += '  ' + paint('dim', params);
  // The server kept the event small; the whole set is on the state route, which `list` shows.
  if (event.paramsTruncated === true) line += '  ' + paint('dim', '(parameters cut: see list)');
  return line;
}

/** One JSON object per line for `--json`: the event as received, `node` filled in when missing. */
export function formatEventJson(event: InjectionEvent, node: string): string {
  return JSON.stringify(typeof event.node === 'string' ? event : { ...event, node });
}
