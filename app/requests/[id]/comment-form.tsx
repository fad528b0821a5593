'use client';
import { useState, useTransition } from 'react';
import { useTranslations } from 'next-intl';
import { addCommentAction } from './actions';

export function CommentForm({ requestId, allowInternal }: { requestId: string; allowInternal: boolean }) {
  const t = useTranslations('requests');
  const root = useTranslations();
  const [done, setDone] = useState(false);
  const [body, setBody] = useState('');
  const [internal, setInternal] = useState(false);
  // Message keys, translated when shown: a language switch translates a message already on screen.
  const [error, setError] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();

  return (
    <form
      className="form comment-form"
      onSubmit={(e) => {
        e.preventDefault();
        setDone(false);
        if (!body.trim()) return setError('fields.errors.required');
        startTransition(async () => {
          const result = await addCommentAction(requestId, { body, internal });
          if (result.ok) {
            setBody('');
            setInternal(false);
            setError(null);
            setDone(true);
          } else {
            setError(result.errors.body ? `fields.errors.${result.errors.body}` : `errors.${result.code}`);
          }
        });
      }}
    >
      <div className={`field${error ? ' invalid' : ''}`}>
        <label htmlFor="comment-body">{t('commentLabel')}</label>
        <textarea
          id="comment-body"
          rows={3}
          value={body}
          onChange={(e) => setBody(e.target.value)}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? 'comment-error' : undefined}
        />
        {error && (
          <p id="comment-error" className="field-error">
            {root(error as 'errors.INTERNAL')}
          </p>
        )}
      </div>
      {done && (
        <p role="status" className="alert success">
          {t('commentAdded')}
        </p>
      )}
      <div className="actions">
        {allowInternal && (
          <label className="checkbox">
            <input type="checkbox" checked={internal} onChange={(e) => setInternal(e.target.checked)} /> {t('internal')}
          </label>
        )}
        <button type="submit" className="button primary" disabled={pending}>
          {t('commentSubmit')}
        </button>
      </div>
    </form>
  );
}
