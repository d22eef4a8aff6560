import type * as tf from '@tensorflow/tfjs';
import { Trainer } from '@scorelab/core';
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
}

/** The optimiser loop: logs train/loss, train/grad_norm, perf/steps_per_sec every logEvery steps, stops on divergence. */
export async function trainLoop(opts: TrainLoopOptions, hooks: RunHooks): Promise<void> {
  const { train: trainSpec, evaluate, evalEvery } = opts;
  const trainer = new Trainer({ params: opts.params, objective: opts.objective, optimizer: trainSpec.optimizer, lr: trainSpec.lr });
  let lastLogTime = performance.now();
  let lastLogStep = 0;
  try {
    for (let step = 1; step <= trainSpec.steps; step++) {
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
          throw new RunFailure(`training diverged: ${what} at step ${step} (last finite read at step ${lastLogStep}); try a smaller train.lr`, step);
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
        evaluate(step);
        // Evaluation time is not training time.
        lastLogTime += performance.now() - t0;
      }
    }
  } finally {
    trainer.dispose();
  }
}
