import * as tf from '@tensorflow/tfjs';
import { JsAdam } from './adam';
import type { ResumableTrainer, TrainerState } from './trainer-state';

export type OptimizerKind = 'adam' | 'sgd';

export interface TrainerOptions {
  /** The weights to train. */
  params: tf.Variable[];
  /** The loss of one step; called inside the gradient tape, so it may draw a fresh batch. */
  objective: () => tf.Scalar;
  optimizer: OptimizerKind;
  lr: number;
  /** Clip the global L2 norm of the gradient to at most this before the update (train.clipGradNorm); undefined: no clipping. */
  clipGradNorm?: number;
}

export interface StepReport {
  loss: number;
  /** Global L2 norm of the weight gradient, before the update (and before clipping). */
  gradNorm: number;
}

/**
 * One optimizer over a fixed list of weights. `step(read)` runs one update; with read = true
 * it also copies the loss and gradient norm to the CPU (a sync point, so callers read only
 * every k steps: DESIGN.md section 7).
 */
export class Trainer implements ResumableTrainer {
  private readonly optimizer: tf.Optimizer | null;
  private readonly jsAdam: JsAdam | null;
  private readonly params: tf.Variable[];
  private readonly objective: () => tf.Scalar;
  private readonly clipGradNorm: number | undefined;
  stepsDone = 0;

  constructor(options: TrainerOptions) {
    if (!(options.lr > 0)) throw new Error(`lr must be > 0, got ${options.lr}`);
    if (options.params.length === 0) throw new Error('nothing to train: params is empty');
    this.params = options.params;
    this.objective = options.objective;
    if (options.clipGradNorm !== undefined && !(options.clipGradNorm > 0)) throw new Error(`clipGradNorm must be > 0, got ${options.clipGradNorm}`);
    this.clipGradNorm = options.clipGradNorm;
    // Adam runs in JavaScript (JsAdam): same update as PyTorch, a fraction of the kernels.
    this.jsAdam = options.optimizer === 'adam' ? new JsAdam(options.params, options.lr) : null;
    this.optimizer = options.optimizer === 'adam' ? null : createOptimizer(options.optimizer, options.lr);
  }

  step(read: boolean): StepReport | null {
    let report: StepReport | null = null;
    tf.tidy(() => {
      const { value, grads } = tf.variableGrads(this.objective, this.params);
      // A weight the loss does not depend on gets no gradient (null): it stays unchanged.
      let ordered: (tf.Tensor | null)[] = this.params.map((p) => grads[p.name] ?? null);
      let clippedFrom: number | null = null;
      if (this.clipGradNorm !== undefined) {
        // g <- g min(1, c / |g|): one sync for the norm, only on runs that ask for clipping.
        const present = ordered.filter((g): g is tf.Tensor => g !== null);
        const norm = present.length ? Math.sqrt(tf.addN(present.map((g) => tf.sum(tf.square(g)))).dataSync()[0]) : 0;
        clippedFrom = norm;
        if (norm > this.clipGradNorm) {
          const factor = this.clipGradNorm / norm;
          ordered = ordered.map((g) => (g ? tf.mul(g, factor) : null));
        }
      }
      if (this.jsAdam) {
        const sq = this.jsAdam.apply(ordered);
        if (read) report = { loss: value.dataSync()[0], gradNorm: clippedFrom ?? Math.sqrt(sq) };
        return;
      }
      const present: tf.NamedTensorMap = {};
      this.params.forEach((p, k) => {
        if (ordered[k]) present[p.name] = ordered[k]!;
      });
      if (read) {
        const sq = tf.addN(Object.values(present).map((g) => tf.sum(tf.square(g))));
        const both = tf.stack([value, tf.sqrt(sq)]).dataSync();
        report = { loss: both[0], gradNorm: clippedFrom ?? both[1] };
      }
      this.optimizer!.applyGradients(present);
    });
    this.stepsDone++;
    return report;
  }

  /** Weights (read from the variables), Adam's moments and t, and the steps done; sgd has no state of its own. */
  state(): TrainerState {
    return { steps: this.stepsDone, weights: this.params.map((p) => Float32Array.from(p.dataSync())), adam: this.jsAdam?.state() ?? null };
  }

  restore(state: TrainerState): void {
    if (state.weights.length !== this.params.length || state.weights.some((w, k) => w.length !== this.params[k].size)) {
      throw new Error(`Trainer.restore: the checkpoint's weights [${state.weights.map((w) => w.length)}] do not match the network's [${this.params.map((p) => p.size)}]`);
    }
    if (this.jsAdam && !state.adam) throw new Error('Trainer.restore: the checkpoint has no Adam state (it was saved without optimiser state)');
    if (!this.jsAdam && state.adam) throw new Error('Trainer.restore: the checkpoint has Adam state but this trainer uses sgd');
    tf.tidy(() => this.params.forEach((p, k) => p.assign(tf.tensor(state.weights[k], p.shape, 'float32'))));
    if (this.jsAdam && state.adam) this.jsAdam.restore(state.adam);
    this.stepsDone = state.steps;
  }

  dispose(): void {
    this.optimizer?.dispose();
  }
}

function createOptimizer(kind: OptimizerKind, lr: number): tf.Optimizer {
  switch (kind) {
    case 'adam':
      return tf.train.adam(lr, 0.9, 0.999, 1e-8);
    case 'sgd':
      return tf.train.sgd(lr);
  }
}
