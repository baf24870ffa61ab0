import { request } from 'undici';
import { describeServer, parseServeOptions, SERVE_OPTIONS } from '../../../lib/cli/commands/serve';
import { parseCommandArgs } from '../../../lib/cli/args';
import { UsageError } from '../../../lib/cli/errors';
import { runCli, startServe, type ServeChild } from '../../helpers/cli-child';

// Who `faultline serve` answers: the Host check (--allowed-host) and the refusal of an open server.

const parse = (args: string[]) => parseServeOptions('serve', parseCommandArgs('serve', args, SERVE_OPTIONS).values, {}, { shards: 1, demo: false });

async function statusFor(url: string, host: string): Promise<number> {
  const res = await request(`${url}/v2/error_injection/injection`, { headers: { host } });
  await res.body.dump();
  return res.statusCode;
}

describe('faultline serve: who it answers', () => {
  const started: ServeChild[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((s) => s.kill()));
  });

  it('--allowed-host admits the named hosts; any other name is refused with 403', async () => {
    const server = await startServe(['--allowed-host', 'devbox.test', '--allowed-host', '.corp.test']);
    started.push(server);
    const port = new URL(server.url).port;
    expect(await statusFor(server.url, `devbox.test:${port}`)).toBe(200);
    expect(await statusFor(server.url, `ci.corp.test:${port}`)).toBe(200);
    expect(await statusFor(server.url, `localhost:${port}`)).toBe(200);
    expect(await statusFor(server.url, `evil.example:${port}`)).toBe(403);
  });

  it('--allowed-host all turns the check off', async () => {
    const server = await startServe(['--allowed-host', 'all']);
    started.push(server);
    expect(await statusFor(server.url, `evil.example:${new URL(server.url).port}`)).toBe(200);
  });

  it('refuses to listen beyond loopback without a token (exit 1, saying what to do); --insecure-open-server lets it try', async () => {
    const refused = await runCli(['serve', '--host', '0.0.0.0', '--port', '0']);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toContain('faultline serve: refusing to listen on 0.0.0.0 without a token');
    expect(refused.stderr).toContain('--insecure-open-server');
    const demo = await runCli(['demo', '--host', '::', '--port', '0']);
    expect(demo.code).toBe(1);
    expect(demo.stderr).toContain('refusing to listen on :: without a token');

    // 192.0.2.1 (TEST-NET-1) is no address of this machine: past our check, the OS refuses it.
    const tried = await runCli(['serve', '--host', '192.0.2.1', '--port', '0', '--insecure-open-server']);
    expect(tried.code).toBe(1);
    expect(tried.stderr).toContain('cannot listen on 192.0.2.1:0: no such local address');
  });
});

describe('serve options', () => {
  it('--allowed-host repeats; "all" (any case) anywhere means all; an empty one is a usage error', () => {
    expect(parse([]).allowedHosts).toEqual([]);
    expect(parse(['--allowed-host', 'a', '--allowed-host', 'b']).allowedHosts).toEqual(['a', 'b']);
    expect(parse(['--allowed-host', 'a', '--allowed-host', 'ALL']).allowedHosts).toBe('all');
    expect(() => parse(['--allowed-host', ' '])).toThrow(UsageError);
    expect(parse(['--insecure-open-server']).insecureOpenServer).toBe(true);
    expect(parse([]).insecureOpenServer).toBe(false);
  });

  it('prints the network URLs of a server bound beyond loopback, and warns when it has no token', () => {
    const options = parse(['--host', '0.0.0.0', '--insecure-open-server']);
    const text = describeServer('http://127.0.0.1:10000', options, 'faultline', ['http://192.168.1.2:10000']);
    expect(text.split('\n')[0]).toBe('faultline listening on http://127.0.0.1:10000 (1 shard: main thread)');
    expect(text).toContain('  network    http://192.168.1.2:10000\n');
    expect(text).toContain('WARNING    no token');
    expect(text).not.toContain('0.0.0.0');
    const withToken = describeServer('http://127.0.0.1:10000', parse(['--token', 't']), 'faultline', ['http://192.168.1.2:10000']);
    expect(withToken).not.toContain('WARNING');
  });
});
