import { ansi, plain, shouldColor } from '../../lib/cli/color';

describe('shouldColor', () => {
  it('colours a terminal and not a pipe', () => {
    expect(shouldColor({ isTTY: true }, {})).toBe(true);
    expect(shouldColor({ isTTY: false }, {})).toBe(false);
    expect(shouldColor({}, {})).toBe(false);
  });

  it('honours NO_COLOR (non-empty), FORCE_COLOR and TERM=dumb', () => {
    expect(shouldColor({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(shouldColor({ isTTY: true }, { NO_COLOR: '' })).toBe(true);
    expect(shouldColor({ isTTY: false }, { FORCE_COLOR: '1' })).toBe(true);
    expect(shouldColor({ isTTY: true }, { FORCE_COLOR: '0' })).toBe(false);
    expect(shouldColor({ isTTY: true }, { FORCE_COLOR: 'false' })).toBe(false);
    expect(shouldColor({ isTTY: true }, { TERM: 'dumb' })).toBe(false);
    expect(shouldColor({ isTTY: true }, { NO_COLOR: '1', FORCE_COLOR: '1' })).toBe(false);
  });
});

describe('paint', () => {
  it('wraps in ANSI codes, or not at all', () => {
    expect(ansi('red', 'x')).toBe('\x1b[31mx\x1b[39m');
    expect(plain('red', 'x')).toBe('x');
  });
});
