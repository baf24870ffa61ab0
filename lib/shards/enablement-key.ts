/** The key of one enablement of a name: the name, and its scope if any (NUL never occurs in a name). */
export function enablementKey(name: string, scope: string | undefined): string {
  return scope === undefined ? name : name + '\u0000' + scope;
}
