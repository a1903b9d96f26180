import { describe, expect, it } from 'vitest';
import { checkDestinationUrl, DestinationUrlError, type EgressPolicy } from './destination-url.js';
import type { LookupAll } from './resolve-target.js';

const policy: EgressPolicy = { allowLocalHosts: ['127.0.0.1', '[::1]'], slackHosts: ['hooks.slack.com'], timeoutMs: 200 };
// DNS is the one outside dependency here; these stand in for resolvers answering as named.
const resolvesTo =
  (...addresses: string[]): LookupAll =>
  async () =>
    addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
const neverAnswers: LookupAll = () => new Promise(() => undefined);
const notFound: LookupAll = async () => {
  throw Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' });
};

describe('checkDestinationUrl', () => {
  it('when a public https URL resolves to public addresses only, then it is accepted without the fragment', async () => {
    await expect(checkDestinationUrl('https://hooks.example.org/x?y=1#frag', 'webhook', policy, resolvesTo('93.184.215.14', '2606:2800:21f:cb07::1'))).resolves.toEqual({
      url: 'https://hooks.example.org/x?y=1',
      allowLocal: false,
    });
  });

  it('when any resolved address is private, then the URL is refused (one bad record is enough)', async () => {
    await expect(checkDestinationUrl('https://mixed.example.org/', 'webhook', policy, resolvesTo('93.184.215.14', '10.0.0.5'))).rejects.toThrow(
      /non-public address \(private\)/,
    );
  });

  it('when the host is allow-listed, then it may be local and use http', async () => {
    await expect(checkDestinationUrl('http://127.0.0.1:8080/hook', 'webhook', policy)).resolves.toEqual({ url: 'http://127.0.0.1:8080/hook', allowLocal: true });
    await expect(checkDestinationUrl('http://[::1]:8080/hook', 'slack', policy)).resolves.toMatchObject({ allowLocal: true });
  });

  it('when the name does not resolve or DNS hangs, then creation is accepted and delivery will check again', async () => {
    await expect(checkDestinationUrl('https://later.example.org/', 'webhook', policy, notFound)).resolves.toMatchObject({ allowLocal: false });
    await expect(checkDestinationUrl('https://slow.example.org/', 'webhook', policy, neverAnswers)).resolves.toMatchObject({ allowLocal: false });
  });

  it.each([
    ['ftp://hooks.example.org/', /https/],
    ['http://hooks.example.org/', /https/],
    ['https://u:p@hooks.example.org/', /credentials/],
    ['/relative', /absolute/],
    ['https://hooks.example.org/services/x', /Slack/],
  ])('when the URL is %s, then it is refused before any lookup', async (url, message) => {
    const type = url.includes('services') ? 'slack' : 'webhook';
    const error = await checkDestinationUrl(url, type, policy, () => Promise.reject(new Error('must not resolve'))).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DestinationUrlError);
    expect((error as Error).message).toMatch(message);
  });
});
