// The cost of an injection point in production code: a point whose injection is not enabled, next to an
// empty function call (the baseline: a point can hardly cost less than a call) and next to a point that fires.
//
// Two compilations are measured, because the answer depends on whether V8 inlines the point into its caller:
//   inlined      V8 as it runs production code: a monomorphic call site gets the point inlined.
//   not inlined  V8 with --no-turbo-inlining (this file re-runs itself with it): the cost of a real call, as at a
//                megamorphic site or in a caller too big to inline into.
// Every case runs in its own generated loop function (its own feedback, so one case cannot deoptimise another's
// loop), names are literals as at a real point, and every call's result feeds a sink that is printed, so no
// loop can be optimised away. Figures are the median ns/op over repeated rounds; rounds interleave the cases so
// drift hits all alike.
//
// `npm run bench -- injector` (builds first). Target: a disabled point within 1.5x of the empty call.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ErrorInjector, runInInjectionScope } from '../dist/esm/index.mjs';

const CHILD = '--child';
const ITERATIONS = 2_000_000;
const ROUNDS = 15;
const TARGET = 1.5;

if (!process.argv.includes(CHILD)) {
  // The parent only launches the two compilations, each in a clean process.
  const self = fileURLToPath(import.meta.url);
  let failed = false;
  for (const [label, flags] of [
    ['inlined', ['--expose-gc']],
    ['not inlined', ['--expose-gc', '--no-turbo-inlining']],
  ]) {
    const r = spawnSync(process.execPath, [...flags, self, CHILD, label], { stdio: 'inherit' });
    if (r.status !== 0) failed = true;
  }
  process.exit(failed ? 1 : 0);
}

const label = process.argv[process.argv.indexOf(CHILD) + 1];
const inlining = label === 'inlined';

// The baseline: a call to a function that does nothing. V8 inlines a plain empty method at a monomorphic site,
// leaving nothing to call; so with inlining on, the baseline's body is a never-taken branch too big for the
// inliner, and at run time it is a call and one comparison. Without inlining a plain empty method does.
const emptyCallee = inlining
  ? new Function(
      `return { empty(name, arg) { if (name === null) { ${Array.from({ length: 120 }, (_, i) => `arg.m${i}(${i});`).join(' ')} } } };`,
    )()
  : { empty(_name, _arg) {} };
const inlinedEmpty = { empty(_name, _arg) {} };
const fnArg = () => {};
const deadline = new Date(Date.now() + 3_600_000);

/** A loop calling `body` (source text using `target` and `arg`) that the optimiser cannot remove. */
function makeLoop(body) {
  return new Function(
    'target',
    'arg',
    'n',
    `let sink = 0;
     for (let i = 0; i < n; i++) {
       const r = ${body};
       if (r !== undefined && r !== false) sink++;
     }
     return sink;`,
  );
}

const nothing = new ErrorInjector({ enabled: true });
const other = new ErrorInjector({ enabled: true });
other.enable('unrelated_injection');
const on = new ErrorInjector({ enabled: true });
on.enable('on');
// Scopes: a name enabled only in scope 'theirs', and another name in a scope (the filter must still reject 'off').
const scopedOther = new ErrorInjector({ enabled: true });
scopedOther.enable('unrelated_injection', { scope: 'theirs' });
const scopedOnly = new ErrorInjector({ enabled: true });
scopedOnly.enable('scoped', { scope: 'theirs' });
const onWatched = new ErrorInjector({ enabled: true });
onWatched.enable('on');
let events = 0;
onWatched.hits$.subscribe(() => events++);

const cases = [
  { name: 'empty function call (baseline)', target: emptyCallee, body: "target.empty('off', arg)", baseline: true },
  ...(inlining
    ? [{ name: 'empty function, inlined (loop overhead)', target: inlinedEmpty, body: "target.empty('off', arg)", info: true }]
    : []),
  { name: "inject('off', fn), nothing enabled", target: nothing, body: "target.inject('off', arg)" },
  { name: 'enter, nothing enabled', target: nothing, body: "target.enter('off')" },
  { name: 'injectSleep(ms), nothing enabled', target: nothing, body: "target.injectSleep('off', 10)" },
  { name: 'injectSleep(Date), nothing enabled', target: nothing, body: "target.injectSleep('off', arg)", arg: deadline },
  { name: 'injectError, nothing enabled', target: nothing, body: "target.injectError('off')" },
  { name: 'injectHandler, nothing enabled', target: nothing, body: "target.injectHandler('off', arg)" },
  { name: "inject('off', fn), another enabled", target: other, body: "target.inject('off', arg)" },
  { name: 'enter, another enabled', target: other, body: "target.enter('off')" },
  { name: 'injectSleep(ms), another enabled', target: other, body: "target.injectSleep('off', 10)" },
  { name: 'injectError, another enabled', target: other, body: "target.injectError('off')" },
  { name: 'injectHandler, another enabled', target: other, body: "target.injectHandler('off', arg)" },
  { name: "inject('off', fn), another enabled in a scope", target: scopedOther, body: "target.inject('off', arg)" },
  {
    name: "inject('scoped', fn), enabled only in another scope, reached outside any scope",
    target: scopedOnly,
    body: "target.inject('scoped', arg)",
    scoped: true,
  },
  {
    name: "inject('scoped', fn), enabled only in another scope, reached in scope 'mine'",
    target: scopedOnly,
    body: "target.inject('scoped', arg)",
    scoped: true,
    scope: 'mine',
  },
  // Same length and last character as the enabled name: the name filter lets it through to the Map lookup.
  {
    name: 'inject, another enabled, filter passes: Map lookup',
    target: other,
    body: "target.inject('unrelated_injectioN', arg)",
    lookup: true,
  },
  { name: "inject('on', fn), enabled: fires", target: on, body: "target.inject('on', arg)", enabled: true },
  {
    name: "inject('on', fn), enabled: fires, hits$ watched",
    target: onWatched,
    body: "target.inject('on', arg)",
    enabled: true,
  },
].map((c) => ({ ...c, loop: makeLoop(c.body), arg: c.arg ?? fnArg, samples: [] }));

let sink = 0;
/** Runs a case's loop, inside its scope when it has one (the scope is entered once per round, not per call). */
const runCase = (c) =>
  c.scope === undefined ? c.loop(c.target, c.arg, ITERATIONS) : runInInjectionScope(c.scope, () => c.loop(c.target, c.arg, ITERATIONS));
for (const c of cases) sink += runCase(c); // warm-up: let every loop optimise
globalThis.gc?.();
for (let round = 0; round < ROUNDS; round++) {
  for (const c of cases) {
    const start = process.hrtime.bigint();
    sink += runCase(c);
    c.samples.push(Number(process.hrtime.bigint() - start) / ITERATIONS);
  }
  globalThis.gc?.();
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const base = median(cases.find((c) => c.baseline).samples);
let worstDisabled = 0;
console.log(`\n### ${label} (node ${process.version}, ${ITERATIONS} calls x ${ROUNDS} rounds, median ns/op)`);
console.log('| case | ns/op | vs empty call |');
console.log('| --- | ---: | ---: |');
for (const c of cases) {
  const ns = median(c.samples);
  const ratio = ns / base;
  if (!c.baseline && !c.enabled && !c.info && !c.lookup && !c.scoped) worstDisabled = Math.max(worstDisabled, ratio);
  console.log(`| ${c.name} | ${ns.toFixed(2)} | ${ratio.toFixed(2)}x |`);
}
const ratioOf = (pick) => median(cases.find(pick).samples) / base;
console.log(
  `\n${label}: worst disabled point ${worstDisabled.toFixed(2)}x the empty call (target <= ${TARGET}x: ` +
    `${worstDisabled <= TARGET ? 'met' : 'MISSED'}); a disabled point whose name passes the filter ` +
    `(Map lookup) ${ratioOf((c) => c.lookup).toFixed(2)}x; a point enabled only in another scope ` +
    `${ratioOf((c) => c.scoped && c.scope === undefined).toFixed(2)}x outside any scope, ` +
    `${ratioOf((c) => c.scoped && c.scope !== undefined).toFixed(2)}x in a scope of its own; an enabled point that fires ` +
    `${ratioOf((c) => c.enabled).toFixed(1)}x. (sink ${sink}, events ${events})`,
);
