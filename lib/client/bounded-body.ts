import type { Dispatcher } from 'undici';

// A refusal's body, read into its error up to a bound: enough to say why, never a whole hostile body.

export type ResponseBody = Dispatcher.ResponseData['body'];

/** At most `limit` bytes of `chunks` as text. */
export function boundedText(chunks: Buffer[], limit: number): string {
  return Buffer.concat(chunks).subarray(0, limit).toString('utf8');
}

/** Reads at most `limit` bytes of a body as text, then releases it. */
export async function readBounded(body: ResponseBody, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= limit) break;
    }
  } catch {
    // A body cut short still says something: keep what arrived.
  } finally {
    body.destroy();
  }
  return boundedText(chunks, limit);
}
