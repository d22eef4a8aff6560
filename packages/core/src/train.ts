import * as tf from '@tensorflow/tfjs';

export type OptimizerKind = 'adam' | 'sgd';

export interface TrainerOptions {
  /** The weights to train. */
  params: tf.Variable[];
  /** The loss of one step; called inside the gradient tape, so it may draw a fresh batch. */
  objective: () => tf.Scalar;
  optimizer: OptimizerKind;
  lr: number;
}

export interface StepReport {
  loss: number;
  /** Global L2 norm of the weight gradient, before the update. */
  gradNorm: number;
}

/**
 * One optimizer over a fixed list of weights. `step(read)` runs one update; with read = true
 * it also copies the loss and gradient norm to the CPU (a sync point, so callers read only
 * every k steps: DESIGN.md section 7).
 */
export class Trainer {
  private readonly optimizer: tf.Optimizer;
  private readonly params: tf.Variable[];
  private readonly objective: () => tf.Scalar;
  stepsDone = 0;

  constructor(options: TrainerOptions) {
    if (!(options.lr > 0)) throw new Error(`lr must be > 0, got ${options.lr}`);
    if (options.params.length === 0) throw new Error('nothing to train: params is empty');
    this.params = options.params;
    this.objective = options.objective;
    this.optimizer = createOptimizer(options.optimizer, options.lr);
  }

  step(read: boolean): StepReport | null {
    let report: StepReport | null = null;
    tf.tidy(() => {
      const { value, grads: all } = tf.variableGrads(this.objective, this.params);
      // A weight the loss does not depend on gets no gradient (null): leave it unchanged.
      const grads: tf.NamedTensorMap = {};
      for (const [name, g] of Object.entries(all)) if (g) grads[name] = g;
      if (read) {
        const sq = tf.addN(Object.values(grads).map((g) => tf.sum(tf.square(g))));
        const both = tf.stack([value, tf.sqrt(sq)]).dataSync();
        report = { loss: both[0], gradNorm: both[1] };
      }
      this.optimizer.applyGradients(grads);
    });
    this.stepsDone++;
    return report;
  }

  dispose(): void {
    this.optimizer.dispose();
  }
}

function createOptimizer(kind: OptimizerKind, lr: number): tf.Optimizer {
  switch (kind) {
    case 'adam':
      // PyTorch's defaults (beta1 0.9, beta2 0.999, eps 1e-8), so runs compare with the reference code.
      return tf.train.adam(lr, 0.9, 0.999, 1e-8);
    case 'sgd':
      return tf.train.sgd(lr);
  }
}
