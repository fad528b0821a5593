import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { checkDestination } from '@/server/smtp/destination-guard';
import { checkTokenDestination } from '@/server/oauth/post-form';
import { parseDnsServers } from '@/server/dns/dns-servers';
import { clearDnsCache, lookupAddresses, resolveRecords } from '@/server/dns/resolver';
import { readEnv } from '@/server/env';
import { startTestDns, type TestDns } from '../helpers/dns-zone';

describe('RELAYDESK_DNS_SERVERS', () => {
  it('accepts ip, ip:port and [v6]:port, and names a bad entry', () => {
    assert.deepEqual(parseDnsServers(' 127.0.0.1:5353, ::1 ,[::1]:53,10.0.0.2'), ['127.0.0.1:5353', '::1', '[::1]:53', '10.0.0.2']);
    assert.throws(() => parseDnsServers('127.0.0.1,dns.example'), /RELAYDESK_DNS_SERVERS entry "dns.example"/);
    assert.throws(() => parseDnsServers('127.0.0.1:70000'), /"127.0.0.1:70000"/);
    assert.throws(() => readEnv({ RELAYDESK_DNS_SERVERS: '1.2.3' }), /RELAYDESK_DNS_SERVERS: Invalid RELAYDESK_DNS_SERVERS entry "1.2.3"/);
  });
});

describe('the one resolver', () => {
  let dns: TestDns;
  before(async () => {
    dns = await startTestDns({ 'smtp.zone.test': { A: ['8.8.8.8'] }, 'inside.zone.test': { A: ['10.1.2.3'] } });
  });
  after(() => dns.close());

  it('is what the destination guard asks', async () => {
    const checked = await checkDestination('smtp.zone.test', 587, { allowedHosts: [], allowedPorts: [587] });
    assert.equal(checked.address, '8.8.8.8');
    await assert.rejects(checkDestination('inside.zone.test', 587, { allowedHosts: [], allowedPorts: [587] }), /10\.1\.2\.3, a private address/);
    await assert.rejects(checkDestination('absent.zone.test', 587, { allowedHosts: [], allowedPorts: [587] }), { code: 'ENOTFOUND' });
  });

  it('is what the OAuth token endpoints ask', async () => {
    const checked = await checkTokenDestination(new URL('https://smtp.zone.test/tenant/oauth2/v2.0/token'), { allowedHosts: [], allowedPorts: [] });
    assert.deepEqual([checked.address, checked.servername], ['8.8.8.8', 'smtp.zone.test']);
  });

  it('keeps answers briefly, until the cache is cleared', async () => {
    assert.deepEqual(await resolveRecords('smtp.zone.test', 'A'), ['8.8.8.8']);
    dns.zone['smtp.zone.test'] = { A: ['8.8.4.4'] };
    assert.deepEqual(await resolveRecords('smtp.zone.test', 'A'), ['8.8.8.8']);
    clearDnsCache();
    assert.deepEqual(await resolveRecords('smtp.zone.test', 'A'), ['8.8.4.4']);
  });

  it('answers localhost as the system does, never asking the servers', async () => {
    dns.zone['localhost'] = { A: ['8.8.8.8'] };
    clearDnsCache();
    const addresses = (await lookupAddresses('localhost')).map((a) => a.address);
    assert.ok(addresses.length > 0 && addresses.every((a) => a === '127.0.0.1' || a === '::1'), addresses.join());
  });
});

describe('a DNS server that never answers', () => {
  it('fails within the bounded timeout', async () => {
    const silent = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => silent.bind(0, '127.0.0.1', resolve));
    const previous = process.env.RELAYDESK_DNS_SERVERS;
    process.env.RELAYDESK_DNS_SERVERS = `127.0.0.1:${(silent.address() as AddressInfo).port}`;
    const started = Date.now();
    try {
      await assert.rejects(resolveRecords('slow.test', 'TXT'), { code: 'ETIMEOUT' });
      assert.ok(Date.now() - started < 8000, `took ${Date.now() - started} ms`);
    } finally {
      process.env.RELAYDESK_DNS_SERVERS = previous;
      silent.close();
    }
  });
});
