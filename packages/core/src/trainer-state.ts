/**
 * What a checkpoint holds of a trainer, on either engine: the weights, the optimiser's state and the
 * number of steps done. A trainer that can be checkpointed (core's Trainer; the fused trainer once it
 * implements it) is a `ResumableTrainer`: restore(state()) leaves it where it was, so the steps that
 * follow give the same numbers as without the round trip.
 */
import type { AdamState } from './adam';

export interface TrainerState {
  /** Optimiser steps done. */
  steps: number;
  /** The weights in the network's parameter order (tfjs layout: W_1 [in, out], b_1 [out], ...). */
  weights: Float32Array[];
  /** Adam's t and moments (float64, as JsAdam and the kernels keep them); null for sgd, which has none. */
  adam: AdamState | null;
}

export interface ResumableTrainer {
  state(): TrainerState;
  /** Continue from `state` (weights into the network, moments and step count into the optimiser). */
  restore(state: TrainerState): void;
}

/** Whether a step trainer can be checkpointed (the fused trainer may not implement it yet). */
export function isResumableTrainer(trainer: object): trainer is ResumableTrainer {
  const t = trainer as Partial<ResumableTrainer>;
  return typeof t.state === 'function' && typeof t.restore === 'function';
}
