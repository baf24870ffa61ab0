import { HttpError, type InjectionApi } from '../../client';
import type { CliIo } from '../command';
import type { Target } from './target';

/**
 * Whether `name` is enabled on the server, or is a spent one-shot handler still running (it reads as not
 * enabled, but a message still reaches it and a disable still releases it: its enter count stays up until its
 * handler returns). A server without the `/enters` route (an older ScyllaDB) answers from the list alone.
 */
export async function isLive(api: InjectionApi, name: string): Promise<boolean> {
  return (await api.list()).includes(name) || ((await enters(api, name)) ?? 0) > 0;
}

/** ScyllaDB added `/enters` in 2026; an older node answers 404, and the count is undefined. */
export function enters(api: InjectionApi, name: string): Promise<number | undefined> {
  return unlessMissing(api.enters(name));
}

/** What a route answers, or undefined where the server has no such route (404): a ScyllaDB node, or an older one. */
export async function unlessMissing<T>(answer: Promise<T>): Promise<T | undefined> {
  try {
    return await answer;
  } catch (err) {
    if (err instanceof HttpError && err.status === 404) return undefined;
    throw err;
  }
}

/** The stderr line of a command that acted on a name that is not enabled: it still exits 0, as ScyllaDB answers 200. */
export function warnNotEnabled(command: string, io: CliIo, name: string, target: Target, consequence: string): void {
  io.stderr.write(`faultline ${command}: warning: ${name} is not enabled on ${target.label}; ${consequence}\n`);
}
