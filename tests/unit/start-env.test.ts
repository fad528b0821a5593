// What `npm start` reads from the environment: where the web app listens, and which processes it runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nextStartArgs, readEnv, webHost } from '@/server/env';

test('demo mode (shared published password) listens on loopback only unless HOST says otherwise', () => {
  assert.equal(webHost(readEnv({ RELAYDESK_DEMO: '1' })), '127.0.0.1');
  assert.equal(webHost(readEnv({})), '127.0.0.1', 'demo by default when nothing is configured');
  assert.equal(webHost(readEnv({ RELAYDESK_DEMO: '1', HOST: '0.0.0.0' })), '0.0.0.0');
  assert.equal(webHost(readEnv({ RELAYDESK_DEMO: '1', HOST: ' ' })), '127.0.0.1', 'an empty HOST is no HOST');
  assert.equal(webHost(readEnv({ RELAYDESK_DEMO: '1', HOST: '::' })), '::');
  assert.equal(webHost(readEnv({ RELAYDESK_DEMO: '0' })), undefined, 'production: every interface, as next start does');
  assert.equal(webHost(readEnv({ RELAYDESK_DEMO: '0', HOST: '10.0.0.5' })), '10.0.0.5');
  // What npm start hands to `next start` (whose own default is every interface).
  assert.deepEqual(nextStartArgs(readEnv({ RELAYDESK_DEMO: '1', PORT: '4000' })), ['start', '-p', '4000', '-H', '127.0.0.1']);
  assert.deepEqual(nextStartArgs(readEnv({ RELAYDESK_DEMO: '1', PORT: '4000', HOST: '0.0.0.0' })), ['start', '-p', '4000', '-H', '0.0.0.0']);
  assert.deepEqual(nextStartArgs(readEnv({ RELAYDESK_DEMO: '0', PORT: '4000' })), ['start', '-p', '4000']);
});

test('RELAYDESK_RUN names the processes; its default depends on demo mode; anything else is refused with the variable named', () => {
  assert.deepEqual(readEnv({ RELAYDESK_DEMO: '1' }).run, ['web', 'worker', 'sandbox']);
  assert.deepEqual(readEnv({ RELAYDESK_DEMO: '0' }).run, ['web', 'worker']);
  assert.deepEqual(readEnv({ RELAYDESK_DEMO: '0', RELAYDESK_RUN: ' worker , web,worker' }).run, ['worker', 'web']);
  assert.throws(() => readEnv({ RELAYDESK_RUN: 'web,mailer' }), /RELAYDESK_RUN: a comma list of web, worker, sandbox/);
});
