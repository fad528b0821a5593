'use client';
import { useTransition } from 'react';
import { useRouter } from 'next/navigation';
import { setLocaleAction } from './session-actions';

const LANGUAGES = [
  { value: 'en', label: 'English' },
  { value: 'zh-CN', label: '简体中文' },
];

export function LanguageSwitcher({ current, label }: { current: string; label: string }) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  return (
    <label className="language-switcher">
      <span className="visually-hidden">{label}</span>
      <select
        value={current}
        disabled={pending}
        aria-label={label}
        onChange={(e) => {
          const value = e.target.value;
          startTransition(async () => {
            await setLocaleAction(value);
            router.refresh();
          });
        }}
      >
        {LANGUAGES.map((l) => (
          <option key={l.value} value={l.value} lang={l.value}>
            {l.label}
          </option>
        ))}
      </select>
    </label>
  );
}
