// Holds a real answer of the API against what the OpenAPI document says of that operation and status:
// the status is listed, the content type is one it documents, and the body validates against the
// documented schema (Ajv, JSON Schema 2020-12 as OpenAPI 3.1 uses it; streamed answers line by line).
import assert from 'node:assert/strict';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { openApiDocument } from '@/server/http/openapi';
import type { ApiResult } from './api';

type Media = { schema?: unknown };
type Operation = { responses: Record<string, { description: string; content?: Record<string, Media> }> };
export const OPENAPI = openApiDocument() as unknown as { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, unknown> } };

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => void;
// strict: false because the document around the schemas (paths, responses…) is not itself a JSON Schema.
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema(OPENAPI, 'openapi.json');
const compiled = new Map<string, ValidateFunction>();

function validatorFor(schema: unknown): ValidateFunction {
  // The document's $refs are relative to the document: resolve them against it.
  const key = JSON.stringify(schema);
  let v = compiled.get(key);
  if (!v) {
    v = ajv.compile(JSON.parse(key.replaceAll('"#/components/', '"openapi.json#/components/')));
    compiled.set(key, v);
  }
  return v;
}

/** `/api/v1/smtp-requests/[id]` → `/api/v1/smtp-requests/{id}` */
export const documentedPath = (pattern: string) => pattern.replace(/\[(\w+)\]/g, '{$1}');

/** Every (method path status) answered so far and found as documented. */
export const checkedAnswers = new Set<string>();

export function assertDocumented(method: string, pattern: string, res: ApiResult): void {
  const path = documentedPath(pattern);
  const name = `${method} ${path} → ${res.status}`;
  const operation = OPENAPI.paths[path]?.[method.toLowerCase()];
  assert.ok(operation, `${method} ${path} is not in the OpenAPI document`);
  const response = operation.responses[String(res.status)];
  assert.ok(response, `${name}: the document does not list this status (it lists ${Object.keys(operation.responses).join(', ')})`);
  const type = (res.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (!response.content) {
    assert.equal(res.text, '', `${name}: the document says there is no body`);
  } else {
    const media = response.content[type];
    assert.ok(media, `${name}: content type "${type}" is not documented (${Object.keys(response.content).join(', ')})`);
    const validate = validatorFor(media.schema ?? {});
    const values =
      type === 'application/x-ndjson'
        ? res.text
            .split('\n')
            .filter(Boolean)
            .map((line) => JSON.parse(line) as unknown)
        : type.endsWith('json')
          ? [res.body]
          : [res.text];
    assert.ok(values.length > 0, `${name}: an empty answer`);
    for (const value of values) {
      assert.ok(
        validate(value),
        `${name}: the answer does not match the documented schema: ${ajv.errorsText(validate.errors, { separator: '\n  ' })}\n  ${JSON.stringify(value).slice(0, 600)}`,
      );
    }
  }
  checkedAnswers.add(`${method} ${path} ${res.status}`);
}
