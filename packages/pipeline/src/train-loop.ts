import type * as tf from '@tensorflow/tfjs';
import { Trainer, type StepTrainer } from '@scorelab/core';
import { METRIC, type TrainSpec } from '@scorelab/config';
import { RunFailure, RunStopped, type RunHooks } from './hooks';

export interface TrainLoopOptions {
  train: TrainSpec;
  params: tf.Variable[];
  /** The loss of one step on a fresh batch (called inside the gradient tape). */
  objective: () => tf.Scalar;
  /** Evaluation every eval.every steps and after the last one; null: no evaluation during training. */
  evaluate: ((step: number) => void) | null;
  evalEvery: number;
  /** The optimiser to drive instead of a Trainer over params and objective (the fused engine's). */
  trainer?: StepTrainer;
  /** What to advise when the loss diverges (called then only); default: try a smaller train.lr. */
  divergenceAdvice?: () => string;
  /** Steps already done (a restored checkpoint): the loop runs steps startStep + 1 .. train.steps. Default 0. */
  startStep?: number;
  /** Called once with the trainer before the first step (to restore a checkpoint into it). */
  restore?: (trainer: StepTrainer) => void;
  /**
   * Checkpoints: `save` after step k whenever `every` divides k (k < train.steps, after that step's evaluation),
   * and once after the last step with final = true. Awaited, so the host may write it before training goes on.
   */
  checkpoint?: {
    every: number | null;
    save(step: number, trainer: StepTrainer, final: boolean): void | Promise<void>;
    /** Called just before the evaluation of the last step (so the final checkpoint can hold the streams as they were then). */
    beforeFinalEvaluation?(): void;
  };
}

/** The optimiser loop: logs train/loss, train/grad_norm, perf/steps_per_sec every logEvery steps, stops on divergence. */
export async function trainLoop(opts: TrainLoopOptions, hooks: RunHooks): Promise<void> {
  const { train: trainSpec, evaluate, evalEvery } = opts;
  const trainer: StepTrainer = opts.trainer ?? new Trainer({ params: opts.params, objective: opts.objective, optimizer: trainSpec.optimizer, lr: trainSpec.lr, clipGradNorm: trainSpec.clipGradNorm });
  const startStep = opts.startStep ?? 0;
  let lastLogTime = performance.now();
  let lastLogStep = startStep;
  try {
    opts.restore?.(trainer);
    for (let step = startStep + 1; step <= trainSpec.steps; step++) {
      if (hooks.shouldStop()) throw new RunStopped(step - 1);
      const read = step % trainSpec.logEvery === 0 || step === trainSpec.steps;
      const report = trainer.step(read);
      if (report) {
        const now = performance.now();
        if (!Number.isFinite(report.loss) || !Number.isFinite(report.gradNorm)) {
          hooks.log([
            { key: METRIC.trainLoss, step, value: report.loss },
            { key: METRIC.gradNorm, step, value: report.gradNorm },
          ]);
          const what = Number.isFinite(report.loss) ? `gradient norm is ${report.gradNorm}` : `loss is ${report.loss}`;
          const advice = opts.divergenceAdvice?.() ?? 'try a smaller train.lr';
          throw new RunFailure(`training diverged: ${what} at step ${step} (last finite read at step ${lastLogStep}); ${advice}`, step);
        }
        hooks.log([
          { key: METRIC.trainLoss, step, value: report.loss },
          { key: METRIC.gradNorm, step, value: report.gradNorm },
          { key: METRIC.stepsPerSec, step, value: ((step - lastLogStep) * 1000) / Math.max(now - lastLogTime, 1e-3) },
        ]);
        hooks.progress({ phase: 'train', step, totalSteps: trainSpec.steps, loss: report.loss });
        lastLogTime = now;
        lastLogStep = step;
        // Let the host handle signals, IPC or its UI during long runs.
        await (hooks.yield ? hooks.yield() : new Promise<void>((resolve) => setTimeout(resolve, 0)));
      }
      if (evaluate && (step % evalEvery === 0 || step === trainSpec.steps)) {
        hooks.progress({ phase: 'eval', step, totalSteps: trainSpec.steps });
        const t0 = performance.now();
        if (step === trainSpec.steps) opts.checkpoint?.beforeFinalEvaluation?.();
        evaluate(step);
        // Evaluation time is not training time.
        lastLogTime += performance.now() - t0;
      }
      const every = opts.checkpoint?.every;
      if (every && step % every === 0 && step < trainSpec.steps) {
        const t0 = performance.now();
        await opts.checkpoint!.save(step, trainer, false);
        lastLogTime += performance.now() - t0;
      }
    }
    if (opts.checkpoint && startStep < trainSpec.steps) await opts.checkpoint.save(trainSpec.steps, trainer, true);
  } finally {
    trainer.dispose();
  }
}
