'use client';
// The TAM's path on a request: Take → Validate → Test → Apply. The next possible action is the primary
// button (it runs the tool below: the same button, the same checks); the others say why not yet.
import { useTransition } from 'react';
import { useRouter } from 'next/navigation';
import { useTranslations } from 'next-intl';
import type { PathStep } from '@/server/requests/tam-path';
import { transitionAction } from './actions';

/** The tool each step's button works: Take here, the others are the buttons of the panels below. */
const TOOL: Record<Exclude<PathStep['step'], 'take'>, string> = { validate: 'probe-validate', test: 'probe-test-send', apply: 'apply-button' };

export function TamPath({ requestId, steps }: { requestId: string; steps: PathStep[] }) {
  const t = useTranslations('guide');
  const root = useTranslations();
  const router = useRouter();
  const [pending, start] = useTransition();

  function act(step: PathStep['step']) {
    if (step === 'take') {
      start(async () => {
        await transitionAction(requestId, { to: 'in_review' });
        router.refresh();
      });
      return;
    }
    const tool = document.getElementById(TOOL[step]);
    tool?.scrollIntoView({ block: 'center' });
    tool?.click();
  }

  return (
    <nav className="card tam-path" aria-labelledby="tam-path-h" data-testid="tam-path">
      <h2 id="tam-path-h">{t('title')}</h2>
      <ol className="path-steps">
        {steps.map((s, i) => (
          <li key={s.step} className={`path-step ${s.state}`} data-step={s.step} data-state={s.state} aria-current={s.state === 'next' ? 'step' : undefined}>
            <span className="path-index" aria-hidden="true">
              {s.state === 'done' ? '✓' : i + 1}
            </span>{' '}
            <strong>{t(`steps.${s.step}`)}</strong> <span className="muted">{t(`states.${s.state}`)}</span>
            {s.state === 'next' && (
              <button type="button" className="button primary" disabled={pending} onClick={() => act(s.step)} data-testid="path-next">
                {t(`actions.${s.step}`)}
              </button>
            )}
            {s.state === 'possible' && <span className="help"> {t('possibleHint')}</span>}
            {s.reason && <p className="help">{root(s.reason as 'probe.closed.finished')}</p>}
          </li>
        ))}
      </ol>
    </nav>
  );
}
