// The run queue of a PostgreSQL store (pg-boss) and the ownership check of queue workers.
export { QUEUE_SCHEMA, RETRY_BACKSTOP, RunQueue, queueSweepId, sweepQueueName } from './run-queue';
export type { RunJob, RunLease, RunQueueOptions, SqlRunner } from './run-queue';
export { holds, lockRun } from './run-lock';
export type { RunHolder, RunOwner } from './run-lock';
