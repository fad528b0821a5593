// Which fields differ between two versions (the password only as "changed", by fingerprint and presence).
import { CONFIG_CONTENT_FIELDS, type ConfigVersionView } from './config-version-view';

export type FieldChange = { field: string; before: string | number; after: string | number };

export function diffConfigVersions(before: ConfigVersionView, after: ConfigVersionView): FieldChange[] {
  const changes: FieldChange[] = CONFIG_CONTENT_FIELDS.filter((f) => before[f] !== after[f]).map((f) => ({ field: f, before: before[f], after: after[f] }));
  if (before.hasPassword !== after.hasPassword || (before.fingerprint !== after.fingerprint && changes.length === 0)) {
    changes.push({ field: 'password', before: before.hasPassword ? 'set' : 'not set', after: 'changed' });
  }
  return changes;
}
