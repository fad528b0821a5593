import '../helpers/test-env';
// The one-click switch to OAuth (issue 12): a password request that Microsoft 365 refuses with
// 550 5.7.30 (Basic authentication off) is diagnosed so, the customer is offered the switch (the cloud
// inferred from the host), and once the request is edited to OAuth the offer goes away. The SMTP server
// is a real smtp-server (STARTTLS, AUTH PLAIN/LOGIN) answering AUTH like Exchange Online with Basic off.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { api } from '../helpers/api';
import { makeTenantWithPeople, validRequestBody } from '../helpers/factories';
import { allowLocalServers, startSink, type Sink } from '../pipeline/helpers';
import { oauthSwitchFor } from '@/server/requests/oauth-switch';
import { microsoftCloudOfHost, oauthSwitchPreset } from '@/lib/providers';
import { resetProbeBudgets } from '@/server/probes/rate-limit';

const BASIC_OFF = '5.7.30 Basic authentication is not supported for Client Submission.';
let sink: Sink;

before(async () => {
  sink = await startSink({ auth: () => ({ code: 550, message: BASIC_OFF }) });
  await allowLocalServers(sink.port);
});
after(() => sink.close());

test('the cloud of the switch comes from the host', () => {
  assert.equal(microsoftCloudOfHost('smtp.office365.com'), 'global');
  assert.equal(microsoftCloudOfHost('SMTP.Office365.us.'), 'usgov');
  assert.equal(microsoftCloudOfHost('smtp.partner.outlook.cn'), 'china');
  assert.equal(microsoftCloudOfHost('mail.contoso.example'), 'global');
  assert.deepEqual(oauthSwitchPreset('smtp.partner.outlook.cn'), { authMethod: 'oauth2', oauthProvider: 'microsoft', oauthCloud: 'china' });
});

test('550 5.7.30 on a password request: diagnosed, the customer is offered the switch, and editing to OAuth ends the offer', async () => {
  await resetProbeBudgets();
  const { admin, member, tam } = await makeTenantWithPeople();
  const other = await makeTenantWithPeople();
  const password = 'Basic-0ff-Pa55word';
  const body = validRequestBody({ host: 'localhost', port: sink.port, encryption: 'starttls', authMethod: 'login', username: 'notifications@contoso.example', password });
  const created = await api('POST', '/api/v1/smtp-requests', { token: admin.token, body });
  assert.equal(created.status, 201, created.text);
  const id = created.body.id as string;
  const url = `/api/v1/smtp-requests/${id}`;
  assert.equal(await oauthSwitchFor(admin, id), null, 'no check yet, no offer');

  assert.equal((await api('POST', `${url}/transitions`, { token: tam.token, body: { to: 'in_review' } })).status, 200);
  const validated = await api('POST', `${url}/validate`, { token: tam.token, body: {} });
  assert.equal(validated.status, 200, validated.text);
  assert.equal(validated.body.ok, false);
  const failed = (validated.body.steps as { step: string; ok: boolean; field: string | null; hint: { code: string } | null }[]).find((s) => !s.ok)!;
  assert.deepEqual([failed.step, failed.hint?.code, failed.field], ['auth', 'M365_BASIC_AUTH_OFF', 'authMethod']);

  const offer = await oauthSwitchFor(admin, id);
  assert.deepEqual(offer, { cloud: 'global', reply: `550 ${BASIC_OFF}` });
  assert.deepEqual(await oauthSwitchFor(member, id), offer, 'a member sees it too (only an admin can act on it)');
  assert.equal(await oauthSwitchFor(other.admin, id), null, "another tenant's customer learns nothing");
  assert.ok(!JSON.stringify(offer).includes(password));

  // The TAM sends it back; the customer saves the switched form (what the pre-set form submits).
  const asked = await api('POST', `${url}/transitions`, { token: tam.token, body: { to: 'needs_info', comment: 'Basic authentication is off: please switch to OAuth.' } });
  assert.equal(asked.status, 200, asked.text);
  const current = (await api('GET', url, { token: admin.token })).body as { fingerprint: string };
  const edited = await api('PATCH', url, {
    token: admin.token,
    headers: { 'if-match': `"${current.fingerprint}"` },
    body: {
      ...oauthSwitchPreset('localhost'),
      oauthTenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47',
      oauthClientId: '3b9d2c41-6a7e-4f08-b5d1-0c2e4f6a8b19',
      oauthClientSecret: 'New~OAuth-Client-Secret-1',
    },
  });
  assert.equal(edited.status, 200, edited.text);
  assert.deepEqual(
    [edited.body.authMethod, edited.body.oauthProvider, edited.body.oauthCloud, edited.body.username, edited.body.hasPassword, edited.body.hasOauthClientSecret],
    ['oauth2', 'microsoft', 'global', 'notifications@contoso.example', false, true],
  );
  assert.equal(await oauthSwitchFor(admin, id), null, 'an OAuth request is not offered the switch');
});
