// Prisma's own reading of a schema (the DMMF: fields, required, defaults, ids, uniques, indexes), from the
// schema WebAssembly module the installed `prisma` package ships — @prisma/internals is not installed, and
// the generated client keeps only field names and types. A minimal wasm-bindgen glue: string in, JSON out.
import { readFileSync } from 'node:fs';
import path from 'node:path';

export type DmmfField = {
  name: string;
  kind: 'scalar' | 'object' | 'enum';
  type: string;
  isRequired: boolean;
  isId: boolean;
  isUnique: boolean;
  isUpdatedAt: boolean;
  hasDefaultValue: boolean;
  default?: unknown;
};
export type DmmfModel = { name: string; dbName: string | null; fields: DmmfField[] };
export type DmmfIndex = { model: string; type: 'id' | 'unique' | 'normal' | 'fulltext'; name?: string; dbName?: string; fields: { name: string }[] };
export type Dmmf = { datamodel: { models: DmmfModel[]; indexes: DmmfIndex[] } };

type SchemaWasm = {
  memory: WebAssembly.Memory;
  __wbindgen_externrefs: WebAssembly.Table;
  __wbindgen_start(): void;
  __wbindgen_malloc(size: number, align: number): number;
  __wbindgen_free(ptr: number, size: number, align: number): void;
  get_dmmf(ptr: number, len: number): [number, number, number, number];
};

let wasm: SchemaWasm | undefined;

function load(): SchemaWasm {
  if (wasm) return wasm;
  const schemaModule = new WebAssembly.Module(readFileSync(path.join(process.cwd(), 'node_modules/prisma/build/prisma_schema_build_bg.wasm')));
  const text = (ptr: number, len: number) => new TextDecoder().decode(new Uint8Array(wasm!.memory.buffer, ptr, len));
  const glue: Record<string, (...args: number[]) => unknown> = {};
  for (const { name } of WebAssembly.Module.imports(schemaModule)) {
    if (name.startsWith('__wbg_Error_')) glue[name] = (ptr, len) => new Error(text(ptr, len));
    else if (name.startsWith('__wbg___wbindgen_throw_'))
      glue[name] = (ptr, len) => {
        throw new Error(text(ptr, len));
      };
    else if (name.startsWith('__wbg_set_message_')) glue[name] = () => undefined;
    else if (name === '__wbindgen_init_externref_table') {
      glue[name] = () => {
        const table = wasm!.__wbindgen_externrefs;
        const base = table.grow(4);
        table.set(0, undefined);
        [undefined, null, true, false].forEach((v, i) => table.set(base + i, v));
      };
    } else throw new Error(`prisma_schema_build_bg.wasm wants an import this glue does not know: ${name}`);
  }
  wasm = new WebAssembly.Instance(schemaModule, { __wbindgen_placeholder__: glue }).exports as unknown as SchemaWasm;
  wasm.__wbindgen_start();
  return wasm;
}

export function readDmmf(prismaSchema: string): Dmmf {
  const w = load();
  const input = new TextEncoder().encode(JSON.stringify({ prismaSchema, noColor: true }));
  const ptr = w.__wbindgen_malloc(input.length, 1);
  new Uint8Array(w.memory.buffer, ptr, input.length).set(input);
  const [out, len, errorRef, failed] = w.get_dmmf(ptr, input.length);
  if (failed) throw (w.__wbindgen_externrefs.get(errorRef) as Error) ?? new Error('get_dmmf failed');
  try {
    return JSON.parse(new TextDecoder().decode(new Uint8Array(w.memory.buffer, out, len))) as Dmmf;
  } finally {
    w.__wbindgen_free(out, len, 1);
  }
}
