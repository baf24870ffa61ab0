import type { IncomingMessage, ServerResponse } from 'node:http';
import { InvalidInjectionError } from '../injector';
import { ShardGroupClosedError, type ShardGroup } from '../shards';
import { BadQueryError, GroupClosedError } from './errors';
import { eventsOptionsFromQuery, EVENTS_QUERY } from './events-query';
import { paramsModeFromQuery } from './params-query';
import { parseQuery } from './query';
import { SseStream, type SseStreamOptions } from './sse-stream';
import type { StreamRegistry } from './stream-registry';

/**
 * `GET /events`: one subscription to the group per connection (history after Last-Event-ID, then the live
 * merge of the chosen shards), each item written as the frame the group serialised once for every reader.
 * When the stream ends for any reason (client gone, socket cut, cut off for lagging, server closing) that
 * one subscription is dropped, which unsubscribes it from every shard at once and touches no other client.
 */
export function serveEvents(
  req: IncomingMessage,
  res: ServerResponse,
  group: ShardGroup,
  rawQuery: string,
  registry: StreamRegistry,
  streamOptions: SseStreamOptions,
): void {
  // Everything that can be refused is checked before the 200 goes out, so it answers a JSON error instead.
  const query = parseQuery(rawQuery, EVENTS_QUERY);
  const lastEventId = req.headers['last-event-id'];
  const options = eventsOptionsFromQuery(query, group.shards, typeof lastEventId === 'string' ? lastEventId : undefined);
  const full = paramsModeFromQuery(query) === 'full';
  let events;
  try {
    events = group.events(options);
  } catch (err) {
    if (err instanceof InvalidInjectionError) throw new BadQueryError(err.message);
    if (err instanceof ShardGroupClosedError) throw new GroupClosedError(err.message);
    throw err;
  }

  const stream = new SseStream(req, res, streamOptions);
  registry.add(stream);
  const subscription = stream.replay(() =>
    events.subscribe({
      next: (item) => stream.send(full && item.kind === 'hit' ? item.fullFrame : item.frame),
      complete: () => stream.end(),
      error: () => stream.end(),
    }),
  );
  // The stream may already have ended while the history was replayed synchronously.
  if (stream.isClosed) subscription.unsubscribe();
  else stream.onEnd(() => subscription.unsubscribe());
}
