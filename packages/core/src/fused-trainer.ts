/**
 * Training on the fused engine: the same objective, batch and random draws as the tfjs path
 * (@scorelab/losses createLoss + Trainer), computed by the kernels in a few wasm calls per step.
 * Per step, in the losses' order of draws: the data batch (`sample`), then drawNoise (levels or times),
 * z ~ N(0, I) unless clean, then the projections of ssm / ssm-vr (as drawProjections). So a tfjs run
 * and a fused run of the same seed see the same numbers and differ only by float32 round-off.
 */
import type * as tf from '@tensorflow/tfjs';
import type { LossSpec } from '@scorelab/config';
import type { FusedBatch, FusedObjective, FusedOptimizer } from '@scorelab/kernels';
import type { Projection } from './autodiff';
import type { FusedNetwork } from './fused-network';
import { drawNoise, type NoiseFamily } from './noise-family';
import type { Rng } from './rng';
import type { OptimizerKind, StepReport } from './train';
import type { ResumableTrainer, TrainerState } from './trainer-state';

/** What a training loop needs of an optimiser over a network: core's Trainer and the fused trainer both are one. */
export interface StepTrainer {
  /** One update; with read = true also the loss and gradient norm of this step. */
  step(read: boolean): StepReport | null;
  dispose(): void;
}

export interface FusedTrainerOptions {
  fused: FusedNetwork;
  loss: LossSpec;
  family: NoiseFamily;
  /** A fresh clean data batch [N, D] per step (disposed here after reading). */
  sample: () => tf.Tensor2D;
  /** The loss's random stream (noise levels or times, z, projections). */
  rng: Rng;
  optimizer: OptimizerKind;
  lr: number;
}

/** PyTorch's Adam defaults, as JsAdam. */
const ADAM = { beta1: 0.9, beta2: 0.999, eps: 1e-8 } as const;

export class FusedTrainer implements StepTrainer, ResumableTrainer {
  stepsDone = 0;
  private readonly optimizer: FusedOptimizer;

  constructor(private readonly opts: FusedTrainerOptions) {
    if (!(opts.lr > 0)) throw new Error(`lr must be > 0, got ${opts.lr}`);
    checkLoss(opts.loss, opts.family);
    this.optimizer = opts.optimizer === 'adam' ? { kind: 'adam', lr: opts.lr, ...ADAM } : { kind: 'sgd', lr: opts.lr };
  }

  /** The batch of the next step, drawn exactly as the tfjs losses draw it. */
  nextBatch(): FusedBatch {
    const { sample, rng, family, loss, fused } = this.opts;
    const xt = sample();
    const x = xt.dataSync() as Float32Array;
    const [n, d] = xt.shape;
    xt.dispose();
    const draw = drawNoise(family, n, rng, loss.weighting);
    let perturbed = x;
    let target: Float32Array | null = null;
    if (draw) {
      const z = rng.normalArray(n * d);
      perturbed = new Float32Array(n * d);
      target = new Float32Array(n * d);
      // x~ = m x + s z and z / s in float32, operation by operation as perturbRows and the dsm loss.
      for (let r = 0; r < n; r++) {
        const m = draw.mean === null ? 1 : draw.mean[r];
        const s = draw.std[r];
        for (let j = 0; j < d; j++) {
          const i = r * d + j;
          const mx = draw.mean === null ? x[i] : Math.fround(x[i] * m);
          perturbed[i] = mx + Math.fround(z[i] * s);
          target[i] = z[i] / s;
        }
      }
    }
    let objective: FusedObjective;
    switch (loss.kind) {
      case 'dsm':
        objective = { kind: 'dsm', target: target! };
        break;
      case 'sm':
        objective = { kind: 'sm' };
        break;
      case 'ssm':
      case 'ssm-vr':
        objective = { kind: loss.kind, projections: projectionArrays(rng, loss.projection, n, d, loss.projections), count: loss.projections };
        break;
      case 'ml':
        throw new Error('loss ml trains energy networks, which have no fused path (docs/numerics.md): use model.engine tfjs');
    }
    const { input, scale } = fused.inputs(perturbed, draw?.cond, n);
    return { n, input, scale, weight: draw?.weight ?? null, objective };
  }

  step(read: boolean): StepReport | null {
    const { loss, gradSq } = this.opts.fused.mlp.step(this.nextBatch(), this.optimizer);
    this.stepsDone++;
    return read ? { loss, gradNorm: Math.sqrt(gradSq) } : null;
  }

  /** Weights, Adam's moments and t (the kernel keeps one t for all weights), and the steps done. */
  state(): TrainerState {
    const { mlp } = this.opts.fused;
    let adam: TrainerState['adam'] = null;
    if (this.optimizer.kind === 'adam') {
      const s = mlp.readOptimizerState();
      adam = { t: s.m.map(() => s.steps), m: s.m, v: s.v };
    }
    return { steps: this.stepsDone, weights: mlp.readParams(), adam };
  }

  /** Continue from state() of either engine: weights and moments into the kernel, the weights also into the tf.Variables. */
  restore(state: TrainerState): void {
    const { fused } = this.opts;
    const sizes = fused.network.params.map((p) => p.size);
    if (state.weights.length !== sizes.length || state.weights.some((w, k) => w.length !== sizes[k])) {
      throw new Error(`FusedTrainer.restore: the checkpoint's weights [${state.weights.map((w) => w.length)}] do not match the network's [${sizes}]`);
    }
    const adam = this.optimizer.kind === 'adam';
    if (adam && !state.adam) throw new Error('FusedTrainer.restore: the checkpoint has no Adam state (it was saved without optimiser state)');
    if (!adam && state.adam) throw new Error('FusedTrainer.restore: the checkpoint has Adam state but this trainer uses sgd');
    fused.mlp.setParams(state.weights);
    if (state.adam) {
      const { t } = state.adam;
      if (!t.every((v) => v === t[0])) throw new Error(`FusedTrainer.restore: the fused engine keeps one Adam step count for all weights, the checkpoint has [${t}]`);
      fused.mlp.writeOptimizerState({ steps: t[0] ?? 0, m: state.adam.m, v: state.adam.v });
    }
    fused.pushWeights();
    this.stepsDone = state.steps;
  }

  dispose(): void {}
}

/** The tfjs losses' refusals, so both engines reject the same configurations with the same words. */
function checkLoss(loss: LossSpec, family: NoiseFamily): void {
  if (loss.kind === 'ml') throw new Error('loss ml trains energy networks, which have no fused path (docs/numerics.md): use model.engine tfjs');
  if (loss.kind === 'dsm' && family.kind === 'clean') throw new Error('loss dsm needs noise levels (a noise schedule with at least one level) or an sde');
  if ((loss.kind === 'ssm' || loss.kind === 'ssm-vr') && !(Number.isInteger(loss.projections) && loss.projections >= 1)) {
    throw new Error(`slicedScoreMatching: projections must be an integer >= 1, got ${loss.projections}`);
  }
}

/** M projection blocks [M, N, D], the numbers core's drawProjections puts in its M tensors (same draws, same order). */
export function projectionArrays(rng: Rng, projection: Projection, n: number, d: number, m: number): Float32Array {
  const out = new Float32Array(m * n * d);
  const size = n * d;
  for (let k = 0; k < m; k++) {
    const block = out.subarray(k * size, (k + 1) * size);
    switch (projection) {
      case 'rademacher':
        for (let i = 0; i < size; i++) block[i] = rng.uniform() < 0.5 ? -1 : 1;
        break;
      case 'gaussian':
        block.set(rng.normalArray(size));
        break;
      case 'sphere': {
        // Rows of radius sqrt(D), as Rng.sphereTensor.
        block.set(rng.normalArray(size));
        for (let r = 0; r < n; r++) {
          let ss = 0;
          for (let j = 0; j < d; j++) ss += block[r * d + j] ** 2;
          const c = Math.sqrt(d / ss);
          for (let j = 0; j < d; j++) block[r * d + j] *= c;
        }
        break;
      }
    }
  }
  return out;
}
