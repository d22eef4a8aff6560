// `@scorelab/tracking/testing`: helpers for tests in any package (never imported by production code).
export { createTestDatabase, startTestPostgres } from './testing/postgres-server';
export type { TestPostgres } from './testing/postgres-server';
