import * as tf from '@tensorflow/tfjs';
import type { ScoreFn } from '@scorelab/core';
import { checkStart, checkSteps } from './checks';
import type { SamplerGrid } from './grid';
import type { Sampler, SamplerKind, SamplerState } from './sampler';
import type { GridUpdate } from './update';

export interface PredictorCorrectorOptions<P> {
  kind: SamplerKind;
  grid: SamplerGrid<P>;
  /** Moves the chain from point i to point i + 1; null: correctors only (ald, plain Langevin). */
  predictor: GridUpdate<P> | null;
  /** One corrector step at a point; null: predictor only. */
  corrector: GridUpdate<P> | null;
  /** Corrector steps at each point, before its predictor step (score_sde's corrector-first order). */
  correctorSteps: number;
  /** The final samples from the last state (a new tensor), e.g. Tweedie's denoising step. */
  finish(state: SamplerState, score: ScoreFn): tf.Tensor2D;
  isSnapshot: Sampler['isSnapshot'];
}

/**
 * The one predictor-corrector driver (score_sde `pc_sampler`), over a noise-level grid or an SDE time
 * grid. At grid point i: `correctorSteps` corrector steps, then one predictor step to point i + 1.
 *   - With a predictor, one `step` is one grid point (its corrector steps and the predictor):
 *     totalSteps = grid.length; NFE = grid.length (correctorSteps + 1).
 *   - Without one (predictor `none`: ald, plain Langevin) the correctors are all that moves, and one
 *     `step` is one corrector step, at point floor(step / correctorSteps): totalSteps =
 *     grid.length * correctorSteps = NFE, so progress stays fine-grained.
 */
export function predictorCorrectorSampler<P>(opts: PredictorCorrectorOptions<P>): Sampler {
  const { kind, grid, predictor, corrector } = opts;
  const correctorSteps = corrector === null ? 0 : opts.correctorSteps;
  if (!Number.isInteger(correctorSteps) || correctorSteps < 0) throw new Error(`${kind}: correctorSteps must be a non-negative integer, got ${correctorSteps}`);
  checkSteps(grid.length, `${kind}: grid length`);
  // The moves of one `step`, in order: one corrector step (no predictor), or the corrector steps then the predictor.
  const moves: GridUpdate<P>[] = [];
  if (predictor === null) {
    if (corrector === null || correctorSteps === 0) throw new Error(`${kind}: without a predictor it needs at least one corrector step`);
    moves.push(corrector);
  } else {
    if (corrector) for (let k = 0; k < correctorSteps; k++) moves.push(corrector);
    moves.push(predictor);
  }
  const totalSteps = predictor === null ? grid.length * correctorSteps : grid.length;
  /** The grid point that step number k (0-based) updates at. */
  const pointOf = (k: number) => (predictor === null ? Math.floor(k / correctorSteps) : k);

  return {
    kind,
    totalSteps,
    init(x0) {
      checkStart(x0, kind);
      return { x: tf.clone(x0), step: 0, position: grid.start };
    },
    step(state, score, rng) {
      if (state.step >= totalSteps) throw new Error(`${kind}: all ${totalSteps} steps already taken`);
      const i = pointOf(state.step);
      const point = grid.point(i);
      // Each move returns a new tensor; intermediates are disposed as soon as the next move has used them,
      // and the tidy also collects whatever a move leaves behind when it throws.
      const x = tf.tidy(() => {
        let current = state.x;
        for (const move of moves) {
          const next = move(current, point, score, rng);
          if (current !== state.x) current.dispose();
          current = next;
        }
        return current;
      });
      return { x, step: state.step + 1, position: grid.after(i) };
    },
    done: (state) => state.step >= totalSteps,
    finish: opts.finish,
    release: (state) => state.x.dispose(),
    isSnapshot: opts.isSnapshot,
  };
}
