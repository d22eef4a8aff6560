// Optuna's STORAGE_MODES idea (STYLE.md item 11): the contract tests run once per backend, each
// against the real thing — a SQLite file in a temp directory, a database on a throwaway PostgreSQL
// server (testing/postgres-server.ts). A test gets a fresh, empty store location from `fresh()`.
import { join } from 'node:path';
import { PostgresRunStore } from '../postgres/postgres-store';
import { openSqliteStore } from '../sqlite-store';
import { createTestDatabase, startTestPostgres, type TestPostgres } from '../testing/postgres-server';
import type { EpochMs, RunStore } from '../types';
import { tempDir } from './helpers';

export type StorageMode = 'sqlite' | 'postgres';

export interface StoreSupplier {
  readonly mode: StorageMode;
  /** Starts what the backend needs (beforeAll). */
  setup(): Promise<void>;
  /** Removes it again (afterAll), also after failed tests. */
  teardown(): Promise<void>;
  /** A location (file path or URL) where no store exists yet. */
  fresh(): Promise<string>;
  open(location: string, options?: { now?: () => EpochMs; readonly?: boolean }): Promise<RunStore>;
}

function sqliteSupplier(): StoreSupplier {
  let tmp: { dir: string; cleanup: () => void } | undefined;
  let counter = 0;
  return {
    mode: 'sqlite',
    async setup() {
      tmp = tempDir();
    },
    async teardown() {
      tmp?.cleanup();
    },
    async fresh() {
      return join(tmp!.dir, `db-${++counter}`, 'nested', 'runs.db');
    },
    open: (location, options) => openSqliteStore(location, options),
  };
}

function postgresSupplier(): StoreSupplier {
  let server: TestPostgres | undefined;
  return {
    mode: 'postgres',
    async setup() {
      server = await startTestPostgres();
    },
    async teardown() {
      await server?.stop();
    },
    fresh: () => createTestDatabase(server!.url),
    open: (location, options) => PostgresRunStore.open(location, { ...options, maxConnections: 4 }),
  };
}

/** One supplier per backend; call once per test file (each file has its own server). */
export function storeSuppliers(): StoreSupplier[] {
  return [sqliteSupplier(), postgresSupplier()];
}
