import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as client from '../../lib/client';

// faultline/client is what a test process loads: it must bring no server, shard or injector code with it.

describe('faultline/client', () => {
  it('exports the stream, the REST client, the operators and the error classes', () => {
    expect(Object.keys(client).sort()).toEqual(
      [
        'ClientArgumentError',
        'ContentTypeError',
        'EventGapError',
        'FaultlineError',
        'HttpError',
        'InjectionApi',
        'InjectionEndedError',
        'MissingHitError',
        'NetworkError',
        'NodeLostError',
        'ProtocolError',
        'ResponseShapeError',
        'ShardDownError',
        'StreamClosedError',
        'WaitTimeoutError',
        'afterPosition',
        'allOf',
        'firstHit',
        'firstHits',
        'hits',
        'ofType',
        'onNode',
        'onScope',
        'onShard',
        'openInjectionStream',
        'since',
      ].sort(),
    );
    for (const name of Object.keys(client).filter((n) => n.endsWith('Error') && n !== 'FaultlineError')) {
      const ErrorClass = (client as unknown as Record<string, { prototype: unknown }>)[name];
      expect(ErrorClass.prototype).toBeInstanceOf(client.FaultlineError);
    }
  });

  it('loads only the ground floor (event codec, enable options, wire constants, error base) from the rest of the package (built entry)', () => {
    const built = join(__dirname, '../../dist/cjs/client/index.js');
    if (!existsSync(built)) throw new Error(`${built} is missing: run npm run build first`);
    const script = `
      require(${JSON.stringify(built)});
      const root = ${JSON.stringify(join(__dirname, '../../dist/cjs'))};
      const ours = Object.keys(require.cache).filter((f) => f.startsWith(root)).map((f) => f.slice(root.length + 1));
      console.log(JSON.stringify(ours.filter((f) => !f.startsWith('client/')).sort()));
    `;
    const run = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 20_000 });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual(['enable-options.js', 'errors.js', 'event.js', 'wire.js']);
  });
});
