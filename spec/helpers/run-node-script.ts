import { execFile } from 'node:child_process';
import { join } from 'node:path';

// Runs a short Node.js script in a child process from the package root, where `faultline` resolves to this
// package itself (self-reference through package.json `exports`) and so to the BUILT dist/ (`npm test` builds
// first). Used to test what only a fresh process can show: the environment switch and the import paths.

export const PACKAGE_ROOT = join(__dirname, '..', '..');

/** Generous: only a guard against a hung child on a loaded 2-core machine, never a speed assertion. */
const CHILD_DEADLINE_MS = 20_000;

export interface NodeScriptResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `node [...flags] -e script`. `env` entries are added to (or, set to undefined, removed from) this
 * process's environment. Resolves with the exit code and output; rejects only if the child cannot run or hangs.
 */
export function runNodeScript(
  script: string,
  options: { flags?: string[]; env?: Record<string, string | undefined> } = {},
): Promise<NodeScriptResult> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const [key, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [...(options.flags ?? []), '-e', script],
      { cwd: PACKAGE_ROOT, env, timeout: CHILD_DEADLINE_MS, killSignal: 'SIGKILL' },
      (err, stdout, stderr) => {
        if (err && typeof err.code !== 'number') {
          reject(new Error(`node child failed to run or hung: ${err.message}\nstderr: ${stderr}`));
          return;
        }
        resolve({ exitCode: err ? Number(err.code) : 0, stdout, stderr });
      },
    );
  });
}

/** The last stdout line of a script that ends with `console.log(JSON.stringify(result))`, parsed. */
export function lastJsonLine(result: NodeScriptResult): unknown {
  const lines = result.stdout.trim().split('\n');
  const last = lines[lines.length - 1];
  try {
    return JSON.parse(last);
  } catch {
    throw new Error(`child printed no JSON (exit ${result.exitCode})\nstdout: ${result.stdout}\nstderr: ${result.stderr}`);
  }
}
