// The shape of a migrated database, table by table, in Prisma's terms (String, Int, DateTime, …), so a
// SQLite database, a PostgreSQL database and the Prisma data model can be compared with each other.
import Database from 'better-sqlite3';
import pg from 'pg';
import type { Dmmf } from './prisma-dmmf';

export type ColumnShape = { type: string; nullable: boolean; default: string | null };
export type IndexShape = { name: string | null; columns: string[]; unique: boolean; partial: boolean };
export type TableShape = { columns: Record<string, ColumnShape>; primaryKey: string[]; indexes: IndexShape[] };
export type SchemaShape = Record<string, TableShape>;

// Bookkeeping tables that are not part of the data model.
const OWN_TABLES = new Set(['_relaydesk_migrations', 'sqlite_sequence']);

const SQLITE_TYPES: Record<string, string> = {
  TEXT: 'String',
  INTEGER: 'Int',
  BIGINT: 'BigInt',
  DATETIME: 'DateTime',
  BOOLEAN: 'Boolean',
  REAL: 'Float',
  'DOUBLE PRECISION': 'Float',
  BLOB: 'Bytes',
};
const POSTGRES_TYPES: Record<string, string> = {
  text: 'String',
  integer: 'Int',
  bigint: 'BigInt',
  'timestamp without time zone(3)': 'DateTime',
  boolean: 'Boolean',
  'double precision': 'Float',
  bytea: 'Bytes',
};

function normalizeDefault(raw: string | null, type: string): string | null {
  if (raw == null) return null;
  let v = raw.trim();
  if (/^nextval\(/i.test(v)) return 'autoincrement()';
  if (/^(CURRENT_TIMESTAMP|now\(\))$/i.test(v)) return 'now()';
  v = v.replace(/::[a-z ]+(\(\d+\))?$/i, '');
  if (/^'.*'$/s.test(v)) v = v.slice(1, -1).replace(/''/g, "'");
  if (type === 'Boolean' && (v === '0' || v === '1')) return v === '1' ? 'true' : 'false';
  return v.toLowerCase() === 'true' || v.toLowerCase() === 'false' ? v.toLowerCase() : v;
}

export function describeSqlite(file: string): SchemaShape {
  const conn = new Database(file, { readonly: true });
  try {
    const shape: SchemaShape = {};
    const tables = conn.prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'table' ORDER BY name`).all() as { name: string; sql: string }[];
    for (const { name: table, sql } of tables) {
      if (OWN_TABLES.has(table)) continue;
      const info = conn.prepare(`PRAGMA table_info("${table}")`).all() as { name: string; type: string; notnull: number; dflt_value: string | null; pk: number }[];
      const columns: Record<string, ColumnShape> = {};
      for (const c of info) {
        const type = SQLITE_TYPES[c.type.toUpperCase()] ?? `sqlite ${c.type}`;
        const autoincrement = c.pk > 0 && /\bAUTOINCREMENT\b/i.test(sql) && c.type.toUpperCase() === 'INTEGER';
        // An INTEGER PRIMARY KEY is never null even when the table does not say NOT NULL.
        columns[c.name] = { type, nullable: c.notnull === 0 && c.pk === 0, default: autoincrement ? 'autoincrement()' : normalizeDefault(c.dflt_value, type) };
      }
      const primaryKey = info
        .filter((c) => c.pk > 0)
        .sort((a, b) => a.pk - b.pk)
        .map((c) => c.name);
      const indexes: IndexShape[] = [];
      for (const ix of conn.prepare(`PRAGMA index_list("${table}")`).all() as { name: string; unique: number; origin: string; partial: number }[]) {
        if (ix.origin === 'pk') continue;
        const cols = (conn.prepare(`PRAGMA index_info("${ix.name}")`).all() as { seqno: number; name: string }[]).sort((a, b) => a.seqno - b.seqno).map((c) => c.name);
        indexes.push({ name: ix.origin === 'u' ? null : ix.name, columns: cols, unique: ix.unique === 1, partial: ix.partial === 1 });
      }
      shape[table] = { columns, primaryKey, indexes: sortIndexes(indexes) };
    }
    return shape;
  } finally {
    conn.close();
  }
}

export async function describePostgres(url: string): Promise<SchemaShape> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const shape: SchemaShape = {};
    const { rows: cols } = await client.query<{
      table_name: string;
      column_name: string;
      data_type: string;
      datetime_precision: number | null;
      is_nullable: string;
      column_default: string | null;
    }>(
      `SELECT table_name, column_name, data_type, datetime_precision, is_nullable, column_default
         FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, ordinal_position`,
    );
    for (const c of cols) {
      if (OWN_TABLES.has(c.table_name)) continue;
      const table = (shape[c.table_name] ??= { columns: {}, primaryKey: [], indexes: [] });
      const raw = c.data_type.startsWith('timestamp') ? `${c.data_type}(${c.datetime_precision})` : c.data_type;
      const type = POSTGRES_TYPES[raw] ?? `postgres ${raw}`;
      table.columns[c.column_name] = { type, nullable: c.is_nullable === 'YES', default: normalizeDefault(c.column_default, type) };
    }
    const { rows: ixs } = await client.query<{ table_name: string; index_name: string; is_unique: boolean; is_primary: boolean; partial: boolean; columns: string[] }>(
      `SELECT t.relname AS table_name, i.relname AS index_name, x.indisunique AS is_unique, x.indisprimary AS is_primary,
              x.indpred IS NOT NULL AS partial,
              array(SELECT a.attname FROM unnest(x.indkey) WITH ORDINALITY k(attnum, n)
                      JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum ORDER BY k.n)::text[] AS columns
         FROM pg_index x JOIN pg_class t ON t.oid = x.indrelid JOIN pg_class i ON i.oid = x.indexrelid
         JOIN pg_namespace ns ON ns.oid = t.relnamespace
        WHERE ns.nspname = 'public' ORDER BY t.relname, i.relname`,
    );
    for (const ix of ixs) {
      const table = shape[ix.table_name];
      if (!table) continue;
      if (ix.is_primary) table.primaryKey = ix.columns;
      // A UNIQUE constraint written inline gets a generated name in each database: compared by columns.
      else table.indexes.push({ name: ix.index_name, columns: ix.columns, unique: ix.is_unique, partial: ix.partial });
    }
    for (const t of Object.values(shape)) t.indexes = sortIndexes(t.indexes);
    return shape;
  } finally {
    await client.end();
  }
}

/** The shape Prisma expects from its data model: scalar fields, @id/@@id, @unique/@@unique, @@index (no names). */
export function describeDmmf(dmmf: Dmmf): SchemaShape {
  const shape: SchemaShape = {};
  for (const model of dmmf.datamodel.models) {
    const columns: Record<string, ColumnShape> = {};
    for (const f of model.fields) {
      if (f.kind === 'object') continue;
      columns[f.name] = { type: f.type, nullable: !f.isRequired, default: prismaDefault(f.default) };
    }
    const indexes: IndexShape[] = [];
    let primaryKey: string[] = [];
    for (const ix of dmmf.datamodel.indexes.filter((i) => i.model === model.name)) {
      const cols = ix.fields.map((f) => f.name);
      if (ix.type === 'id') primaryKey = cols;
      else indexes.push({ name: null, columns: cols, unique: ix.type === 'unique', partial: false });
    }
    shape[model.dbName ?? model.name] = { columns, primaryKey, indexes: sortIndexes(indexes) };
  }
  return shape;
}

function prismaDefault(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'object' && 'name' in value) return `${(value as { name: string }).name}()`;
  return String(value);
}

/**
 * The shape without its partial indexes (Prisma's data model cannot declare a WHERE clause), and their
 * names: a database is compared with the model through this, and the names are checked on their own.
 */
export function withoutPartialIndexes(shape: SchemaShape): { shape: SchemaShape; partial: string[] } {
  const partial: string[] = [];
  const out: SchemaShape = {};
  for (const [name, table] of Object.entries(shape)) {
    partial.push(...table.indexes.filter((ix) => ix.partial).map((ix) => ix.name ?? `${name}(${ix.columns})`));
    out[name] = { ...table, indexes: table.indexes.filter((ix) => !ix.partial) };
  }
  return { shape: out, partial: partial.sort() };
}

function sortIndexes(list: IndexShape[]): IndexShape[] {
  return [...list].sort((a, b) => indexKey(a).localeCompare(indexKey(b)));
}

function indexKey(ix: IndexShape): string {
  return `${ix.partial ? 'partial ' : ''}${ix.unique ? 'unique' : 'index'}(${ix.columns.join(', ')})`;
}

/**
 * Every difference between two shapes, one readable line each (empty when they agree). Index names are
 * compared only when both sides have one (Prisma's model does not name its indexes).
 */
export function compareShapes(left: SchemaShape, right: SchemaShape, names: [string, string]): string[] {
  const [l, r] = names;
  const out: string[] = [];
  for (const table of [...new Set([...Object.keys(left), ...Object.keys(right)])].sort()) {
    const a = left[table];
    const b = right[table];
    if (!a || !b) {
      out.push(`table ${table}: only in ${a ? l : r}`);
      continue;
    }
    for (const col of [...new Set([...Object.keys(a.columns), ...Object.keys(b.columns)])]) {
      const x = a.columns[col];
      const y = b.columns[col];
      if (!x || !y) {
        out.push(`${table}.${col}: only in ${x ? l : r}`);
        continue;
      }
      for (const k of ['type', 'nullable', 'default'] as const) {
        if (x[k] !== y[k]) out.push(`${table}.${col}: ${k} ${JSON.stringify(x[k])} in ${l}, ${JSON.stringify(y[k])} in ${r}`);
      }
    }
    if (a.primaryKey.join() !== b.primaryKey.join()) out.push(`${table}: primary key (${a.primaryKey}) in ${l}, (${b.primaryKey}) in ${r}`);
    const ka = a.indexes.map(indexKey);
    const kb = b.indexes.map(indexKey);
    for (const k of ka.filter((k) => !kb.includes(k))) out.push(`${table}: ${k} only in ${l}`);
    for (const k of kb.filter((k) => !ka.includes(k))) out.push(`${table}: ${k} only in ${r}`);
    for (const ix of a.indexes) {
      const other = b.indexes.find((o) => indexKey(o) === indexKey(ix));
      if (other && ix.name && other.name && ix.name !== other.name) out.push(`${table}: ${indexKey(ix)} is named ${ix.name} in ${l}, ${other.name} in ${r}`);
    }
  }
  return out;
}
