import { UsageError } from '../../lib/cli/errors';
import { nodeLabel, parseNodeUrl } from '../../lib/cli/node-url';

describe('parseNodeUrl', () => {
  it.each([
    ['http://127.0.0.1:10000', 'http://127.0.0.1:10000'],
    ['http://127.0.0.1:10000/', 'http://127.0.0.1:10000'],
    ['127.0.0.1:10000', 'http://127.0.0.1:10000'],
    ['localhost:9', 'http://localhost:9'],
    ['http://h:1/v2/error_injection', 'http://h:1'],
    ['http://h:1/v2/error_injection/events?shard=1', 'http://h:1'],
    ['http://h:1/v2/error_injection/ui/', 'http://h:1'],
    ['https://h/app/faultline/v2/error_injection/injection/x', 'https://h/app/faultline'],
    ['http://h/app/', 'http://h/app'],
  ])('reads %s as base %s', (input, base) => {
    expect(parseNodeUrl('list', input).base).toBe(base);
  });

  it('takes a token from the URL the server printed', () => {
    expect(parseNodeUrl('list', 'http://h:1/v2/error_injection/ui/?token=s3cret').token).toBe('s3cret');
    expect(parseNodeUrl('list', 'http://h:1').token).toBeUndefined();
  });

  it.each(['http://', 'ftp://h/x', 'http://[bad'])('refuses %j as a usage error of the command', (input) => {
    let caught: unknown;
    try {
      parseNodeUrl('watch', input);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(UsageError);
    expect((caught as UsageError).command).toBe('watch');
    expect((caught as UsageError).message).toContain(JSON.stringify(input));
  });
});

describe('nodeLabel', () => {
  it('is host:port plus any path prefix', () => {
    expect(nodeLabel('http://127.0.0.1:10000')).toBe('127.0.0.1:10000');
    expect(nodeLabel('https://h/app')).toBe('h/app');
  });
});
