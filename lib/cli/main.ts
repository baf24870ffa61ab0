#!/usr/bin/env node
// The `faultline` command. Everything it does lives in run.ts and commands/; this file only binds the process.
import { invokedAs, runCli } from './run';

const stopping = new AbortController();
let signals = 0;
const onSignal = (signal: NodeJS.Signals): void => {
  signals++;
  // A second Ctrl-C means "now": skip the clean shutdown that may be waiting on something stuck.
  if (signals > 1) process.exit(signal === 'SIGINT' ? 130 : 143);
  stopping.abort(signal);
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);
// `faultline watch URL | head` closes the pipe: stop as if interrupted instead of dying on EPIPE.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE') throw err;
  stopping.abort('EPIPE');
});

runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  stop: stopping.signal,
  invokedAs: invokedAs(process.argv[1] ?? 'faultline', process.cwd()),
}).then(
  (code) => {
    process.exitCode = code;
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  },
  (err: unknown) => {
    process.stderr.write(`faultline: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exitCode = 1;
  },
);
