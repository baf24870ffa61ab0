import { spawn, type ChildProcess } from 'node:child_process';
import { get, type IncomingHttpHeaders } from 'node:http';
import { join } from 'node:path';
import { Agent } from 'undici';
import { InjectionApi } from '../../lib/client';

// Runs the BUILT `faultline` command (dist/cjs/cli/main.js; `npm test` builds first) as a child process and
// reads its output line by line with deadlines, so tests synchronise on what it prints, never on sleeps.

// FAULTLINE_CLI points at another build of it (a private one, while others rebuild dist/).
export const CLI_PATH = process.env.FAULTLINE_CLI ?? join(__dirname, '..', '..', 'dist', 'cjs', 'cli', 'main.js');

/** Generous: only a guard against hanging on a loaded 2-core machine, never a speed assertion. */
export const LINE_DEADLINE_MS = 20_000;

export class LineReader {
  readonly lines: string[] = [];
  /** Everything read, exactly as written. */
  text = '';
  private partial = '';
  private cursor = 0;
  private ended = false;
  private waiters = new Set<() => void>();

  constructor(stream: NodeJS.ReadableStream) {
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      this.text += chunk;
      const parts = (this.partial + chunk).split('\n');
      this.partial = parts.pop() ?? '';
      this.lines.push(...parts);
      this.notify();
    });
    stream.on('end', () => {
      if (this.partial !== '') this.lines.push(this.partial);
      this.partial = '';
      this.ended = true;
      this.notify();
    });
  }

  /**
   * The next line (after those already returned) matching `match`; rejects at the deadline or when the stream
   * ends first, quoting everything read so far so a failure explains itself.
   */
  next(match: RegExp | ((line: string) => boolean) = () => true, timeoutMs = LINE_DEADLINE_MS): Promise<string> {
    const test = typeof match === 'function' ? match : (line: string) => match.test(line);
    return new Promise<string>((resolve, reject) => {
      const check = (): void => {
        while (this.cursor < this.lines.length) {
          const line = this.lines[this.cursor++];
          if (test(line)) {
            done();
            resolve(line);
            return;
          }
        }
        if (this.ended) {
          done();
          reject(new Error(`output ended without a line matching ${String(match)}; it was:\n${this.text}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`no line matching ${String(match)} within ${timeoutMs} ms; output so far:\n${this.text}`));
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
      check();
    });
  }

  private notify(): void {
    for (const w of [...this.waiters]) w();
  }
}

export interface CliChild {
  readonly proc: ChildProcess;
  readonly stdout: LineReader;
  readonly stderr: LineReader;
  /** Resolves when the process has exited and its output streams closed. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends SIGKILL if it is still running; for afterEach, so a failed test leaves nothing behind. */
  kill(): Promise<void>;
  /** The exit, once it comes by itself; SIGKILL at the deadline, so a hung shutdown fails instead of hanging. */
  exitedWithin(timeoutMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function startCli(args: readonly string[], env: NodeJS.ProcessEnv = {}): CliChild {
  const proc = spawn(process.execPath, [CLI_PATH, ...args], {
    // jest workers may carry FORCE_COLOR; the child must decide colour from its own (piped) stdout.
    env: { ...process.env, NO_COLOR: undefined, FORCE_COLOR: undefined, FAULTLINE_TOKEN: undefined, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout = new LineReader(proc.stdout as NodeJS.ReadableStream);
  const stderr = new LineReader(proc.stderr as NodeJS.ReadableStream);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    proc.on('close', (code, signal) => resolve({ code, signal }));
  });
  return {
    proc,
    stdout,
    stderr,
    exited,
    kill: async () => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
      await exited;
    },
    exitedWithin: async (timeoutMs = LINE_DEADLINE_MS) => {
      const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
      const result = await exited;
      clearTimeout(timer);
      return result;
    },
  };
}

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command to its end (killed at the deadline, which then fails the test with what it printed). */
export async function runCli(args: readonly string[], env: NodeJS.ProcessEnv = {}, timeoutMs = LINE_DEADLINE_MS): Promise<CliResult> {
  const child = startCli(args, env);
  const timer = setTimeout(() => child.proc.kill('SIGKILL'), timeoutMs);
  const { code, signal } = await child.exited;
  clearTimeout(timer);
  if (signal === 'SIGKILL') {
    throw new Error(`faultline ${args.join(' ')} did not finish within ${timeoutMs} ms; stdout:\n${child.stdout.text}\nstderr:\n${child.stderr.text}`);
  }
  return { code, signal, stdout: child.stdout.text, stderr: child.stderr.text };
}

export interface ServeChild extends CliChild {
  /** The base URL from the first line serve prints, e.g. http://127.0.0.1:40123. */
  readonly url: string;
  /** SIGTERM, then the exit; SIGKILL at the deadline so a hung shutdown fails the test instead of hanging it. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** `faultline serve --port 0 ...args`, resolved once it printed the URL it listens on. */
export async function startServe(args: readonly string[] = [], env: NodeJS.ProcessEnv = {}): Promise<ServeChild> {
  const child = startCli(['serve', '--port', '0', ...args], env);
  let line: string;
  try {
    line = await child.stdout.next(/^faultline listening on /);
  } catch (err) {
    await child.kill();
    throw new Error(`${(err as Error).message}\nstderr:\n${child.stderr.text}`);
  }
  const url = /listening on (http:\/\/\S+)/.exec(line)?.[1] as string;
  return {
    ...child,
    url,
    stop: async () => {
      if (child.proc.exitCode === null && child.proc.signalCode === null) child.proc.kill('SIGTERM');
      return child.exitedWithin();
    },
  };
}

/**
 * One `faultline serve` child for a whole describe block: started in beforeAll, killed in afterAll. The
 * returned handle reads the child's URL once it is up.
 */
export function serveForSuite(args: readonly string[]): { readonly url: string } {
  let child: ServeChild | undefined;
  beforeAll(async () => {
    child = await startServe(args);
  });
  afterAll(async () => {
    await child?.kill();
  });
  return {
    get url(): string {
      if (child === undefined) throw new Error('serveForSuite: the server is used before its beforeAll ran');
      return child.url;
    },
  };
}

/**
 * Runs `fn` with a REST client on its own connection pool and closes the pool after, so the checks a test
 * makes over REST (independently of the CLI under test) leave no socket open behind them.
 */
export async function withRest<T>(url: string, fn: (api: InjectionApi) => Promise<T>, token?: string): Promise<T> {
  const dispatcher = new Agent();
  try {
    return await fn(new InjectionApi(url, { token, dispatcher }));
  } finally {
    await dispatcher.close();
  }
}

/** GET over a connection of its own that is closed after the answer. */
export function httpGet(url: string): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = get(url, { agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}
