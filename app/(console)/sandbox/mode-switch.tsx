'use client';
import { useState, useTransition } from 'react';
import { useTranslations } from 'next-intl';
import { SANDBOX_MODES, type SandboxMode } from '@/lib/sandbox-modes';
import { setSandboxModeAction } from './actions';

export function ModeSwitch({ current }: { current: SandboxMode }) {
  const t = useTranslations('sandbox.mode');
  const te = useTranslations('errors');
  const [mode, setMode] = useState<SandboxMode>(current);
  const [saved, setSaved] = useState<SandboxMode | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [pending, start] = useTransition();
  return (
    <form
      className="form"
      onSubmit={(e) => {
        e.preventDefault();
        start(async () => {
          const result = await setSandboxModeAction(mode);
          if (result.ok) {
            setSaved(result.data);
            setError(null);
          } else {
            setSaved(null);
            setError(result.code);
          }
        });
      }}
    >
      <fieldset className="presets">
        <legend>{t('legend')}</legend>
        {SANDBOX_MODES.map((value) => (
          <div key={value} className="field">
            <label className="checkbox">
              <input
                type="radio"
                name="mode"
                value={value}
                checked={mode === value}
                aria-describedby={`mode-${value}-help`}
                onChange={() => {
                  setMode(value);
                  setSaved(null);
                }}
              />
              {t(`options.${value}.label`)}
            </label>
            <p id={`mode-${value}-help`} className="help">
              {t(`options.${value}.description`)}
            </p>
          </div>
        ))}
      </fieldset>
      <div className="button-row">
        <button type="submit" className="button primary" disabled={pending || mode === current}>
          {t('save')}
        </button>
        {saved && (
          <p role="status" className="alert success">
            {t('saved', { mode: t(`options.${saved}.label`) })}
          </p>
        )}
      </div>
      {error && (
        <p role="alert" className="alert error">
          {te(error as 'INTERNAL')}
        </p>
      )}
    </form>
  );
}
