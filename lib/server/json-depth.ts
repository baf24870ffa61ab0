/**
 * Most levels of `[` / `{` a parameters body may nest. JSON.parse and JSON.stringify recurse once per level,
 * so a body a few thousand levels deep (30 kB, far under the size limit) would overflow the stack; no real
 * parameter comes near this.
 */
export const MAX_JSON_DEPTH = 64;

/**
 * True when `text` opens more than `max` arrays or objects inside one another. A flat scan that skips
 * strings (and the escapes in them), so it runs before anything that recurses, in time linear in the text.
 * It does not validate: JSON.parse still does that on text that passes.
 */
export function jsonNestsDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') {
      inString = true;
    } else if (c === '[' || c === '{') {
      if (++depth > max) return true;
    } else if (c === ']' || c === '}') {
      depth--;
    }
  }
  return false;
}
