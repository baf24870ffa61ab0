// The globals each kind of file may use, without pulling in the `globals` package: Node's for everything but the
// dashboard's page code, the browser's for that (lib/server/dashboard/browser/), and neither sees the other's.
const shared = [
  'console', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'queueMicrotask', 'URL', 'URLSearchParams',
  'TextEncoder', 'TextDecoder', 'AbortController', 'AbortSignal', 'structuredClone', 'performance', 'fetch', 'globalThis',
];
const node = [
  'process', 'Buffer', 'setImmediate', 'clearImmediate', 'require', 'module', '__dirname', '__filename', 'exports',
];
const browser = [
  'document', 'window', 'EventSource', 'navigator', 'location', 'history', 'sessionStorage', 'requestAnimationFrame',
  'getComputedStyle', 'HTMLElement', 'HTMLInputElement', 'HTMLButtonElement', 'HTMLSelectElement', 'HTMLTableElement',
];
const readonly = (names) => Object.fromEntries(names.map((n) => [n, 'readonly']));
export const nodeGlobals = readonly([...shared, ...node]);
export const browserGlobals = readonly([...shared, ...browser]);
/** The browser's own globals, which Node code must not use. */
export const browserOnlyNames = browser;
