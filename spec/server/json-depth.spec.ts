import fc from 'fast-check';
import { jsonNestsDeeperThan, MAX_JSON_DEPTH } from '../../lib/server/json-depth';

/** The nesting depth JSON.parse would recurse to, measured on the parsed value. */
function depthOf(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 0;
  const children = Object.values(value as object);
  return 1 + (children.length === 0 ? 0 : Math.max(...children.map(depthOf)));
}

describe('jsonNestsDeeperThan', () => {
  test('counts arrays and objects, not brackets inside strings or escaped quotes', () => {
    expect(jsonNestsDeeperThan('[[[]]]', 3)).toBe(false);
    expect(jsonNestsDeeperThan('[[[[]]]]', 3)).toBe(true);
    expect(jsonNestsDeeperThan('{"a":{"b":[1]}}', 3)).toBe(false);
    expect(jsonNestsDeeperThan('{"a":{"b":[[1]]}}', 3)).toBe(true);
    expect(jsonNestsDeeperThan('{"s":"[[[[[[{{{{"}', 1)).toBe(false);
    expect(jsonNestsDeeperThan('{"s":"\\"[[[[[["}', 1)).toBe(false);
    expect(jsonNestsDeeperThan('{"s":"\\\\","t":[[]]}', 2)).toBe(true);
  });

  test('a 4,500-deep body is refused long before the stack would be', () => {
    expect(jsonNestsDeeperThan('['.repeat(4500) + ']'.repeat(4500), MAX_JSON_DEPTH)).toBe(true);
    expect(jsonNestsDeeperThan('['.repeat(1_000_000), MAX_JSON_DEPTH)).toBe(true);
  });

  test('agrees with the depth of what JSON.parse makes of any JSON text', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 8 }), fc.integer({ min: 0, max: 9 }), (value, max) => {
        const text = JSON.stringify(value);
        expect(jsonNestsDeeperThan(text, max)).toBe(depthOf(JSON.parse(text)) > max);
      }),
    );
  });
});
