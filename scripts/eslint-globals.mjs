// Node's globals plus the browser ones the dashboard page uses, without pulling in the `globals` package.
const names = [
  'process', 'Buffer', 'console', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'setImmediate',
  'clearImmediate', 'queueMicrotask', 'URL', 'URLSearchParams', 'TextEncoder', 'TextDecoder', 'AbortController',
  'AbortSignal', 'structuredClone', 'performance', 'fetch', 'require', 'module', '__dirname', '__filename', 'exports',
  'globalThis', 'document', 'window', 'EventSource', 'navigator', 'location',
];
export default Object.fromEntries(names.map((n) => [n, 'readonly']));
