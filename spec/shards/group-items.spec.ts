import { decodeEvent } from '../../lib/event';
import { gapItem, handlerItem, Hit, shardDownItem } from '../../lib/shards/group-items';

describe('group items', () => {
  it('a hit builds its frame once, on first read, as one SSE message with its id', () => {
    const event = { injection: 'a\nb', type: 'sleep' as const, shard: 2, ts: 5, params: { k: 'v' }, id: 'e-9' };
    const hit = new Hit('e', 9, event.injection, event.type, event.shard, event.ts, event.params, undefined);
    expect(hit.id).toBe('e-9');
    expect(hit.event).toEqual(event);
    expect(hit.event).toBe(hit.event);
    const spy = jest.spyOn(JSON, 'stringify');
    const frame = hit.frame;
    const calls = spy.mock.calls.length;
    expect(hit.frame).toBe(frame);
    expect(spy.mock.calls.length).toBe(calls);
    spy.mockRestore();
    expect(frame).toBe('id: e-9\ndata: {"injection":"a\\nb","type":"sleep","shard":2,"ts":5,"params":{"k":"v"}}\n\n');
    expect(decodeEvent(frame.slice('id: e-9\ndata: '.length, -2), 'e-9')).toEqual(event);
  });

  it("a scoped hit's event and frame carry its scope last; an unscoped one's have no scope field", () => {
    const params = Object.freeze({ k: 'v' });
    const scoped = new Hit('e', 3, 'x', 'lambda', 1, 7, params, 'tenant-a');
    expect(Object.keys(scoped.event)).toEqual(['injection', 'type', 'shard', 'ts', 'params', 'id', 'scope']);
    expect(scoped.frame).toBe('id: e-3\ndata: {"injection":"x","type":"lambda","shard":1,"ts":7,"params":{"k":"v"},"scope":"tenant-a"}\n\n');
    expect(decodeEvent(scoped.frame.slice('id: e-3\ndata: '.length, -2), 'e-3')).toEqual(scoped.event);
    // Parameters the default stream cuts take the encoder's path, and keep the scope.
    const big = Object.freeze({ k: 'v', big: 'b'.repeat(5000) });
    expect(new Hit('e', 4, 'x', 'lambda', 1, 7, big, 'tenant-a').frame).toBe(
      'id: e-4\ndata: {"injection":"x","type":"lambda","shard":1,"ts":7,"params":{"k":"v"},"scope":"tenant-a","paramsTruncated":true}\n\n',
    );
    const unscoped = new Hit('e', 5, 'x', 'lambda', 1, 7, params, undefined);
    expect('scope' in unscoped.event).toBe(false);
    expect(unscoped.frame).not.toContain('scope');
  });

  it('a gap, a handler phase and a shard-down are named SSE events, never plain data', () => {
    expect(gapItem('restart', 'x-1', null).frame).toBe(
      'event: gap\ndata: {"reason":"restart","lastEventId":"x-1","oldestId":null}\n\n',
    );
    expect(handlerItem({ injection: 'p', phase: 'released', shard: 1, ts: 3 }).frame).toBe(
      'event: handler\ndata: {"injection":"p","phase":"released","shard":1,"ts":3}\n\n',
    );
    expect(shardDownItem(4)).toEqual({ kind: 'shard-down', shard: 4, frame: 'event: shard-down\ndata: {"shard":4}\n\n' });
  });

});
