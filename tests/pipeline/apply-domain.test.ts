import '../helpers/test-env';
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { db } from '../helpers/factories';
import { startTestDns, type TestDns } from '../helpers/dns-zone';
import { allowLocalServers, papi, startSink, testedRequest, type Sink } from './helpers';

// A DMARC p=reject with no alignment possible is a `fail` of the domain step: it blocks apply unless
// the TAM gives a reason, which is audited (issue 15).

let sink: Sink;
let dns: TestDns;

before(async () => {
  sink = await startSink();
  await allowLocalServers(sink.port);
  dns = await startTestDns({
    'reject.test': { TXT: ['v=spf1 ip4:198.51.100.1 -all'] },
    '_dmarc.reject.test': { TXT: ['v=DMARC1; p=reject'] },
  });
});
after(async () => {
  await sink.close();
  await dns.close();
});

test('a failing sending domain blocks apply until a TAM gives a reason, which is audited', async () => {
  const t = await testedRequest(sink.port, { noReplyAddress: 'noreply@reject.test' });
  const run = await db.probeRun.findFirstOrThrow({ where: { requestId: t.requestId, kind: 'test-send' } });
  assert.equal(run.ok, true, 'the SMTP verdict is unaffected');
  const domain = (JSON.parse(run.steps) as { step: string; ok: boolean; findings?: { code: string }[] }[]).find((s) => s.step === 'domain');
  assert.equal(domain?.ok, false);
  assert.ok(domain?.findings?.some((f) => f.code === 'DMARC_REJECT_NO_ALIGNMENT'));

  const refused = await papi('POST', `/api/v1/smtp-requests/${t.requestId}/apply`, { token: t.tam.token });
  assert.equal(refused.status, 409, refused.text);
  assert.equal(refused.body.code, 'INVALID_TRANSITION');
  assert.match(refused.body.detail, /sending domain of the last test email fails/);
  assert.equal(await db.configVersion.count({ where: { tenantId: t.tenant.id } }), 0);

  const blank = await papi('POST', `/api/v1/smtp-requests/${t.requestId}/apply`, { token: t.tam.token, body: { force: true, reason: '   ' } });
  assert.equal(blank.status, 422, 'a blank reason is no reason');
  assert.deepEqual(
    blank.body.errors.map((e: { path: string }) => e.path),
    ['reason'],
  );

  const reason = 'Customer moves DMARC to p=none tomorrow (ticket 4711)';
  const applied = await papi('POST', `/api/v1/smtp-requests/${t.requestId}/apply`, { token: t.tam.token, body: { force: true, reason } });
  assert.equal(applied.status, 201, applied.text);
  const events = await db.auditEvent.findMany({ where: { tenantId: t.tenant.id, action: 'config.apply_forced' } });
  assert.equal(events.length, 1);
  assert.match(JSON.stringify(events[0]), /DMARC_REJECT_NO_ALIGNMENT/);
  assert.ok(JSON.stringify(events[0]).includes('ticket 4711'));
});
