/**
 * Training an energy network by maximum likelihood (loss ml): one step draws the positive batch x+ (data
 * stream; with one noise level sigma it is perturbed, x+ = x + sigma z with z from the loss stream, and the
 * energy is E(., sigma): ml then learns the perturbed data's density, as the score losses at that level), runs
 * the negatives' Langevin chains x- on the current model outside the gradient tape (loss stream:
 * @scorelab/losses ContrastiveDivergence), then takes an optimiser step on the surrogate E(x+) - E(x-). Every train.logEvery steps it logs train/energy_pos, train/energy_neg, train/energy_gap and
 * train/neg_mmd (MMD^2 of the negatives against the batch); for 2-D data it keeps a few snapshots of the
 * negatives as `negatives/<step>` artifacts (kind samples). The replay buffer belongs to the checkpoint.
 */
import * as tf from '@tensorflow/tfjs';
import { Trainer, type EnergyNetwork, type NoiseFamily, type ResumableTrainer, type Rng, type StepReport, type StepTrainer, type TrainerState } from '@scorelab/core';
import { ContrastiveDivergence, type Box, type EnergyModel } from '@scorelab/losses';
import { mmd } from '@scorelab/metrics';
import { METRIC, NEGATIVES_DEFAULTS, type LossSpec, type TrainSpec } from '@scorelab/config';
import type { RunHooks } from './hooks';

/** Snapshots of the negatives over a run: at most this many (the last step's always among them). */
export const NEGATIVE_SNAPSHOTS = 4;

/** The artifact name of the negatives after `step` steps. */
export function negativesArtifactName(step: number): string {
  return `negatives/${step}`;
}

/** The steps whose negatives are kept: multiples of logEvery * ceil(steps / (NEGATIVE_SNAPSHOTS logEvery)), and the last. */
export function negativeSnapshotSteps(train: Pick<TrainSpec, 'steps' | 'logEvery'>): Set<number> {
  const every = train.logEvery * Math.ceil(train.steps / (NEGATIVE_SNAPSHOTS * train.logEvery));
  const out = new Set<number>([train.steps]);
  for (let s = every; s < train.steps; s += every) out.add(s);
  return out;
}

export interface MaximumLikelihoodOptions {
  network: EnergyNetwork;
  /** Clean, or noise levels with exactly one sigma (the config rules refuse the rest). */
  family: NoiseFamily;
  loss: LossSpec;
  train: TrainSpec;
  /** A fresh data batch [N, D] per step (disposed here). */
  sample: () => tf.Tensor2D;
  /** The loss's random stream: the negatives' starts and their Langevin noise. */
  rng: Rng;
  /** Where noise negatives are drawn (uniform): the data's bounding box (null with init data, which needs none). */
  box: Box | null;
  hooks: RunHooks;
}

/** A step trainer for loss ml (resumable: the optimiser's state is core Trainer's; the replay buffer is `replayBuffer`). */
export class MaximumLikelihoodTrainer implements StepTrainer, ResumableTrainer {
  private readonly cd: ContrastiveDivergence;
  private readonly inner: Trainer;
  private readonly snapshots: Set<number>;
  private batch: { pos: tf.Tensor2D; neg: tf.Tensor2D; model: EnergyModel } | null = null;
  private readonly sigma: number | null;
  private means: tf.Tensor1D | null = null;

  constructor(private readonly opts: MaximumLikelihoodOptions) {
    const { network, loss, train } = opts;
    if (loss.kind !== 'ml') throw new Error(`MaximumLikelihoodTrainer trains loss ml, not ${loss.kind}`);
    const { family } = opts;
    if (family.kind === 'sde' || (family.kind === 'levels' && family.sigmas.length !== 1)) {
      throw new Error('loss ml is single-scale: it trains on clean data or at one noise level (noise with levels: 1), not with an sde or several levels');
    }
    this.sigma = family.kind === 'levels' ? family.sigmas[0] : null;
    this.cd = new ContrastiveDivergence({ negatives: loss.negatives ?? { ...NEGATIVES_DEFAULTS }, alpha: loss.alpha ?? 0, box: opts.box }, network.options.inputDim);
    this.snapshots = negativeSnapshotSteps(train);
    this.inner = new Trainer({
      params: network.params,
      optimizer: train.optimizer,
      lr: train.lr,
      clipGradNorm: train.clipGradNorm,
      objective: () => {
        const { pos, neg, model } = this.batch!;
        const terms = this.cd.surrogate(model, pos, neg);
        // Kept past the tape's tidy: [mean E(x+), mean E(x-)], read on logging steps only.
        this.means?.dispose();
        this.means = tf.keep(tf.stack([terms.energyPos, terms.energyNeg]) as tf.Tensor1D);
        return terms.loss;
      },
    });
  }

  get stepsDone(): number {
    return this.inner.stepsDone;
  }

  /** The replay buffer (persistent negatives), for checkpoints. */
  get replayBuffer(): { state(): Float32Array | null; restore(state: Float32Array | null): void } {
    return { state: () => this.cd.bufferState(), restore: (s) => this.cd.restoreBuffer(s) };
  }

  step(read: boolean): StepReport | null {
    const { network, sample, rng, hooks } = this.opts;
    const { sigma } = this;
    const clean = sample();
    const [n, d] = clean.shape;
    const pos = sigma === null ? clean : (tf.tidy(() => tf.add(clean, tf.mul(rng.normalTensor([n, d]), sigma))) as tf.Tensor2D);
    // The energy at the level (E(x, sigma) for every row: positives and negatives are both N rows).
    const cond = sigma === null ? undefined : (tf.fill([n], sigma) as tf.Tensor1D);
    const model: EnergyModel = { energy: (x) => network.energy(x, cond), score: (x) => network.score(x, cond) };
    let neg: tf.Tensor2D | null = null;
    try {
      // Outside the gradient tape: the chains are not recorded, and no gradient flows through them.
      neg = this.cd.negatives(model, pos, rng);
      this.batch = { pos, neg, model };
      const report = this.inner.step(read);
      const step = this.inner.stepsDone;
      if (report) {
        const [ePos, eNeg] = this.means!.dataSync();
        hooks.log([
          { key: METRIC.energyPos, step, value: ePos },
          { key: METRIC.energyNeg, step, value: eNeg },
          { key: METRIC.energyGap, step, value: ePos - eNeg },
          // The unbiased MMD^2 needs two points on each side.
          ...(pos.shape[0] >= 2 ? [{ key: METRIC.negMmd, step, value: mmd(neg, pos) }] : []),
        ]);
      }
      if (this.snapshots.has(step) && pos.shape[1] === 2) {
        hooks.artifact(negativesArtifactName(step), 'samples', { format: 'float32', shape: neg.shape, data: Float32Array.from(neg.dataSync()) });
      }
      return report;
    } finally {
      this.batch = null;
      tf.dispose([clean, pos, ...(neg ? [neg] : []), ...(cond ? [cond] : [])]);
    }
  }

  state(): TrainerState {
    return this.inner.state();
  }

  restore(state: TrainerState): void {
    this.inner.restore(state);
  }

  dispose(): void {
    this.means?.dispose();
    this.means = null;
    this.inner.dispose();
  }
}
