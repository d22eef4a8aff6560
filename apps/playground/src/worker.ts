/**
 * The playground's Web Worker: runs one run at a time through executeRun, the pipeline the CLI runs,
 * on the tfjs wasm backend (its .wasm files served beside this script under wasm/) and, where
 * WebAssembly SIMD exists, the fused kernels. Metrics, progress and the run's artifacts go to the page
 * as they come; between logged steps (hooks.yield) it pauses when asked and sends live views of the model.
 */
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { Rng, selectBackend, type BackendName } from '@scorelab/core';
import type { Grid, ResolvedRunConfig } from '@scorelab/config';
import { RunFailure, RunStopped, executeRun, isDensityRunModel, type ArtifactPayload, type RunHooks, type RunModel } from '@scorelab/pipeline';
import { densityView, fieldView, liveSamples, viewBox, viewSeed } from './live-views';
import type { FromWorker, SamplesView, ToWorker, WorkerEvent } from './protocol';

/** Live views at most this often while training (ms), samples less often (they run the whole sampler). */
const VIEW_EVERY_MS = 400;
const SAMPLES_EVERY_MS = 3000;

function send(message: FromWorker): void {
  self.postMessage(message);
}

let backend: Promise<BackendName> | null = null;

function ready(): Promise<BackendName> {
  if (!backend) {
    const wanted = new URL(self.location.href).searchParams.get('backend') ?? 'wasm';
    setWasmPaths(new URL('wasm/', self.location.href).href);
    backend = selectBackend(wanted);
  }
  return backend;
}

class Session {
  paused = false;
  /** True while training is held in hooks.yield (what the page shows as paused). */
  holding = false;
  stop = false;
  level: number;
  model: RunModel | null = null;
  box: Omit<Grid, 'nx' | 'ny'> | null = null;
  readonly viewRng: Rng;
  private resume: (() => void) | null = null;
  private lastView = 0;
  private lastSamples = 0;
  /** How long the last live draw took: draws are spaced so they take at most a fifth of the time. */
  private sampleCost = 0;
  private step = 0;
  private finalSamples: Partial<SamplesView> = {};

  constructor(
    readonly runId: number,
    readonly config: ResolvedRunConfig,
    readonly seed: number,
    level: number,
    readonly checkpoint: Uint8Array | null = null,
  ) {
    this.level = level;
    this.viewRng = new Rng(viewSeed(seed));
  }

  send(event: WorkerEvent): void {
    send({ ...event, run: this.runId });
  }

  setPaused(paused: boolean): void {
    this.paused = paused;
    if (!paused) this.wake();
  }

  wake(): void {
    this.resume?.();
    this.resume = null;
  }

  /** The model's field (every level: the slider is the page's), an energy model's density and, now and then, samples. */
  sendViews(force: boolean, withSamples: boolean): void {
    const model = this.model;
    if (!model || !this.box) return;
    const now = performance.now();
    if (!force && now - this.lastView < VIEW_EVERY_MS) return;
    this.lastView = now;
    this.send({ type: 'field', field: fieldView(model, this.box, this.step) });
    const density = densityView(model, this.box, this.level, this.step);
    if (density) this.send({ type: 'density', density });
    if (this.config.sampler && (withSamples || now - this.lastSamples > Math.max(SAMPLES_EVERY_MS, 4 * this.sampleCost))) {
      const t0 = performance.now();
      this.send({ type: 'samples', samples: liveSamples(model, this.config.sampler, this.viewRng, this.step) });
      this.lastSamples = performance.now();
      this.sampleCost = this.lastSamples - t0;
    }
  }

  hooks(): RunHooks {
    return {
      log: (points) => this.send({ type: 'metrics', points }),
      progress: (progress) => {
        if (progress.phase === 'train' || progress.phase === 'eval') this.step = progress.step;
        this.send({ type: 'progress', progress, paused: this.holding });
      },
      artifact: (name, _kind, content) => this.artifact(name, content),
      shouldStop: () => this.stop,
      yield: async () => {
        const last = this.step === this.config.train?.steps;
        this.sendViews(last, last);
        while (this.paused && !this.stop) {
          this.holding = true;
          this.send({ type: 'progress', progress: { phase: 'train', step: this.step, totalSteps: this.config.train?.steps ?? 0 }, paused: true });
          this.sendViews(true, false);
          await new Promise<void>((resolve) => (this.resume = resolve));
        }
        this.holding = false;
        await new Promise<void>((resolve) => setTimeout(resolve, 0));
      },
    };
  }

  /** The run's own samples, fresh data and trajectory (sample stage): sent together once all three are in. */
  private artifact(name: string, content: ArtifactPayload): void {
    if (name === 'samples' && content.format === 'float32') {
      this.finalSamples.samples = content.data;
      // The trained weights are in by now (a loaded model has no training steps to show them at).
      this.sendViews(true, false);
    }
    else if (name === 'data-samples' && content.format === 'float32') this.finalSamples.data = content.data;
    else if (name === 'trajectory' && content.format === 'json') {
      const value = content.value as { labels: string[]; snapshots: (number | null)[][][] };
      this.finalSamples.trajectory = { labels: value.labels, snapshots: value.snapshots.map((s) => Float32Array.from(s.flat(), (v) => v ?? NaN)) };
    } else return;
    const { samples, data } = this.finalSamples;
    if (samples && data && (this.finalSamples.trajectory || name === 'trajectory' || this.config.sampler === undefined)) {
      this.send({ type: 'samples', samples: { step: this.step, final: true, samples, data, trajectory: this.finalSamples.trajectory ?? null } });
    }
  }

  async run(): Promise<void> {
    const t0 = performance.now();
    try {
      const outcome = await executeRun(this.config, this.seed, this.hooks(), {
        start: this.checkpoint ? { kind: 'trained', checkpoint: this.checkpoint } : null,
        observe: (model) => {
          if (!isDensityRunModel(model)) throw new Error('the playground runs 2-D toys with an exact density only');
          this.model = model;
          this.box = viewBox(model, this.viewRng);
          this.sendViews(true, false);
        },
      });
      this.send({ type: 'done', trainSteps: outcome.trainSteps, engine: outcome.engine, seconds: (performance.now() - t0) / 1000 });
    } catch (e) {
      if (e instanceof RunStopped) this.send({ type: 'stopped', step: e.step });
      else this.send({ type: 'error', message: e instanceof RunFailure || e instanceof Error ? e.message : String(e) });
    } finally {
      this.model = null;
    }
  }
}

let session: Session | null = null;

self.onmessage = async (event: MessageEvent<ToWorker>) => {
  const msg = event.data;
  switch (msg.type) {
    case 'start': {
      if (session) {
        session.stop = true;
        session.wake();
      }
      const name = await ready().catch((e: Error) => {
        send({ type: 'error', run: msg.run, message: `no tensor backend: ${e.message}` });
        return null;
      });
      if (!name) return;
      const s = new Session(msg.run, msg.config, msg.seed, msg.view.level, msg.checkpoint ?? null);
      session = s;
      s.send({ type: 'ready', backend: name, engine: null });
      await s.run();
      if (session === s) session = null;
      return;
    }
    case 'pause':
      session?.setPaused(true);
      return;
    case 'resume':
      session?.setPaused(false);
      return;
    case 'reset':
      if (session) {
        session.stop = true;
        session.wake();
      }
      return;
    case 'view':
      if (session) {
        session.level = msg.view.level;
        session.sendViews(true, false);
      }
      return;
    case 'sample':
      session?.sendViews(true, true);
      return;
  }
};
