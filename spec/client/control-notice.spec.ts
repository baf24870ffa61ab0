import { endingOf, parseControlNotice, type NumberedNotice } from '../../lib/client/control-notice';
import type { ControlNotice } from '../../lib/client/types';

const numbered = (notices: (ControlNotice & { node: string })[]): NumberedNotice[] =>
  notices.map((notice, i) => ({ index: i + 1, notice: { ...notice, seq: 0 } }));
const n = (op: ControlNotice['op'], injection: string | null, node = 'a', ts = 1): ControlNotice & { node: string } => ({ op, injection, shard: null, ts, node });

describe('parseControlNotice', () => {
  it('reads a notice, with its options', () => {
    expect(parseControlNotice('{"op":"enabled","injection":"x","options":{"oneShot":true},"shard":null,"ts":5}')).toEqual({
      op: 'enabled', injection: 'x', options: { oneShot: true }, shard: null, ts: 5,
    });
    expect(parseControlNotice('{"op":"disabled-all","injection":null,"shard":2,"ts":5}')).toEqual({ op: 'disabled-all', injection: null, shard: 2, ts: 5 });
  });

  it.each([
    ['not JSON', '{'],
    ['not an object', '3'],
    ['an unknown op', '{"op":"paused","injection":"x","shard":null,"ts":1}'],
    ['no name for a disable', '{"op":"disabled","injection":null,"shard":null,"ts":1}'],
    ['a bad shard', '{"op":"disabled","injection":"x","shard":-1,"ts":1}'],
    ['no ts', '{"op":"disabled","injection":"x","shard":null}'],
  ])('refuses %s', (_what, data) => {
    expect(parseControlNotice(data)).toBeUndefined();
  });
});

describe('endingOf', () => {
  it('a disable after the start ends the wait; one before it does not', () => {
    const notices = numbered([n('enabled', 'x'), n('disabled', 'x', 'a', 7)]);
    expect(endingOf(notices, 'x', ['a'], 1)).toEqual({ node: 'a', reason: 'disabled', ts: 7 });
    expect(endingOf(notices, 'x', ['a'], 2)).toBeUndefined();
  });

  it('an enable after the disable, a message, or another name leave it waiting', () => {
    expect(endingOf(numbered([n('disabled', 'x'), n('enabled', 'x')]), 'x', ['a'], 0)).toBeUndefined();
    expect(endingOf(numbered([n('disabled', 'x'), n('messaged', 'x')]), 'x', ['a'], 0)).toMatchObject({ reason: 'disabled' });
    expect(endingOf(numbered([n('disabled', 'y')]), 'x', ['a'], 0)).toBeUndefined();
  });

  it('disabled-all and exhausted end it', () => {
    expect(endingOf(numbered([n('disabled-all', null)]), 'x', ['a'], 0)).toMatchObject({ reason: 'disabled' });
    expect(endingOf(numbered([n('exhausted', 'x')]), 'x', ['a'], 0)).toMatchObject({ reason: 'exhausted' });
  });

  it('on several nodes only when every node ended it; a node that never sends notices never does', () => {
    const one = numbered([n('disabled', 'x', 'a')]);
    expect(endingOf(one, 'x', ['a', 'b'], 0)).toBeUndefined();
    expect(endingOf(numbered([n('disabled', 'x', 'a'), n('disabled', 'x', 'b')]), 'x', ['a', 'b'], 0)).toMatchObject({ node: 'a' });
  });
});

describe('scopes in control notices', () => {
  const scoped = (op: ControlNotice['op'], scope: string, ts = 1): ControlNotice & { node: string } => ({
    ...n(op, 'x', 'a', ts),
    ...(op === 'enabled' ? { options: { scope } } : { scope }),
  });

  it('reads the scope of a notice; refuses one that is not a string', () => {
    expect(parseControlNotice('{"op":"disabled","injection":"x","shard":null,"ts":5,"scope":"t1"}')).toEqual({
      op: 'disabled', injection: 'x', shard: null, ts: 5, scope: 't1',
    });
    expect(parseControlNotice('{"op":"disabled","injection":"x","shard":null,"ts":5,"scope":7}')).toBeUndefined();
  });

  it('a wait of one scope ends on a disable of that scope, of every scope, or disabled-all; not on another scope', () => {
    expect(endingOf(numbered([scoped('disabled', 't2')]), 'x', ['a'], 0, 't1')).toBeUndefined();
    expect(endingOf(numbered([scoped('disabled', 't1', 3)]), 'x', ['a'], 0, 't1')).toEqual({ node: 'a', reason: 'disabled', ts: 3 });
    expect(endingOf(numbered([n('disabled', 'x', 'a', 4)]), 'x', ['a'], 0, 't1')).toEqual({ node: 'a', reason: 'disabled', ts: 4 });
    expect(endingOf(numbered([n('disabled-all', null, 'a', 5)]), 'x', ['a'], 0, 't1')).toEqual({ node: 'a', reason: 'disabled', ts: 5 });
    // Another scope's enable after our disable does not revive our wait's hopes, nor end it twice.
    expect(endingOf(numbered([scoped('disabled', 't1', 3), scoped('enabled', 't2')]), 'x', ['a'], 0, 't1')).toEqual({
      node: 'a', reason: 'disabled', ts: 3,
    });
  });

  it('an exhaustion ends only the waits of its own enablement: without a scope, the unscoped one\'s', () => {
    expect(endingOf(numbered([n('exhausted', 'x', 'a', 2)]), 'x', ['a'], 0, 't1')).toBeUndefined();
    expect(endingOf(numbered([n('exhausted', 'x', 'a', 2)]), 'x', ['a'], 0)).toEqual({ node: 'a', reason: 'exhausted', ts: 2 });
    expect(endingOf(numbered([scoped('exhausted', 't1', 3)]), 'x', ['a'], 0, 't1')).toEqual({ node: 'a', reason: 'exhausted', ts: 3 });
    expect(endingOf(numbered([scoped('exhausted', 't1', 3)]), 'x', ['a'], 0, 't2')).toBeUndefined();
  });

  it('a wait without a scope ignores notices of scoped enablements', () => {
    expect(endingOf(numbered([scoped('disabled', 't1')]), 'x', ['a'], 0)).toBeUndefined();
    expect(endingOf(numbered([n('disabled', 'x', 'a', 2), scoped('enabled', 't1')]), 'x', ['a'], 0)).toEqual({
      node: 'a', reason: 'disabled', ts: 2,
    });
  });
});
