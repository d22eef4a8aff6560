import type Database from 'better-sqlite3';
import { SchemaVersionError } from './errors';

export interface Migration {
  /** 1, 2, 3, ... in order; the db's version is the last one applied. */
  version: number;
  description: string;
  up(db: Database.Database): void;
}

const STATUS_CHECK = `('queued','running','finished','failed','killed')`;

/**
 * The schema history. Append only: never edit a released migration, add a new one.
 * Timestamps are integer milliseconds since the Unix epoch; JSON columns hold text.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'sweeps, runs, metrics, latest_metrics, artifacts',
    up(db) {
      db.exec(`
        CREATE TABLE sweeps (
          id          INTEGER PRIMARY KEY,
          name        TEXT NOT NULL UNIQUE,
          description TEXT,
          config      TEXT NOT NULL CHECK (json_valid(config)),
          file_path   TEXT,
          status      TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ${STATUS_CHECK}),
          created_at  INTEGER NOT NULL
        );
        CREATE TABLE runs (
          id           INTEGER PRIMARY KEY,
          sweep_id     INTEGER NOT NULL REFERENCES sweeps(id) ON DELETE CASCADE,
          idx          INTEGER NOT NULL,
          status       TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ${STATUS_CHECK}),
          params       TEXT NOT NULL CHECK (json_valid(params)),
          config       TEXT NOT NULL CHECK (json_valid(config)),
          config_hash  TEXT NOT NULL,
          seed         INTEGER NOT NULL,
          backend      TEXT,
          versions     TEXT CHECK (versions IS NULL OR json_valid(versions)),
          git_commit   TEXT,
          host         TEXT,
          pid          INTEGER,
          created_at   INTEGER NOT NULL,
          started_at   INTEGER,
          ended_at     INTEGER,
          heartbeat_at INTEGER,
          error        TEXT,
          error_step   INTEGER,
          current_step INTEGER,
          total_steps  INTEGER,
          UNIQUE (sweep_id, idx)
        );
        CREATE INDEX runs_status_heartbeat ON runs (status, heartbeat_at);

        -- One row per (run, key, step); the primary key is the (run_id, key, step) index and, the
        -- table being WITHOUT ROWID, also the storage order, so a series is one contiguous range.
        -- value is NULL exactly when the value is not finite; nonfinite then says which one
        -- (SQLite turns NaN into NULL, so a REAL column alone cannot hold it).
        CREATE TABLE metrics (
          run_id    INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
          key       TEXT NOT NULL,
          step      INTEGER NOT NULL,
          value     REAL,
          nonfinite TEXT CHECK (nonfinite IN ('nan','inf','-inf')),
          wall_time INTEGER NOT NULL,
          PRIMARY KEY (run_id, key, step),
          CHECK ((value IS NULL) = (nonfinite IS NOT NULL))
        ) WITHOUT ROWID;

        -- The point with the largest step per (run, key), maintained by every metrics insert.
        CREATE TABLE latest_metrics (
          run_id    INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
          key       TEXT NOT NULL,
          step      INTEGER NOT NULL,
          value     REAL,
          nonfinite TEXT CHECK (nonfinite IN ('nan','inf','-inf')),
          wall_time INTEGER NOT NULL,
          PRIMARY KEY (run_id, key)
        ) WITHOUT ROWID;

        CREATE TABLE artifacts (
          run_id     INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
          name       TEXT NOT NULL,
          kind       TEXT NOT NULL,
          format     TEXT NOT NULL CHECK (format IN ('json','float32','float64','bytes')),
          shape      TEXT,
          json       TEXT CHECK (json IS NULL OR json_valid(json)),
          blob       BLOB,
          bytes      INTEGER NOT NULL,
          created_at INTEGER NOT NULL,
          PRIMARY KEY (run_id, name)
        );
      `);
    },
  },
  {
    version: 2,
    description: 'run attempts and run_events (status history kept across retries)',
    up(db) {
      db.exec(`
        ALTER TABLE runs ADD COLUMN attempt INTEGER NOT NULL DEFAULT 0;
        UPDATE runs SET attempt = 1 WHERE started_at IS NOT NULL;
        CREATE TABLE run_events (
          id          INTEGER PRIMARY KEY,
          run_id      INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
          at          INTEGER NOT NULL,
          from_status TEXT CHECK (from_status IN ${STATUS_CHECK}),
          to_status   TEXT NOT NULL CHECK (to_status IN ${STATUS_CHECK}),
          message     TEXT
        );
        CREATE INDEX run_events_run ON run_events (run_id, id);
      `);
    },
  },
  {
    version: 3,
    description: 'the process running a sweep (sweeps.host, pid, started_at, heartbeat_at)',
    up(db) {
      // Who set the sweep running, so a reader can tell a live sweep from one whose process died.
      db.exec(`
        ALTER TABLE sweeps ADD COLUMN host TEXT;
        ALTER TABLE sweeps ADD COLUMN pid INTEGER;
        ALTER TABLE sweeps ADD COLUMN started_at INTEGER;
        ALTER TABLE sweeps ADD COLUMN heartbeat_at INTEGER;
      `);
    },
  },
  {
    version: 4,
    description: 'models as artifacts: runs.training_hash, runs.model_id and the models table',
    up(db) {
      // One row per trained model; the runs that share its training hash sample it (runs.model_id).
      db.exec(`
        ALTER TABLE runs ADD COLUMN training_hash TEXT;
        CREATE TABLE models (
          id            INTEGER PRIMARY KEY,
          training_hash TEXT NOT NULL,
          source_run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
          checkpoint    TEXT NOT NULL,
          step          INTEGER NOT NULL,
          created_at    INTEGER NOT NULL,
          UNIQUE (source_run_id)
        );
        CREATE INDEX models_training_hash ON models (training_hash, id);
        ALTER TABLE runs ADD COLUMN model_id INTEGER REFERENCES models(id) ON DELETE SET NULL;
        CREATE INDEX runs_training_hash ON runs (training_hash);
      `);
    },
  },
  {
    version: 5,
    description: 'runs.engine: what computed the network (fused or tfjs), recorded like the backend',
    up(db) {
      db.exec(`ALTER TABLE runs ADD COLUMN engine TEXT;`);
    },
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;

function hasTable(db: Database.Database, name: string): boolean {
  return db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`).get(name) !== undefined;
}

/** The db's schema version: 0 for an empty db. Throws for a db that is not a scorelab store. */
export function schemaVersion(db: Database.Database): number {
  if (!hasTable(db, 'schema_version')) {
    const other = db.prepare(`SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'`).get() as { n: number };
    if (other.n > 0) {
      throw new SchemaVersionError(`${db.name} is not a scorelab store (it has tables but no schema_version table)`);
    }
    return 0;
  }
  const row = db.prepare(`SELECT max(version) AS v FROM schema_version`).get() as { v: number | null };
  return row.v ?? 0;
}

function checkOrder(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration list out of order: position ${i} has version ${m.version}`);
  });
}

export interface MigrateOptions {
  /** Defaults to MIGRATIONS (the argument exists for tests). */
  migrations?: readonly Migration[];
  /** Stop at this version (tests build old dbs with it); defaults to the last migration. */
  target?: number;
  /** A read-only connection cannot migrate: it errors unless the db is already at the target. */
  readonly?: boolean;
  /** Named in error messages. */
  label?: string;
}

/**
 * Brings the db to `target`, each migration in its own IMMEDIATE transaction together with its
 * schema_version row, so concurrent openers serialise and a crash leaves a consistent version.
 * Idempotent. Returns the versions applied.
 */
export function migrate(db: Database.Database, options: MigrateOptions = {}): number[] {
  const migrations = options.migrations ?? MIGRATIONS;
  checkOrder(migrations);
  const latest = migrations.length;
  const target = options.target ?? latest;
  const label = options.label ?? db.name;
  const current = schemaVersion(db);
  if (current > latest) {
    throw new SchemaVersionError(
      `${label} has schema version ${current}, newer than this scorelab build knows (${latest}); upgrade scorelab`,
    );
  }
  if (current >= target) return [];
  if (options.readonly) {
    throw new SchemaVersionError(
      `${label} has schema version ${current} and needs migrating to ${target}, which a read-only open cannot do; ` +
        `open it read-write once (any scorelab sweep/run command does)`,
    );
  }
  const applied: number[] = [];
  for (const m of migrations.slice(current, target)) {
    db.transaction(() => {
      db.exec(`CREATE TABLE IF NOT EXISTS schema_version (
        version     INTEGER PRIMARY KEY,
        description TEXT NOT NULL,
        applied_at  INTEGER NOT NULL
      )`);
      // Another process may have applied it while we waited for the write lock.
      if (schemaVersion(db) >= m.version) return;
      m.up(db);
      db.prepare(`INSERT INTO schema_version (version, description, applied_at) VALUES (?, ?, ?)`).run(
        m.version,
        m.description,
        Date.now(),
      );
      applied.push(m.version);
    }).immediate();
  }
  return applied;
}
