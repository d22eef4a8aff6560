/**
 * Checkpoints of a run's training (DESIGN.md sections 2 and 3): what the training loop saves every
 * train.checkpointEvery steps and at the end (through RunHooks.checkpoint), and how a run starts from
 * one — its own (resume: weights, optimiser state and every random stream, so the run ends with the
 * numbers of an uninterrupted one) or another run's final model (weights only, training skipped).
 */
import * as tf from '@tensorflow/tfjs';
import { isResumableTrainer, type FusedNetwork, type Network, type StepTrainer, type TrainerState } from '@scorelab/core';
import type { TrainSpec } from '@scorelab/config';
import { decodeCheckpoint, encodeCheckpoint, type Checkpoint } from './checkpoint';
import type { RunHooks } from './hooks';
import { restoreRngs, rngStates, type RunRngs } from './rngs';
import type { TrainLoopOptions } from './train-loop';

/** Where training starts from, instead of step 0. */
export interface TrainingStart {
  /** An encoded checkpoint (encodeCheckpoint). */
  checkpoint: Uint8Array;
  /**
   * `resume`: the run's own checkpoint; training continues after its step with its random streams.
   * `trained`: a finished model of the same training hash (another run's final checkpoint): its weights
   * are loaded, training is skipped, the run's own random streams stay as they are.
   */
  kind: 'resume' | 'trained';
}

export interface CheckpointedModel {
  network: Network;
  fused: FusedNetwork | null;
  rngs: RunRngs;
  /** Training state besides the trainer's and the streams: loss ml's replay buffer (null: none). */
  replayBuffer?: { state(): Float32Array | null; restore(state: Float32Array | null): void } | null;
}

/** The trainLoop options that save checkpoints through `hooks` and start from `start`. */
export function checkpointing(model: CheckpointedModel, trainSpec: TrainSpec, fusedTrainer: StepTrainer | undefined, hooks: RunHooks, start: TrainingStart | null): Pick<TrainLoopOptions, 'startStep' | 'restore' | 'checkpoint'> {
  const { network, fused, rngs } = model;
  const replayBuffer = model.replayBuffer ?? null;
  const weights = (): Float32Array[] => {
    fused?.pushWeights();
    return network.params.map((p) => Float32Array.from(p.dataSync()));
  };
  // tfjs's Trainer is resumable; the fused trainer is once it implements ResumableTrainer (core/src/trainer-state.ts).
  const resumable = fusedTrainer === undefined || isResumableTrainer(fusedTrainer);
  const options: Pick<TrainLoopOptions, 'startStep' | 'restore' | 'checkpoint'> = {};
  if (hooks.checkpoint) {
    const save = hooks.checkpoint.bind(hooks);
    // The final checkpoint holds the random streams as they were before the last step's evaluation, so a run
    // that samples this trained model evaluates it at that step with the same draws: the same eval/fisher
    // (and eval/nll) as the run that trained it, not a second Monte-Carlo estimate of one model.
    let beforeFinalEvaluation: ReturnType<typeof rngStates> | null = null;
    options.checkpoint = {
      every: trainSpec.checkpointEvery ?? null,
      beforeFinalEvaluation: () => {
        beforeFinalEvaluation = rngStates(rngs);
      },
      save(step, trainer, final) {
        let state: TrainerState;
        if (isResumableTrainer(trainer)) state = trainer.state();
        // Without the optimiser's state only the final model can be kept: enough to sample it, not to resume.
        else if (final) state = { steps: step, weights: weights(), adam: null };
        else return;
        return save(step, encodeCheckpoint({ trainer: state, rngs: (final ? beforeFinalEvaluation : null) ?? rngStates(rngs), replayBuffer: replayBuffer?.state() ?? null }), final);
      },
    };
  }
  if (!start) return options;
  const checkpoint: Checkpoint = decodeCheckpoint(start.checkpoint);
  const steps = checkpoint.trainer.steps;
  if (steps > trainSpec.steps) throw new Error(`the checkpoint is at step ${steps}, after this run's train.steps (${trainSpec.steps})`);
  if (start.kind === 'trained' && steps !== trainSpec.steps) throw new Error(`a trained model must hold all ${trainSpec.steps} steps, this checkpoint holds ${steps}`);
  const setWeights = () => {
    const w = checkpoint.trainer.weights;
    if (w.length !== network.params.length || w.some((a, k) => a.length !== network.params[k].size)) {
      throw new Error(`the checkpoint's weights [${w.map((a) => a.length)}] do not match this run's network [${network.params.map((p) => p.size)}]`);
    }
    tf.tidy(() => network.params.forEach((p, k) => p.assign(tf.tensor(w[k], p.shape, 'float32'))));
    fused?.pullWeights();
  };
  if (steps === trainSpec.steps) {
    // Training is done: the weights are all that is needed (a checkpoint without optimiser state will do).
    options.startStep = steps;
    options.restore = () => {
      setWeights();
      // Both kinds take the streams: a reused model is then evaluated with the draws its own run used at this step.
      restoreRngs(rngs, checkpoint.rngs);
    };
    return options;
  }
  // A checkpoint mid-training on a trainer that cannot restore it: train from step 0 instead (same numbers, slower).
  if (!resumable) return options;
  options.startStep = steps;
  options.restore = (trainer) => {
    if (!isResumableTrainer(trainer)) throw new Error('this trainer cannot restore a checkpoint');
    // The fused trainer's restore puts the weights and moments into the kernel itself (pullWeights would reset the moments).
    trainer.restore(checkpoint.trainer);
    restoreRngs(rngs, checkpoint.rngs);
    replayBuffer?.restore(checkpoint.replayBuffer ?? null);
  };
  return options;
}
