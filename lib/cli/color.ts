/** The few ANSI styles the CLI uses; applied only when {@link shouldColor} says so. */
export type Style = 'dim' | 'bold' | 'red' | 'green' | 'yellow' | 'blue' | 'magenta' | 'cyan';

const CODES: Record<Style, [number, number]> = {
  dim: [2, 22],
  bold: [1, 22],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  blue: [34, 39],
  magenta: [35, 39],
  cyan: [36, 39],
};

export type Paint = (style: Style, text: string) => string;

export const plain: Paint = (_style, text) => text;
export const ansi: Paint = (style, text) => {
  const [on, off] = CODES[style];
  return `\x1b[${on}m${text}\x1b[${off}m`;
};

/**
 * Colour on a terminal, plain when piped, as the conventions go: NO_COLOR (any non-empty value) turns it off,
 * FORCE_COLOR turns it on (unless `0` or `false`), TERM=dumb turns it off.
 */
export function shouldColor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force.toLowerCase() !== 'false';
  return stream.isTTY === true && env.TERM !== 'dumb';
}
