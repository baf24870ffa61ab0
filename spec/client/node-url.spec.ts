import { ClientArgumentError } from '../../lib/client/errors';
import { apiBase, encodeInjectionName, eventsUrl, nodeName } from '../../lib/client/node-url';

describe('node URLs', () => {
  it('finds the events URL under a base, a mounted prefix, the API base or the events URL itself', () => {
    expect(eventsUrl('http://127.0.0.1:10000').href).toBe('http://127.0.0.1:10000/v2/error_injection/events');
    expect(eventsUrl('http://h:1/faultline/').href).toBe('http://h:1/faultline/v2/error_injection/events');
    expect(eventsUrl('http://h:1/v2/error_injection').href).toBe('http://h:1/v2/error_injection/events');
    expect(eventsUrl('http://h:1/v2/error_injection/events').href).toBe('http://h:1/v2/error_injection/events');
  });

  it('finds the API base the same ways, dropping any query', () => {
    expect(apiBase('http://h:1').href).toBe('http://h:1/v2/error_injection');
    expect(apiBase('http://h:1/x/?a=1').href).toBe('http://h:1/x/v2/error_injection');
    expect(apiBase('http://h:1/v2/error_injection/events').href).toBe('http://h:1/v2/error_injection');
  });

  it('names a node by its URL without the trailing slash, or by the name given', () => {
    expect(nodeName('http://127.0.0.1:1234/')).toBe('http://127.0.0.1:1234');
    expect(nodeName(new URL('http://127.0.0.1:1234'))).toBe('http://127.0.0.1:1234');
    expect(nodeName({ url: 'http://127.0.0.1:1234', name: 'n1' })).toBe('n1');
  });

  it("percent-encodes names as Python's quote(name, safe='') does", () => {
    expect(encodeInjectionName("a/b c?d&e#f!'()*~._-")).toBe('a%2Fb%20c%3Fd%26e%23f%21%27%28%29%2A~._-');
    expect(encodeInjectionName('ł')).toBe('%C5%82');
  });

  it('refuses what is not an http(s) URL', () => {
    expect(() => eventsUrl('not a url')).toThrow(ClientArgumentError);
    expect(() => nodeName('ftp://h/')).toThrow(/not an http\(s\) URL/);
  });
});
