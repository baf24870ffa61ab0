import { request as undiciRequest } from 'undici';

export interface Reply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
  /** The body parsed as JSON, or undefined when it is empty or not JSON. */
  readonly json: unknown;
}

export interface CallOptions {
  readonly headers?: Record<string, string>;
  readonly body?: string | Buffer | NodeJS.ReadableStream;
  readonly query?: string;
}

/** One HTTP request with undici; never throws for a status. */
export async function call(base: string, method: string, path: string, options: CallOptions = {}): Promise<Reply> {
  const res = await undiciRequest(base + path + (options.query ?? ''), {
    method: method as 'GET',
    headers: options.headers,
    body: options.body as string | Buffer | undefined,
  });
  const text = await res.body.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.statusCode, headers: res.headers, text, json };
}

/** ScyllaDB's Python client quotes names with safe='': every byte outside [A-Za-z0-9_.~-] is percent-encoded. */
export function quote(name: string): string {
  return encodeURIComponent(name).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

export const API = '/v2/error_injection';
