/**
 * Progress of a sweep in the parent process, in one of four modes:
 * - tty: a few lines redrawn in place (at most 4 times a second) on stderr;
 * - lines: a status line every ~10 s and one line per ended run (logs, CI, pipes);
 * - quiet: nothing until the final summary;
 * - json: JSON-lines events on stdout ({event: 'sweep-start' | 'run-start' | 'progress' | 'run-end' | 'sweep-end', ...}).
 */
import type { RunPhase } from '@scorelab/pipeline';
import type { EndStatus } from './ipc';
import { clip, formatDuration, formatMetric, formatNumber, formatParams, metricTitle } from './format';

export type ProgressMode = 'tty' | 'lines' | 'quiet' | 'json';

export interface ActiveRun {
  runId: number;
  idx: number;
  params: Record<string, unknown>;
  seed: number;
  attempt: number;
  startedAt: number;
  phase: RunPhase;
  step: number;
  totalSteps: number;
  /** Training steps of the run; the training share of progress is step / trainSteps. */
  trainSteps: number;
  loss?: number;
}

export interface WorkerView {
  index: number;
  pid: number | undefined;
  backend?: string;
  run?: ActiveRun;
  exited: boolean;
}

export interface SweepView {
  sweepName: string;
  /** Runs this invocation executes (queued at the start). */
  total: number;
  ended: Record<EndStatus, number>;
  /** Durations (ms) of the runs that finished in this invocation. */
  durations: number[];
  startedAt: number;
  workers: WorkerView[];
}

export interface EtaInput {
  now: number;
  queued: number;
  durations: readonly number[];
  active: readonly ActiveRun[];
  workers: number;
}

/** The training share of an active run done, in [0, 1]; 1 once training is over. */
function trainFraction(r: ActiveRun): number {
  if (r.phase === 'sample' || r.phase === 'metrics') return 1;
  if (r.phase === 'setup' || r.trainSteps <= 0) return 0;
  return Math.min(1, r.step / r.trainSteps);
}

/**
 * Remaining time: the mean duration of finished runs (before any finished: the active runs'
 * training rate extrapolated to a whole run) times the work left, spread over the workers, but
 * never less than the longest remaining active run. Null while nothing is known.
 */
export function estimateEtaMs(s: EtaInput): number | null {
  let perRun: number | null = null;
  if (s.durations.length > 0) perRun = s.durations.reduce((a, b) => a + b, 0) / s.durations.length;
  else {
    const guesses = s.active.filter((r) => trainFraction(r) >= 0.05).map((r) => (s.now - r.startedAt) / trainFraction(r));
    if (guesses.length > 0) perRun = guesses.reduce((a, b) => a + b, 0) / guesses.length;
  }
  if (perRun === null) return s.active.length + s.queued === 0 ? 0 : null;
  const known = s.durations.length > 0;
  const remaining = s.active.map((r) => {
    const elapsed = s.now - r.startedAt;
    const f = trainFraction(r);
    // Before any run finished, the run's own training rate is all we know (sampling not included).
    const whole = known || f < 0.05 ? perRun! : elapsed / f;
    return Math.max(0, whole - elapsed);
  });
  const work = remaining.reduce((a, b) => a + b, 0) + s.queued * perRun;
  return Math.max(work / Math.max(1, s.workers), ...remaining, 0);
}

export interface RunEndInfo {
  runId: number;
  idx: number;
  params: Record<string, unknown>;
  seed: number;
  status: EndStatus;
  error: string | null;
  errorStep: number | null;
  durationMs: number;
  metrics: Record<string, number>;
}

const REDRAW_MS = 250;
const LINE_EVERY_MS = 10_000;

export class ProgressDisplay {
  private timer: ReturnType<typeof setInterval> | undefined;
  private drawnLines = 0;
  private dirty = false;
  private lastLineAt = 0;
  private live = false;

  constructor(
    readonly mode: ProgressMode,
    private readonly view: SweepView,
    private readonly out: NodeJS.WriteStream = process.stdout,
    private readonly err: NodeJS.WriteStream = process.stderr,
  ) {}

  start(info: { sweepId: number; dbPath: string; workers: number; skipped: number }): void {
    this.lastLineAt = Date.now();
    if (this.mode === 'json') {
      this.event({ event: 'sweep-start', sweep: this.view.sweepName, sweepId: info.sweepId, db: info.dbPath, runs: this.view.total, skipped: info.skipped, workers: info.workers });
      return;
    }
    if (this.mode === 'quiet') return;
    const skipped = info.skipped > 0 ? ` (${info.skipped} already finished, skipped)` : '';
    this.err.write(`sweep ${this.view.sweepName}: ${this.view.total} run${this.view.total === 1 ? '' : 's'} to do${skipped}, ${info.workers} worker${info.workers === 1 ? '' : 's'}, store ${info.dbPath}\n`);
    if (this.mode === 'tty') {
      this.live = true;
      this.timer = setInterval(() => this.redraw(), REDRAW_MS);
      this.timer.unref();
    } else if (this.mode === 'lines') {
      this.timer = setInterval(() => this.statusLine(), LINE_EVERY_MS);
      this.timer.unref();
    }
  }

  /** A message for people (not in quiet or json mode). */
  notice(text: string): void {
    if (this.mode === 'quiet' || this.mode === 'json') return;
    this.permanent(text);
  }

  /** A warning: shown in every mode (on stderr). */
  warn(text: string): void {
    if (this.mode === 'tty') this.permanent(text);
    else this.err.write(`${text}\n`);
  }

  runStart(worker: WorkerView): void {
    const r = worker.run!;
    if (this.mode === 'json') this.event({ event: 'run-start', runId: r.runId, idx: r.idx, worker: worker.index, params: r.params, seed: r.seed, attempt: r.attempt });
    this.dirty = true;
  }

  progress(worker: WorkerView): void {
    const r = worker.run!;
    if (this.mode === 'json') {
      const e: Record<string, unknown> = { event: 'progress', runId: r.runId, worker: worker.index, phase: r.phase, step: r.step, totalSteps: r.totalSteps };
      if (r.loss !== undefined) e.loss = r.loss;
      e.etaMs = this.eta();
      this.event(e);
    }
    this.dirty = true;
  }

  runEnd(end: RunEndInfo, keys: readonly string[]): void {
    if (this.mode === 'json') {
      this.event({ event: 'run-end', runId: end.runId, idx: end.idx, params: end.params, seed: end.seed, status: end.status, error: end.error, errorStep: end.errorStep, durationMs: end.durationMs, metrics: jsonMetrics(end.metrics) });
      return;
    }
    if (this.mode === 'quiet') return;
    const done = this.doneCount();
    let text = `[${done}/${this.view.total}] run ${end.runId} ${end.status} in ${formatDuration(end.durationMs)}  ${formatParams(end.params)} seed=${end.seed}`;
    if (end.status === 'finished') {
      const shown = keys.filter((k) => k in end.metrics).map((k) => `${metricTitle(k)}=${formatMetric(end.metrics, k)}`);
      if (shown.length > 0) text += `  ${shown.join(' ')}`;
    } else if (end.error) {
      text += `  ${end.errorStep !== null ? `at step ${end.errorStep}: ` : ''}${end.error}`;
    }
    this.permanent(text);
  }

  /** Stops redrawing and erases the live block (before the summary). */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.mode === 'tty') this.erase();
    this.live = false;
  }

  event(e: Record<string, unknown>): void {
    this.out.write(`${JSON.stringify({ ...e, time: new Date().toISOString() })}\n`);
  }

  private doneCount(): number {
    const e = this.view.ended;
    return e.finished + e.failed + e.killed;
  }

  eta(): number | null {
    const active = this.view.workers.filter((w) => w.run && !w.exited).map((w) => w.run!);
    const queued = Math.max(0, this.view.total - this.doneCount() - active.length);
    return estimateEtaMs({ now: Date.now(), queued, durations: this.view.durations, active, workers: this.view.workers.filter((w) => !w.exited).length });
  }

  /** `runs 2/6 done (1 failed) · 0m42s elapsed · ETA ~1m10s` */
  headline(): string {
    const e = this.view.ended;
    const bad = [e.failed > 0 ? `${e.failed} failed` : '', e.killed > 0 ? `${e.killed} killed` : ''].filter(Boolean).join(', ');
    const eta = this.eta();
    return `${this.view.sweepName}: runs ${this.doneCount()}/${this.view.total} done${bad ? ` (${bad})` : ''} · ${formatDuration(Date.now() - this.view.startedAt)} elapsed · ETA ${eta === null ? '?' : `~${formatDuration(eta)}`}`;
  }

  workerLine(w: WorkerView): string {
    if (w.exited) return `  w${w.index}  done`;
    const r = w.run;
    if (!r) return `  w${w.index}  ${w.backend ? 'waiting for a run' : 'starting (loading the tensor backend)'}`;
    // totalSteps 0: not known in advance (the adaptive rk45 ODE sampler, evaluation of an analytic model).
    const stage = r.phase === 'setup' || r.phase === 'metrics' ? r.phase : r.totalSteps > 0 ? `${r.phase} ${r.step}/${r.totalSteps}` : r.step > 0 ? `${r.phase} ${r.step}` : r.phase;
    const loss = r.loss !== undefined ? `  loss ${formatNumber(r.loss)}` : '';
    return `  w${w.index}  run ${r.runId}  ${formatParams(r.params)} seed=${r.seed}  ${stage}${loss}  ${formatDuration(Date.now() - r.startedAt)}`;
  }

  private statusLine(): void {
    this.lastLineAt = Date.now();
    const active = this.view.workers.filter((w) => w.run && !w.exited).map((w) => this.workerLine(w).trim());
    this.err.write(`${this.headline()}${active.length ? ` | ${active.join(' | ')}` : ''}\n`);
  }

  /** A line that stays (above the live block in tty mode). */
  private permanent(text: string): void {
    if (this.mode === 'tty' && this.live) {
      this.erase();
      this.err.write(`${text}\n`);
      this.dirty = true;
      this.redraw();
    } else {
      this.err.write(`${text}\n`);
    }
  }

  private erase(): void {
    if (this.drawnLines > 0) this.err.write(`\x1b[${this.drawnLines}F\x1b[0J`);
    this.drawnLines = 0;
  }

  private redraw(): void {
    // Elapsed time and ETA change every second even without messages; redraw at least that often.
    if (!this.dirty && Date.now() - this.lastLineAt < 1000) return;
    this.dirty = false;
    this.lastLineAt = Date.now();
    const width = Math.max(20, (this.err.columns || 100) - 1);
    const lines = [this.headline(), ...this.view.workers.filter((w) => !w.exited).map((w) => this.workerLine(w))].map((l) => clip(l, width));
    this.erase();
    this.err.write(`${lines.join('\n')}\n`);
    this.drawnLines = lines.length;
  }
}

/** JSON has no NaN or infinities: they are written as the strings 'NaN', 'Infinity', '-Infinity'. */
export function jsonMetrics(metrics: Record<string, number>): Record<string, number | string> {
  const out: Record<string, number | string> = {};
  for (const [k, v] of Object.entries(metrics)) out[k] = Number.isFinite(v) ? v : String(v);
  return out;
}
