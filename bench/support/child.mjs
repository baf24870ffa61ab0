// A second process for benchmarks that need one (the "app" that hits points, next to the "test" that watches),
// driven by request/answer calls over the IPC channel. Each side keeps its own event loop and its own core,
// as an app under test and its test runner do.
import { fork } from 'node:child_process';

/**
 * Starts `file` as a child with `args` and resolves once it has answered its first call ('ready').
 * `call(op, arg)` resolves with what the child's handler for `op` returned (or rejects with its error).
 */
export async function startChild(file, args = [], execArgv = ['--expose-gc']) {
  // BENCH_CHILD_PROFILE=<dir>: the child writes a V8 CPU profile there as it exits (NODE_OPTIONS cannot carry it).
  const profileDir = process.env.BENCH_CHILD_PROFILE;
  if (profileDir) execArgv = [...execArgv, '--cpu-prof', `--cpu-prof-dir=${profileDir}`];
  const child = fork(file, args, { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const pending = new Map();
  let next = 0;
  child.on('message', (m) => {
    const p = pending.get(m.n);
    if (p === undefined) return;
    pending.delete(m.n);
    if (m.error !== undefined) p.reject(new Error(`child ${m.op}: ${m.error}`));
    else p.resolve(m.result);
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.once('exit', (code) => {
    for (const p of pending.values()) p.reject(new Error(`child exited (${code}) during a call`));
    pending.clear();
  });
  const call = (op, arg) =>
    new Promise((resolve, reject) => {
      const n = ++next;
      pending.set(n, { resolve, reject });
      child.send({ n, op, arg });
    });
  await call('ready');
  return {
    child,
    call,
    /** Asks the child to clean up and exit; resolves once it has. */
    async stop() {
      if (child.exitCode === null) {
        await call('stop').catch(() => {});
        const timer = setTimeout(() => child.kill(), 5000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}

/**
 * The child's side: answers calls with `handlers[op](arg)` (sync or async). 'ready' is answered by default;
 * 'stop' runs `handlers.stop` if any, answers, then disconnects so the process can exit by itself.
 */
export function serveCalls(handlers) {
  // The parent went away (it failed, or was killed): do not linger holding ports.
  process.once('disconnect', () => setTimeout(() => process.exit(0), 100).unref());
  process.on('message', async (m) => {
    let result;
    let error;
    try {
      if (m.op === 'ready') result = await handlers.ready?.(m.arg);
      else if (m.op === 'stop') result = await handlers.stop?.(m.arg);
      else if (handlers[m.op] === undefined) throw new Error(`unknown op ${m.op}`);
      else result = await handlers[m.op](m.arg);
    } catch (err) {
      error = String(err?.stack ?? err);
    }
    process.send({ n: m.n, op: m.op, result, error }, () => {
      if (m.op === 'stop') process.disconnect();
    });
  });
}
