import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { PACKAGE_ROOT, lastJsonLine, runNodeScript } from '../helpers/run-node-script';

// The BUILT package as its users load it (`npm test` builds first): by name, from ESM and from CommonJS, with
// its type declarations. Child processes run from the package root, where `faultline` self-references.

const ENTRY_POINTS = ['faultline', 'faultline/server', 'faultline/client', 'faultline/testing'] as const;

/** A summary of a module's exports that two loads of it can be compared by. */
const DESCRIBE_MODULE = `
function describeModule(m) {
  return Object.keys(m).filter((k) => k !== '__esModule' && k !== 'default').sort();
}`;

interface PackageJson {
  name: string;
  exports: Record<string, Record<string, Record<string, string>>>;
  typesVersions: Record<string, Record<string, string[]>>;
  files: string[];
  peerDependencies?: Record<string, string>;
  dependencies?: Record<string, string>;
}
const pkg = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as PackageJson;

describe('package.json exports', () => {

  test('is named faultline and exports the root, ./server, ./client and ./testing', () => {
    expect(pkg.name).toBe('faultline');
    expect(Object.keys(pkg.exports)).toEqual(expect.arrayContaining(['.', './server', './client', './testing']));
  });

  test.each(['.', './server', './client', './testing'])('%s: every condition points at a file the build produced', (subpath) => {
    const conditions = pkg.exports[subpath];
    for (const condition of ['import', 'require']) {
      for (const key of ['types', 'default']) {
        const file = conditions[condition]?.[key];
        expect(file).toBeDefined();
        expect({ file, exists: existsSync(join(PACKAGE_ROOT, file)) }).toEqual({ file, exists: true });
      }
    }
  });
});

describe('package.json for users', () => {
  test('rxjs is a peer dependency (>=7.5 <8), never a dependency, so a project keeps one copy', () => {
    expect(pkg.peerDependencies).toEqual({ rxjs: '>=7.5 <8' });
    expect(Object.keys(pkg.dependencies ?? {})).not.toContain('rxjs');
  });

  test('typesVersions (for node10 resolution) points each subpath at the declarations require gets', () => {
    const mapped = pkg.typesVersions['*'];
    for (const subpath of ['./server', './client', './testing']) {
      expect({ subpath, types: mapped[subpath.slice(2)] }).toEqual({ subpath, types: [pkg.exports[subpath].require.types] });
    }
  });

  test('the tarball takes dist/ only (npm adds package.json, README.md and LICENSE), and LICENSE exists', () => {
    expect(pkg.files).toEqual(['dist']);
    expect(existsSync(join(PACKAGE_ROOT, 'LICENSE'))).toBe(true);
  });
});

describe('loading the built package', () => {
  test('import: every entry point loads, and is the same module that require gives', async () => {
    const script = `
      import { injector, ErrorInjector, InjectedError } from 'faultline';
      import * as root from 'faultline';
      import * as server from 'faultline/server';
      import * as client from 'faultline/client';
      import * as testing from 'faultline/testing';
      import { createRequire } from 'node:module';
      ${DESCRIBE_MODULE}
      const require = createRequire(process.cwd() + '/');
      const loaded = { faultline: root, 'faultline/server': server, 'faultline/client': client, 'faultline/testing': testing };
      const out = { entries: {} };
      for (const [name, esm] of Object.entries(loaded)) {
        const cjs = require(name);
        const keys = describeModule(esm);
        out.entries[name] = {
          keys: keys.length,
          sameKeys: JSON.stringify(keys) === JSON.stringify(describeModule(cjs)),
          sameValues: keys.every((k) => esm[k] === cjs[k]),
        };
      }
      out.isInstance = injector instanceof ErrorInjector;
      out.sameInjector = require('faultline').injector === injector;
      // Enabled through the CommonJS copy, hit through the ESM one: one injector, one state.
      require('faultline').injector.enable('mixed', { oneShot: true });
      out.firedAcross = injector.enter('mixed');
      out.injectedError = new InjectedError('x').code;
      console.log(JSON.stringify(out));
    `;
    const result = await runNodeScript(script, { flags: ['--input-type=module'], env: { FAULTLINE: undefined } });
    expect(result.stderr).toBe('');
    const out = lastJsonLine(result) as {
      entries: Record<string, { keys: number; sameKeys: boolean; sameValues: boolean }>;
    };
    expect(out).toMatchObject({ isInstance: true, sameInjector: true, firedAcross: true, injectedError: 'ERR_FAULTLINE_INJECTED' });
    for (const name of ENTRY_POINTS) {
      expect({ name, ...out.entries[name] }).toMatchObject({ name, sameKeys: true, sameValues: true });
    }
    expect(out.entries.faultline.keys).toBeGreaterThan(5);
    expect(result.exitCode).toBe(0);
  });

  test('require: every entry point loads, and a later import() gives the same injector', async () => {
    const script = `
      ${DESCRIBE_MODULE}
      const root = require('faultline');
      const out = { keys: {} };
      for (const name of ${JSON.stringify(ENTRY_POINTS)}) out.keys[name] = describeModule(require(name));
      out.isInstance = root.injector instanceof root.ErrorInjector;
      root.injector.enable('mixed');
      import('faultline').then((esm) => {
        out.sameInjector = esm.injector === root.injector;
        out.sameClass = esm.ErrorInjector === root.ErrorInjector;
        out.enabledSeenByImport = esm.injector.isEnabled('mixed');
        console.log(JSON.stringify(out));
      });
    `;
    const result = await runNodeScript(script, { env: { FAULTLINE: undefined } });
    expect(result.stderr).toBe('');
    const out = lastJsonLine(result) as { keys: Record<string, string[]> };
    expect(out).toMatchObject({ isInstance: true, sameInjector: true, sameClass: true, enabledSeenByImport: true });
    // The whole runtime surface of the root, exactly: docs/api.md says why each one is there.
    expect([...out.keys.faultline].sort()).toEqual(
      [
        'injector',
        'ErrorInjector',
        'InjectedError',
        'InvalidInjectionError',
        'InjectionsOffError',
        'InjectionSpecError',
        'HandlerTimeoutError',
        'HandlerAbortedError',
        'InjectionParameterError',
        'FaultlineError',
        'attachShard',
        'ShardAttachError',
        'ShardGroupOptionError',
        'runInInjectionScope',
        'currentInjectionScope',
        'InvalidScopeError',
        'injectionScope',
      ].sort(),
    );
    // The kit's: what a test calls and catches (the wait errors it can reject with come along).
    expect([...out.keys['faultline/testing']].sort()).toEqual(
      [
        'setupInjections',
        'UnhitInjectionError',
        'InjectionKitClosedError',
        'WaitTimeoutError',
        'EventGapError',
        'NodeLostError',
        'FaultlineError',
      ].sort(),
    );
    expect(result.exitCode).toBe(0);
  });

  test('the type declarations resolve for ESM and CommonJS consumers, and are real types', () => {
    // Consumers that exist only in memory, placed in the package root so that `faultline` self-references.
    const consumerDir = join(PACKAGE_ROOT, '__type_consumer__');
    const sources: Record<string, string> = {
      [join(consumerDir, 'esm.mts')]: `
        import { injector, ErrorInjector, InjectedError, type InjectionEvent, type InjectionState } from 'faultline';
        import * as server from 'faultline/server';
        import * as client from 'faultline/client';
        void server; void client;
        const i: ErrorInjector = injector;
        i.enable('x', { oneShot: true, parameters: { a: '1' }, probability: 0.5, seed: 1 });
        const fired: boolean = i.enter('x');
        const slept: Promise<void> | undefined = i.injectSleep('x', 10);
        const state: InjectionState = i.get('x');
        const sub = i.hits$.subscribe((e: InjectionEvent) => e.injection.length);
        sub.unsubscribe();
        const err: Error = new InjectedError('x');
        void fired; void slept; void state; void err;
        // @ts-expect-error enable takes a name: if the declarations were 'any' this line would not be an error
        i.enable();
      `,
      [join(consumerDir, 'cjs.cts')]: `
        import faultline = require('faultline');
        import server = require('faultline/server');
        import client = require('faultline/client');
        void server; void client;
        const i: faultline.ErrorInjector = faultline.injector;
        const done: Promise<void> | undefined = i.injectHandler('x', async (h) => {
          await h.waitForMessage({ timeout: 1000 });
          const n: number | undefined = h.getNumber('n');
          void n;
        });
        void done;
        // @ts-expect-error count must be a number
        i.enable('x', { count: 'three' });
      `,
    };
    const options: ts.CompilerOptions = {
      module: ts.ModuleKind.Node16,
      moduleResolution: ts.ModuleResolutionKind.Node16,
      target: ts.ScriptTarget.ES2022,
      lib: ['lib.es2023.d.ts', 'lib.esnext.disposable.d.ts'],
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      types: ['node'],
    };
    const host = ts.createCompilerHost(options);
    const { fileExists, readFile, getSourceFile } = host;
    host.fileExists = (f) => f in sources || fileExists.call(host, f);
    host.readFile = (f) => sources[f] ?? readFile.call(host, f);
    host.getSourceFile = (f, language, ...rest) =>
      f in sources ? ts.createSourceFile(f, sources[f], language) : getSourceFile.call(host, f, language, ...rest);
    const program = ts.createProgram(Object.keys(sources), options, host);
    const problems = ts
      .getPreEmitDiagnostics(program)
      .map((d) => `${d.file?.fileName ?? ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
    expect(problems).toEqual([]);
    // Both resolved to the declarations of the build, each by its own condition.
    const resolved = program.getSourceFiles().map((f) => f.fileName.slice(PACKAGE_ROOT.length + 1));
    expect(resolved).toEqual(expect.arrayContaining(['dist/esm/index.d.mts', 'dist/cjs/index.d.ts']));
  });
});
