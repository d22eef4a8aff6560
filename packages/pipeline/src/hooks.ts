/**
 * How one run talks to whoever runs it (the runner's worker process, a tool script, a browser):
 * metrics, progress, artifacts and cancellation all leave through `RunHooks`, so the pipeline itself
 * needs no Node API, store or process.
 */
import type { ArtifactPayload } from './artifacts';

export interface MetricRecord {
  key: string;
  step: number;
  value: number;
}

export type RunPhase = 'setup' | 'train' | 'eval' | 'sample' | 'metrics';

export interface RunProgress {
  phase: RunPhase;
  /** Training step (train, eval) or sampler step (sample). */
  step: number;
  /** 0 when not known in advance (the adaptive rk45 ODE sampler). */
  totalSteps: number;
  loss?: number;
}

export interface RunHooks {
  log(points: MetricRecord[]): void;
  progress(p: RunProgress): void;
  artifact(name: string, kind: string, content: ArtifactPayload): void;
  /** Checked between steps; true stops the run with a RunStopped error. */
  shouldStop(): boolean;
  /**
   * Let the host handle its events during long training (signals, IPC, a page's UI); awaited every
   * train.logEvery steps. Default: a zero-delay timer.
   */
  yield?(): Promise<void>;
  /**
   * A training checkpoint (checkpoint.ts encoding) after `step` steps: every train.checkpointEvery steps and,
   * with final = true, after the last step (the trained model). Awaited before training goes on. Without
   * this hook no checkpoint is made.
   */
  checkpoint?(step: number, bytes: Uint8Array, final: boolean): void | Promise<void>;
}

/** A run that diverged or could not go on; `step` is the training step it happened at. */
export class RunFailure extends Error {
  constructor(
    message: string,
    readonly step: number | null,
  ) {
    super(message);
    this.name = 'RunFailure';
  }
}

/** The run was asked to stop (Ctrl-C, SIGTERM, or marked killed by someone else). */
export class RunStopped extends Error {
  constructor(readonly step: number | null) {
    super('stopped');
    this.name = 'RunStopped';
  }
}

export interface RunOutcome {
  trainSteps: number;
  parameterCount: number;
  /** What computed the network: 'fused' or 'tfjs' (resolveEngine); null for the analytic model. */
  engine: 'fused' | 'tfjs' | null;
}
