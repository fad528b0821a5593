// Where the probe may connect: refused before any socket opens, whatever form the address takes.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AppError } from '../../server/app-error';
import { allowedPortsFrom, checkDestination, DEFAULT_ALLOWED_PORTS, parseAllowList, type LookupFn } from '../../server/smtp/destination-guard';
import { configFor, probe, stepNames } from '../helpers/smtp-fixtures';
import { startSilentServer } from '../helpers/smtp-raw-servers';

const PORTS = DEFAULT_ALLOWED_PORTS;
const PUBLIC_V4 = '93.184.215.14';
const PUBLIC_V6 = '2606:2800:21f:cb07:6820:80da:af6b:8b2c';

/** A resolver that answers from a table and counts its calls. */
function tableLookup(table: Record<string, string[]>): LookupFn & { calls: string[] } {
  const calls: string[] = [];
  const lookup = async (host: string) => {
    calls.push(host);
    const addresses = table[host];
    if (!addresses) throw Object.assign(new Error(`ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  return Object.assign(lookup, { calls });
}

async function refusal(host: string, port: number, options: Partial<Parameters<typeof checkDestination>[2]> = {}) {
  try {
    await checkDestination(host, port, { allowedHosts: [], allowedPorts: PORTS, ...options });
  } catch (error) {
    assert.ok(error instanceof AppError, String(error));
    assert.equal(error.code, 'DESTINATION_REFUSED');
    return error;
  }
  assert.fail(`${host}:${port} was allowed`);
}

describe('refused addresses', () => {
  const table: [string, string][] = [
    ['127.0.0.1', 'loopback'],
    ['127.1', 'loopback'],
    ['2130706433', 'loopback'],
    ['0x7f000001', 'loopback'],
    ['0177.0.0.1', 'loopback'],
    ['0.0.0.0', 'unspecified'],
    ['10.0.0.1', 'private'],
    ['172.16.0.1', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'linkLocal'],
    ['100.100.100.200', 'carrierGradeNat'],
    ['::1', 'loopback'],
    ['[::1]', 'loopback'],
    ['[::ffff:127.0.0.1]', 'loopback'],
    ['::ffff:169.254.169.254', 'linkLocal'],
    ['fd00::1', 'uniqueLocal'],
    ['fe80::1', 'linkLocal'],
    ['64:ff9b::a9fe:a9fe', 'linkLocal'],
    ['64:ff9b::10.0.0.1', 'private'],
    // ipaddr.js reads ::a.b.c.d as IPv4-mapped; the hex form is deprecated IPv4-compatible: both refused.
    ['::127.0.0.1', 'loopback'],
    ['::7f00:1', 'unicast'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'broadcast'],
  ];
  for (const [host, range] of table) {
    test(`${host} (${range}) is refused without a DNS query`, async () => {
      const lookup = tableLookup({});
      const error = await refusal(host, 587, { lookup });
      assert.equal(error.details.reason, 'address-not-public');
      assert.equal(error.details.field, 'host');
      assert.equal(error.details.range, range);
      assert.deepEqual(lookup.calls, []);
    });
  }

  test('a name resolving to a public AND a private address is refused', async () => {
    const lookup = tableLookup({ 'mixed.example': [PUBLIC_V4, '10.1.2.3'] });
    const error = await refusal('mixed.example', 587, { lookup });
    assert.equal(error.details.address, '10.1.2.3');
    assert.match(error.message, /mixed\.example resolves to 10\.1\.2\.3/);
  });

  test('a name resolving to the metadata address through IPv4-mapped IPv6 is refused', async () => {
    const lookup = tableLookup({ 'sneaky.example': ['::ffff:a9fe:a9fe'] });
    assert.equal((await refusal('sneaky.example', 587, { lookup })).details.range, 'linkLocal');
  });
});

describe('refused ports', () => {
  for (const port of [22, 80, 6379, 0, 70000]) {
    test(`port ${port} is refused before resolving`, async () => {
      const lookup = tableLookup({ 'mail.example': [PUBLIC_V4] });
      const error = await refusal('mail.example', port, { lookup });
      assert.equal(error.details.reason, 'port-not-allowed');
      assert.equal(error.details.field, 'port');
      assert.deepEqual(lookup.calls, []);
    });
  }
});

describe('allowed destinations', () => {
  test('a public name on 587: the checked address, resolved once, SNI = the name', async () => {
    const lookup = tableLookup({ 'smtp.example.com.': [PUBLIC_V4, PUBLIC_V6] });
    const checked = await checkDestination('smtp.example.com.', 587, { allowedHosts: [], allowedPorts: PORTS, lookup });
    assert.deepEqual(checked, {
      address: PUBLIC_V4,
      family: 4,
      addresses: [PUBLIC_V4, PUBLIC_V6],
      servername: 'smtp.example.com',
    });
    assert.deepEqual(lookup.calls, ['smtp.example.com.']);
  });

  test('a public IP literal: connected as given, no SNI name', async () => {
    const checked = await checkDestination(`[${PUBLIC_V6}]`, 465, { allowedHosts: [], allowedPorts: PORTS });
    assert.deepEqual(checked, { address: PUBLIC_V6, family: 6, addresses: [PUBLIC_V6], servername: '' });
  });

  test('NAT64 of a public address is allowed', async () => {
    const checked = await checkDestination('64:ff9b::5db8:d70e', 25, { allowedHosts: [], allowedPorts: PORTS });
    assert.equal(checked.address, '64:ff9b::5db8:d70e');
  });

  test('allow-list entries: IP, CIDR, host, host:port (which also opens that port)', async () => {
    const lookup = tableLookup({ 'sandbox.local': ['127.0.0.1'], 'other.local': ['127.0.0.1'] });
    const ok = (host: string, port: number, allowedHosts: string[]) => checkDestination(host, port, { allowedHosts, allowedPorts: PORTS, lookup });
    assert.equal((await ok('127.0.0.1', 2525, ['127.0.0.1'])).address, '127.0.0.1');
    assert.equal((await ok('127.1', 2525, ['127.0.0.0/8'])).address, '127.0.0.1');
    assert.equal((await ok('::ffff:10.0.0.5', 587, ['10.0.0.0/8'])).address, '::ffff:a00:5');
    assert.equal((await ok('sandbox.local', 587, ['sandbox.local'])).servername, 'sandbox.local');
    assert.equal((await ok('sandbox.local', 1025, ['sandbox.local:1025'])).address, '127.0.0.1');
    assert.equal((await ok('::1', 1025, ['[::1]:1025'])).address, '::1');

    assert.equal((await refusal('other.local', 587, { lookup, allowedHosts: ['sandbox.local'] })).details.reason, 'address-not-public');
    assert.equal((await refusal('sandbox.local', 1026, { lookup, allowedHosts: ['sandbox.local:1025'] })).details.reason, 'port-not-allowed');
    assert.equal((await refusal('127.0.0.2', 587, { allowedHosts: ['127.0.0.1'] })).details.range, 'loopback');
  });

  test('host names with whitespace or control characters are refused', async () => {
    for (const host of ['mail.example.com\r\nRCPT', 'a b', '', 'user@host']) {
      assert.equal((await refusal(host, 587)).details.reason, 'invalid-host');
    }
  });
});

describe('environment parsing', () => {
  test('parseAllowList keeps valid entries and throws on nonsense', () => {
    assert.deepEqual(parseAllowList(' 127.0.0.1, 10.0.0.0/8 ,sandbox.local:2525,[::1]:1025,, '), ['127.0.0.1', '10.0.0.0/8', 'sandbox.local:2525', '[::1]:1025']);
    assert.deepEqual(parseAllowList(undefined), []);
    assert.throws(() => parseAllowList('host:99999'), /Invalid port/);
    assert.throws(() => parseAllowList('bad host'), /Invalid SMTP_ALLOWED_HOSTS entry/);
  });

  test('allowedPortsFrom defaults to 25, 465, 587, 2525', () => {
    assert.deepEqual(allowedPortsFrom(''), [25, 465, 587, 2525]);
    assert.deepEqual(allowedPortsFrom(undefined), [25, 465, 587, 2525]);
    assert.deepEqual(allowedPortsFrom('587, 2525'), [587, 2525]);
    assert.throws(() => allowedPortsFrom('587,abc'));
  });
});

describe('the probe refuses before any socket opens', () => {
  for (const host of ['127.0.0.1', '127.1', '2130706433', '0x7f000001', '[::ffff:127.0.0.1]', 'mail.relaydesk.test']) {
    test(`${host} without an allow-list entry: one failed dns step, zero connections`, async () => {
      const server = await startSilentServer();
      try {
        const result = await probe(configFor(server.port, { host }), { allowedHosts: [] });
        assert.deepEqual(stepNames(result), ['dns']);
        assert.equal(result.steps[0]?.hint?.code, 'DESTINATION_REFUSED');
        assert.equal(result.steps[0]?.field, 'host');
        assert.equal(server.connections(), 0);
      } finally {
        await server.close();
      }
    });
  }

  test('a port off the list: refused on the port field, zero connections', async () => {
    const server = await startSilentServer();
    try {
      const result = await probe(configFor(server.port), { allowedPorts: [587] });
      assert.deepEqual(stepNames(result), ['dns']);
      assert.equal(result.steps[0]?.hint?.code, 'DESTINATION_REFUSED');
      assert.equal(result.steps[0]?.field, 'port');
      assert.equal(server.connections(), 0);
    } finally {
      await server.close();
    }
  });
});
