import * as tf from '@tensorflow/tfjs';
import type { NegativesSpec } from '@scorelab/config';
import type { EnergyFn, Rng, ScoreFn } from '@scorelab/core';
import { ReplayBuffer, uniformInBox, type Box } from './replay-buffer';
import { shortRunLangevin } from './short-run-langevin';

/** What loss ml needs of an energy model: E and its score -grad_x E (core's EnergyNetwork is one). */
export interface EnergyModel {
  energy: EnergyFn;
  score: ScoreFn;
}

export interface ContrastiveDivergenceOptions {
  negatives: NegativesSpec;
  /** Weight of the energy-magnitude regulariser alpha (mean E(x+)^2 + mean E(x-)^2); 0 for none. */
  alpha: number;
  /** Where noise negatives live (init noise, and the buffer's fill and reinitialisation of persistent): uniform on it. Not used by init data (may be null then). */
  box: Box | null;
}

/** The surrogate of one step and its parts (batch means). */
export interface ContrastiveDivergenceTerms {
  loss: tf.Scalar;
  energyPos: tf.Scalar;
  energyNeg: tf.Scalar;
}

/**
 * Maximum likelihood of an energy model p(x) = exp(-E(x)) / Z by contrastive divergence (Hinton 2002; PCD,
 * Tieleman 2008; Du & Mordatch 2019), loss kind `ml`. The exact gradient of the negative log-likelihood is
 *   grad_theta NLL = E_data[grad_theta E(x)] - E_{p_theta}[grad_theta E(x)],
 * and the surrogate L = mean E(x+) - mean E(x-) + alpha (mean E(x+)^2 + mean E(x-)^2) has this gradient (plus the
 * regulariser's) when the negatives x- are samples of p_theta that the gradient does not pass through. The
 * negatives come from short-run Langevin on the current E (shortRunLangevin), started per `negatives.init` at
 * the positive batch (data: CD-k), uniform noise on `box` (noise) or the replay buffer (persistent: PCD).
 * Stateful: the buffer is the only state besides the weights and the random stream (bufferState / restoreBuffer).
 */
export class ContrastiveDivergence {
  private readonly buffer: ReplayBuffer | null;

  constructor(
    private readonly opts: ContrastiveDivergenceOptions,
    readonly dim: number,
  ) {
    if (!(opts.alpha >= 0)) throw new Error(`loss.alpha must be >= 0, got ${opts.alpha}`);
    const { box } = opts;
    if (opts.negatives.init !== 'data' && !box) throw new Error(`negatives.init ${opts.negatives.init} draws uniform noise and needs the box to draw it on`);
    if (box && box.low.length !== dim) throw new Error(`the noise box has ${box.low.length} coordinates for data of dimension ${dim}`);
    this.buffer = opts.negatives.init === 'persistent' ? new ReplayBuffer(opts.negatives.bufferSize, dim, box!) : null;
  }

  /**
   * The negatives [N, D] for a positive batch x+ [N, D] (not disposed), from the current model; a fresh tensor
   * without a gradient path. Random draws from rng, in this order: the chains' starts (noise: N * D uniforms;
   * persistent: ReplayBuffer.draw; data: none), then one N(0, I) [N, D] per Langevin step.
   */
  negatives(model: EnergyModel, xPos: tf.Tensor2D, rng: Rng): tf.Tensor2D {
    const [n, d] = xPos.shape;
    if (d !== this.dim) throw new Error(`loss ml: the batch has ${d} columns, the model ${this.dim}`);
    const spec = this.opts.negatives;
    switch (spec.init) {
      case 'data':
        return shortRunLangevin(model.score, xPos, spec, rng);
      case 'noise': {
        const x0 = tf.tensor2d(uniformInBox(this.opts.box!, n, rng), [n, d]);
        try {
          return shortRunLangevin(model.score, x0, spec, rng);
        } finally {
          x0.dispose();
        }
      }
      case 'persistent': {
        const { indices, x } = this.buffer!.draw(n, spec.reinit, rng);
        const x0 = tf.tensor2d(x, [n, d]);
        try {
          const xNeg = shortRunLangevin(model.score, x0, spec, rng);
          this.buffer!.write(indices, xNeg.dataSync() as Float32Array);
          return xNeg;
        } finally {
          x0.dispose();
        }
      }
    }
  }

  /** The surrogate on positives x+ and negatives x- (both [N, D]); differentiable in the weights of `model.energy`. */
  surrogate(model: EnergyModel, xPos: tf.Tensor2D, xNeg: tf.Tensor2D): ContrastiveDivergenceTerms {
    return contrastiveDivergenceSurrogate(model.energy, xPos, xNeg, this.opts.alpha);
  }

  /** The replay buffer's points [bufferSize * D] (null: no buffer, or not filled yet). */
  bufferState(): Float32Array | null {
    return this.buffer?.state() ?? null;
  }

  restoreBuffer(state: Float32Array | null): void {
    if (!this.buffer) {
      if (state !== null) throw new Error(`loss ml with init ${this.opts.negatives.init} has no replay buffer, the checkpoint has one`);
      return;
    }
    this.buffer.restore(state);
  }
}

/** L = mean E(x+) - mean E(x-) + alpha (mean E(x+)^2 + mean E(x-)^2), with the two batch means of E. */
export function contrastiveDivergenceSurrogate(energy: EnergyFn, xPos: tf.Tensor2D, xNeg: tf.Tensor2D, alpha: number): ContrastiveDivergenceTerms {
  return tf.tidy(() => {
    const ePos = energy(xPos);
    const eNeg = energy(xNeg);
    const energyPos = tf.mean(ePos) as tf.Scalar;
    const energyNeg = tf.mean(eNeg) as tf.Scalar;
    let loss = tf.sub(energyPos, energyNeg) as tf.Scalar;
    if (alpha > 0) loss = tf.add(loss, tf.mul(alpha, tf.add(tf.mean(tf.square(ePos)), tf.mean(tf.square(eNeg))))) as tf.Scalar;
    return { loss, energyPos, energyNeg };
  });
}
