// Sums jest --json result files into the one plain line CI reads: "N passed, N failed".
// Exits non-zero when nothing passed or a file is missing (a run that crashed before writing it).
import { existsSync, readFileSync } from 'node:fs';

let passed = 0;
let failed = 0;
let missing = 0;
for (const file of process.argv.slice(2)) {
  if (!existsSync(file)) {
    missing++;
    continue;
  }
  const r = JSON.parse(readFileSync(file, 'utf8'));
  passed += r.numPassedTests;
  failed += r.numFailedTests;
  // A suite that failed to load (syntax error, import error) has no failed tests but is a failure.
  failed += r.testResults.filter((t) => t.status === 'failed' && t.assertionResults.length === 0).length;
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(passed === 0 || failed > 0 || missing > 0 ? 1 : 0);
