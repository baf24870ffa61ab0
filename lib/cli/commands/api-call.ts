import { Agent } from 'undici';
import { InjectionApi } from '../../client';
import { failure, type Target } from './target';

/** How long a REST command waits to connect and for an answer before it fails (exit 1). */
const REQUEST_TIMEOUT_MS = 30_000;

/**
 * Runs `fn` with a REST client of its own, then closes its connections, so the process exits as soon as the
 * command is done instead of when an idle keep-alive socket times out. Failures name the server.
 */
export async function withApi<T>(target: Target, fn: (api: InjectionApi) => Promise<T>): Promise<T> {
  const dispatcher = new Agent({
    connect: { timeout: REQUEST_TIMEOUT_MS },
    headersTimeout: REQUEST_TIMEOUT_MS,
    bodyTimeout: REQUEST_TIMEOUT_MS,
  });
  const api = new InjectionApi(target.base, { token: target.token, dispatcher });
  try {
    return await fn(api);
  } catch (err) {
    throw failure(err, target);
  } finally {
    await dispatcher.close();
  }
}
