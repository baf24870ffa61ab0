// Runs the benchmarks: every bench/*.bench.mjs in turn, each in its own process so one cannot warm or
// pollute another's heap. `node bench/run.mjs NAME...` runs only files whose name contains NAME.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.mjs'))
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.includes(w)))
  .sort();
if (files.length === 0) {
  console.error(`no benchmark matches ${wanted.join(' ')}`);
  process.exit(2);
}
let failed = 0;
const verdicts = [];
for (const f of files) {
  console.log(`\n## ${f}`);
  const r = spawnSync(process.execPath, ['--expose-gc', join(here, f)], { stdio: ['inherit', 'pipe', 'inherit'], encoding: 'utf8' });
  process.stdout.write(r.stdout ?? '');
  // Every benchmark says of each target whether it was met: gathered here, so a run ends with all of them.
  for (const line of (r.stdout ?? '').split('\n')) if (/\b(met|MISSED)\b/.test(line)) verdicts.push(`${f}: ${line.trim()}`);
  if (r.status !== 0) failed++;
}
console.log(`\n## targets (each against its baseline in the same run)\n${verdicts.join('\n')}`);
process.exit(failed ? 1 : 0);
