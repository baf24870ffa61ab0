// Builds dist/: tsc emits CommonJS with declarations into dist/cjs, then each public entry point gets a thin
// ESM wrapper in dist/esm that re-exports the CommonJS module. One copy of the code serves both `import` and
// `require`, so a process that mixes them still has exactly one `injector` per thread (no dual-package hazard).
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, rmSync, writeFileSync, chmodSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const entries = [
  { name: 'index', cjs: 'index' },
  { name: 'server', cjs: 'server/index' },
  { name: 'client', cjs: 'client/index' },
  { name: 'testing', cjs: 'testing/index' },
];

rmSync(join(root, 'dist'), { recursive: true, force: true });
execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json')], {
  stdio: 'inherit',
});

// The dashboard's browser modules are shipped as written (checked by their own tsconfig, never compiled by tsc
// here), beside the compiled server code that serves them.
const browser = 'server/dashboard/browser';
mkdirSync(join(root, 'dist/cjs', browser), { recursive: true });
for (const file of readdirSync(join(root, 'lib', browser)).filter((f) => f.endsWith('.js'))) {
  cpSync(join(root, 'lib', browser, file), join(root, 'dist/cjs', browser, file));
}

const esm = join(root, 'dist/esm');
mkdirSync(esm, { recursive: true });
for (const { name, cjs } of entries) {
  const names = Object.keys(require(join(root, 'dist/cjs', cjs + '.js'))).filter((n) => n !== '__esModule');
  const from = `../cjs/${cjs}.js`;
  const body = names.length ? `export const { ${names.join(', ')} } = cjs;\n` : '';
  writeFileSync(join(esm, `${name}.mjs`), `import cjs from '${from}';\n${body}`);
  writeFileSync(join(esm, `${name}.d.mts`), `export * from '${from}';\n`);
}

const cli = join(root, 'dist/cjs/cli/main.js');
if (existsSync(cli)) chmodSync(cli, 0o755);
