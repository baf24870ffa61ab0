import { createServer } from 'node:net';
import { invokedAs, topLevelHelp } from '../../lib/cli/run';
import { runCli } from '../helpers/cli-child';

// The built command, run as a child process: help, usage errors (exit 2) and unreachable servers (exit 1).

const COMMANDS = ['serve', 'demo', 'watch', 'wait', 'enable', 'disable', 'message', 'list'];

/** A loopback port that nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('faultline (no command, help, version)', () => {
  it('with no arguments prints the usage to stderr and exits 2', async () => {
    const r = await runCli([]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^Usage: faultline <command>/);
    for (const c of COMMANDS) expect(r.stderr).toContain(`  ${c} `);
  });

  it.each([['--help'], ['-h'], ['help']])('%s prints the usage to stdout and exits 0', async (flag) => {
    const r = await runCli([flag]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: faultline <command>/);
    expect(r.stderr).toBe('');
  });

  it('prints its version', async () => {
    const r = await runCli(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^faultline \d+\.\d+\.\d+\n$/);
  });

  it('refuses an unknown command with exit 2 and the usage', async () => {
    const r = await runCli(['explode']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^faultline: unknown command "explode"\n\nUsage: faultline <command>/);
  });

  it('refuses an unknown top-level option', async () => {
    const r = await runCli(['--verbose']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^faultline: unknown option "--verbose"/);
  });
});

describe.each(COMMANDS)('faultline %s', (command) => {
  it('--help prints its usage to stdout and exits 0, even next to a bad argument', async () => {
    for (const args of [[command, '--help'], [command, '-h'], ['help', command], [command, '--bogus', '--help']]) {
      const r = await runCli(args);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^Usage: faultline ${command}\\b`));
      expect(r.stdout).toMatch(/-h, --help/);
      expect(r.stderr).toBe('');
    }
  });

  it('an unknown option is a usage error: message, usage, exit 2', async () => {
    const r = await runCli([command, 'http://127.0.0.1:1', 'x', '--bogus']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(new RegExp(`^faultline ${command}: Unknown option '--bogus'\\n\\nUsage: faultline ${command}\\b`));
  });
});

describe('usage errors name what is wrong and exit 2', () => {
  it.each([
    [['watch'], 'missing URL'],
    [['wait', 'http://127.0.0.1:1'], 'missing NAME'],
    [['wait', 'http://127.0.0.1:1', 'x', '--timeout', 'soon'], '--timeout must be a number from 0.001 to 2000000, not "soon"'],
    [['wait', 'http://127.0.0.1:1', 'x', '--timeout', '0'], '--timeout must be a number'],
    [['wait', 'http://127.0.0.1:1', 'x', 'y'], 'unexpected argument: y'],
    [['enable'], 'missing URL and NAME'],
    [['enable', 'http://127.0.0.1:1', 'x', '--count', '0'], '--count must be an integer >= 1, not "0"'],
    [['enable', 'http://127.0.0.1:1', 'x', '--probability', '2'], '--probability must be a number from 0 to 1, not "2"'],
    [['enable', 'http://127.0.0.1:1', 'x', '--param', 'novalue'], '--param must be key=value, not "novalue"'],
    [['enable', 'http://127.0.0.1:1', 'x', '--one-shot=yes'], "Option '--one-shot' does not take an argument"],
    [['enable', 'http://127.0.0.1:1', ''], 'NAME: injection name must not be empty'],
    [['enable', 'ftp://h/x', 'x'], 'URL must be http or https, not "ftp://h/x"'],
    [['disable', 'http://127.0.0.1:1', 'x', 'y'], 'unexpected argument: y'],
    [['message', 'http://127.0.0.1:1'], 'missing NAME'],
    [['list'], 'missing URL'],
    [['watch', 'http://127.0.0.1:1', '--type', 'crash'], '--type must be one of sleep, handler, exception, lambda, not "crash"'],
    [['watch', 'http://127.0.0.1:1', '--shard', 'one'], '--shard must be an integer >= 0, not "one"'],
    [['watch', 'http://127.0.0.1:1', '127.0.0.1:1'], '127.0.0.1:1 is given twice'],
    [['serve', '--port', '70000'], '--port must be an integer from 0 to 65535, not "70000"'],
    [['serve', '--shards', '0'], '--shards must be an integer from 1 to 256, not "0"'],
    [['serve', 'extra'], 'unexpected argument: extra'],
    [['serve', '--json'], '--json needs --watch'],
    [['serve', '--token', ''], '--token must be a non-empty string without whitespace'],
    [['serve', '--token', 'a b'], '--token must be a non-empty string without whitespace'],
    [['serve', '--host', ''], '--host must not be empty'],
    [['demo', '--watch'], "Unknown option '--watch'"],
  ])('%j', async (args, message) => {
    const r = await runCli(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`faultline ${args[0]}: ${message}`);
    expect(r.stderr).toContain(`Usage: faultline ${args[0]}`);
    expect(r.stdout).toBe('');
  });
});

describe('an unreachable server', () => {
  let url: string;
  beforeAll(async () => {
    url = `http://127.0.0.1:${await closedPort()}`;
  });

  it.each([
    ['watch'],
    ['wait', 'x', '--timeout', '60'],
    ['enable', 'x'],
    ['disable'],
    ['disable', 'x'],
    ['message', 'x'],
    ['list'],
  ])('%s: exits 1 naming the URL', async (command, ...rest) => {
    const r = await runCli([command, url, ...rest]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`faultline ${command}: cannot reach ${url} (ECONNREFUSED)\n`);
    expect(r.stdout).toBe('');
  });
});

describe('invokedAs', () => {
  it('is "faultline" through the installed bin, else node and the script relative to the working directory', () => {
    expect(invokedAs('/usr/lib/node_modules/.bin/faultline', '/home/me')).toBe('faultline');
    expect(invokedAs('/repo/dist/cjs/cli/main.js', '/repo')).toBe('node dist/cjs/cli/main.js');
    expect(invokedAs('/repo/dist/cjs/cli/main.js', '/elsewhere')).toBe('node /repo/dist/cjs/cli/main.js');
  });
});

describe('topLevelHelp', () => {
  it('lists every command with its summary', () => {
    for (const c of COMMANDS) expect(topLevelHelp()).toMatch(new RegExp(`^  ${c} +\\S`, 'm'));
  });
});
