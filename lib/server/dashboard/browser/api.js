// @ts-check
// The page's REST calls: JSON in and out, the token as a Bearer header, and the server's own error message.

/** A refused or failed REST call, with the server's status and message. */
export class ApiError extends Error {
  /** @param {number} status @param {string} message */
  constructor(status, message) {
    super(`${status} ${message}`);
    this.status = status;
  }
}

/**
 * @typedef {object} ApiOptions
 * @property {string} base       the API's base path (the wire's apiBasePath, below any mount prefix)
 * @property {() => string} token the token to send ('' for none)
 * @property {() => void} onAuthRefused called on 401 and 403, before the call rejects
 */

/** @param {ApiOptions} options */
export function createApi(options) {
  /**
   * @param {string} method
   * @param {string} path below the base, e.g. `/injection`
   * @param {unknown} [body] sent as JSON
   * @returns {Promise<unknown>}
   */
  async function request(method, path, body) {
    /** @type {Record<string, string>} */
    const headers = { accept: 'application/json' };
    const token = options.token();
    if (token) headers.authorization = 'Bearer ' + token;
    /** @type {RequestInit} */
    const init = { method, headers, credentials: 'same-origin', cache: 'no-store' };
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    const res = await fetch(options.base + path, init);
    const text = await res.text();
    /** @type {unknown} */
    let data = null;
    if (text) {
      try {
        data = JSON.parse(text);
      } catch {
        data = text;
      }
    }
    if (res.status === 401 || res.status === 403) options.onAuthRefused();
    if (!res.ok) throw new ApiError(res.status, messageOf(data) || res.statusText);
    return data;
  }
  return { request };
}

/** @param {unknown} data */
function messageOf(data) {
  if (typeof data === 'string') return data;
  if (typeof data === 'object' && data !== null && 'message' in data && typeof data.message === 'string') return data.message;
  return '';
}

/** @param {string} name */
export const injectionPath = (name) => '/injection/' + encodeURIComponent(name);

/**
 * The query that names one enablement's scope ('' for the unscoped one).
 * @param {string | null} scope
 */
export const scopeQuery = (scope) => (scope === null ? '' : '?scope=' + encodeURIComponent(scope));
