// An applied request says whether its configuration is still in use, or what replaced it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { requestConfigState } from '@/server/config-versions/request-config-state';
import type { VersionEntry } from '@/server/config-versions/list-config-versions';

const v = (version: number, requestId: string | null, source: string, extra: Partial<VersionEntry> = {}) =>
  ({
    version,
    requestId,
    requestNumber: requestId ? `SMTP-${requestId}` : null,
    source,
    copiedFrom: null,
    fingerprint: `fp-${requestId}`,
    appliedAt: `2026-12-0${version}T10:00:00.000Z`,
    ...extra,
  }) as VersionEntry;

test('live, replaced by a later request, rolled back by a TAM or by the canary, or never applied', () => {
  const v1 = v(1, '1001', 'apply');
  const v2 = v(2, '1002', 'apply');
  assert.deepEqual(requestConfigState([v1, v2], v2, '1002'), { state: 'live', version: 2, appliedAt: v2.appliedAt });
  assert.deepEqual(requestConfigState([v1, v2], v2, '1001'), {
    state: 'replaced',
    version: 1,
    by: { version: 2, requestId: '1002', requestNumber: 'SMTP-1002', at: v2.appliedAt },
  });
  const v3 = v(3, '1001', 'rollback', { copiedFrom: 1, fingerprint: 'fp-1001' });
  assert.equal(requestConfigState([v1, v2, v3], v3, '1001')?.state, 'live', 'a rollback to its settings makes it live again');
  assert.deepEqual(requestConfigState([v1, v2, v3], v3, '1002'), { state: 'rolled-back', version: 2, by: { version: 3, to: 1, automatic: false, at: v3.appliedAt } });
  const auto = v(3, '1001', 'auto-rollback', { copiedFrom: 1 });
  assert.equal((requestConfigState([v1, v2, auto], auto, '1002') as { by: { automatic: boolean } }).by.automatic, true);
  assert.equal(requestConfigState([v1, v2], v2, '1003'), null);
});
