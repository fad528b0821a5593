import '../helpers/test-env';
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { db, makeUser } from '../helpers/factories';
import { leakedForms, passwordForms } from '../helpers/secret-forms';
import { testDatabaseKind } from '../helpers/test-env';
import type { PipelineWorker } from '@/server/pipeline/worker';
import { allowLocalServers, appliedTenant, notify, papi, SMTP_PASSWORD, SMTP_USER, startSink, startSwitchableProxy, testWorker, waitFor, type Proxy, type Sink } from './helpers';

// Issue 11: a hostile server echoes the credentials it was given in its replies. Nothing the pipeline
// stores or shows may contain them, in any form.

let sink: Sink;
let proxy: Proxy;
let worker: PipelineWorker;

before(async () => {
  sink = await startSink();
  proxy = await startSwitchableProxy(sink.port);
  await allowLocalServers(sink.port, proxy.port);
  worker = testWorker();
});
after(async () => {
  await worker.stop(1_000);
  await proxy.close();
  await sink.close();
});

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
const echo = (username: string, password: string) => `for ${username} with password ${password} (${b64(password)}; AUTH PLAIN ${b64(`\0${username}\0${password}`)})`;

/** Every row of every table, as JSON. */
async function wholeDatabase(): Promise<string> {
  const tables =
    testDatabaseKind === 'postgres'
      ? await db.$queryRawUnsafe<Array<{ name: string }>>(
          `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`,
        )
      : await db.$queryRawUnsafe<Array<{ name: string }>>(`SELECT name FROM sqlite_master WHERE type = 'table'`);
  const dump: Record<string, unknown> = {};
  for (const { name } of tables) dump[name] = await db.$queryRawUnsafe(`SELECT * FROM "${name}"`);
  return JSON.stringify(dump, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}

test('credentials a server echoes in its 535 and RCPT replies are stored nowhere: deliveries, pipeline status, audit events, exports, any table', async () => {
  const t = await appliedTenant(proxy.port);
  await waitFor('canary delivered', async () => (await db.notification.findFirst({ where: { tenantId: t.tenant.id, canary: true, status: 'delivered' } })) ?? null);
  sink.behaviour.auth = (given) => ({ code: 535, message: `5.7.8 Authentication failed ${echo(given.username, given.password)}` });
  proxy.drop();
  const first = await notify(t, { subject: 'Echo 535' });
  await waitFor('paused', async () => (await db.tenantPipeline.findUnique({ where: { tenantId: t.tenant.id } }))?.paused === true);
  const pipeline = await db.tenantPipeline.findUniqueOrThrow({ where: { tenantId: t.tenant.id } });
  assert.match(pipeline.pausedReason ?? '', /535 5\.7\.8 Authentication failed .*\[redacted\]/, 'the reply is kept, the secrets are not');

  // Logged in again, the server echoes the password in a recipient's refusal: a dead letter per recipient.
  sink.behaviour.auth = undefined;
  sink.behaviour.rcpt = (address) => (address === 'gone@customer.test' ? { code: 550, message: `5.1.1 User unknown ${echo(SMTP_USER, SMTP_PASSWORD)}` } : undefined);
  try {
    assert.equal((await papi('PATCH', `/api/v1/tenants/${t.slug}/pipeline`, { token: t.tam.token, body: { paused: false } })).status, 200);
    const second = await notify(t, { to: ['ok@customer.test', 'gone@customer.test'], subject: 'Echo RCPT' });
    await waitFor('first delivered', async () => (await db.notification.findUnique({ where: { id: first.body.id } }))?.status === 'delivered');
    await waitFor('dead letter', async () => (await db.notification.findUnique({ where: { id: second.body.id } }))?.status === 'dead');
  } finally {
    sink.behaviour.rcpt = undefined;
  }

  const forms = passwordForms(SMTP_PASSWORD, SMTP_USER);
  const auditor = await makeUser('auditor');
  const seen = {
    deliveries: (await papi('GET', `/api/v1/tenants/${t.slug}/deliveries`, { token: t.member.token })).text,
    pipelineStatus: (await papi('GET', `/api/v1/tenants/${t.slug}/pipeline`, { token: t.member.token })).text,
    auditEvents: (await papi('GET', `/api/v1/audit-events?tenant=${t.slug}`, { token: auditor.token })).text,
    exportJsonl: (await papi('GET', '/api/v1/audit-events/export?format=jsonl', { token: auditor.token })).text,
    exportCsv: (await papi('GET', '/api/v1/audit-events/export?format=csv', { token: auditor.token })).text,
    database: await wholeDatabase(),
  };
  assert.match(seen.deliveries, /550 5\.1\.1 User unknown/);
  assert.match(seen.exportJsonl, /pipeline\.paused/);
  for (const [where, text] of Object.entries(seen)) assert.deepEqual(leakedForms(text, forms), [], `no secret form in ${where}`);
});
