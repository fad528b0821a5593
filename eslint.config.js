import nextVitals from 'eslint-config-next/core-web-vitals';
import nextTs from 'eslint-config-next/typescript';

// The layer rule (docs/decisions/027). server/http holds the adapters only app/ uses (route and action
// wrappers, problem and streamed answers, the OpenAPI document); what the domain may use of HTTP is in
// server/core. No server/ file outside the adapters imports one, and nothing in server/ imports app/.
const ADAPTERS = {
  regex: '^(@/server/http|(\\.\\./)+http|\\./http)(/|$)',
  message: 'server/http holds the adapters app/ uses: the domain takes what it needs from server/core (docs/decisions/027).',
};
const APP = { regex: '^(@/app|(\\.\\./)+app)(/|$)', message: 'server/ never imports app/ (docs/decisions/027).' };
// The pipeline delivers with configuration versions (and rolls them back); config-versions never reaches
// into the pipeline.
const PIPELINE = {
  regex: '^(@/server/pipeline|\\.\\./pipeline)(/|$)',
  message: 'config-versions must not depend on the pipeline: the pipeline depends on config-versions (docs/decisions/027).',
};
const layers = (...patterns) => ({ 'no-restricted-imports': ['error', { patterns }] });

const config = [
  ...nextVitals,
  ...nextTs,
  { ignores: ['.next/**', 'node_modules/**', 'server/generated/**', 'data/**', '.e2e-data/**', 'test-results/**', 'playwright-report/**', 'next-env.d.ts'] },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
    },
  },
  { files: ['server/**/*.{ts,tsx}'], ignores: ['server/http/**'], rules: layers(ADAPTERS, APP) },
  { files: ['server/http/**/*.{ts,tsx}'], rules: layers(APP) },
  { files: ['server/config-versions/**/*.{ts,tsx}'], rules: layers(ADAPTERS, APP, PIPELINE) },
  {
    // Tests read untyped JSON answers.
    files: ['tests/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
];

export default config;
