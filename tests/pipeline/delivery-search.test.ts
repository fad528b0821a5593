// The tenant page's delivery log searched by recipient or Message-ID, within the tenants the user sees.
import '../helpers/test-env';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { allowLocalServers, appliedTenant, notify, startSink, type Sink } from './helpers';
import { searchDeliveries } from '@/server/deliveries/search-deliveries';
import { AppError } from '@/server/app-error';
import { makeTenantWithPeople } from '../helpers/factories';

let sink: Sink;
before(async () => {
  sink = await startSink();
  await allowLocalServers(sink.port);
});
after(() => sink.close());

test('a recipient or a Message-ID finds the deliveries; another tenant finds nothing; an empty search names the field', async () => {
  const t = await appliedTenant(sink.port);
  const first = await notify(t, { to: ['Wang.Fang@customer.test'], subject: 'Build failed' });
  await notify(t, { to: ['li.lei@customer.test', 'ops@customer.test'], subject: 'Review requested' });
  assert.equal(first.status, 202, first.text);

  const byRecipient = await searchDeliveries(t.tam, t.slug, { q: 'wang.fang@customer' });
  assert.deepEqual(
    byRecipient.map((d) => d.subject),
    ['Build failed'],
  );
  assert.deepEqual(byRecipient[0]!.recipients, ['Wang.Fang@customer.test']);
  const byMessageId = await searchDeliveries(t.admin, t.slug, { q: first.body.messageId });
  assert.deepEqual(
    byMessageId.map((d) => d.id),
    [first.body.id],
    'the customer finds it by its <Message-ID>',
  );
  assert.equal((await searchDeliveries(t.tam, t.slug, { q: 'nobody@nowhere.test' })).length, 0);

  const stranger = await makeTenantWithPeople();
  await assert.rejects(searchDeliveries(stranger.admin, t.slug, { q: 'wang' }), (e: unknown) => e instanceof AppError && e.code === 'NOT_FOUND');
  await assert.rejects(
    searchDeliveries(t.tam, t.slug, { q: '  ' }),
    (e: unknown) => e instanceof AppError && e.code === 'VALIDATION_FAILED' && e.details.errors?.[0]?.path === 'q',
  );
});
