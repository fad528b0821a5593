import { getTranslations } from 'next-intl/server';
import { FieldLabel } from '@/app/components/field-label';

const show = (v: unknown) => (v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v));

/** Side-by-side before/after, changed rows marked; fields that did not change are listed too, dimmed. */
export async function DiffTable({ before, after }: { before: Record<string, unknown>; after: Record<string, unknown> }) {
  const t = await getTranslations('audit');
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  return (
    <div className="table-wrap">
      <table className="table diff cards" data-testid="diff">
        <thead>
          <tr>
            <th scope="col">{t('field')}</th>
            <th scope="col">{t('before')}</th>
            <th scope="col">{t('after')}</th>
          </tr>
        </thead>
        <tbody>
          {keys.map((k) => {
            const changed = show(before[k]) !== show(after[k]);
            return (
              <tr key={k} className={changed ? 'changed' : 'same'}>
                <th scope="row">
                  <FieldLabel field={k} />
                </th>
                <td data-label={t('before')} className="mono pre">
                  {show(before[k]) || t('nothing')}
                </td>
                <td data-label={t('after')} className="mono pre">
                  {show(after[k]) || t('nothing')}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
