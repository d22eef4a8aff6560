/**
 * Does a small convolutional score network earn its place on the 8x8 digits (issue 16)? Trains, on
 * experiments/digits.yaml's dsm run (same noise levels, steps, batch, lr, annealed Langevin sampler and
 * metrics), the MLP 64-128-128-64 through executeRun (tfjs and fused engines) and a noise-conditional
 * conv network of about the same parameter count through the pipeline's own pieces (buildAnyRunModel's
 * dataset, family and seed streams, createLoss, trainLoop, heldOutLossPoints, sampleAndMeasure).
 *
 * The conv network (NCSN-style conditioning): input [x as 1 x 8 x 8, log sigma as a constant channel],
 * `layers` 3x3 'same' convolutions of `channels` channels with softplus, a last 3x3 convolution to
 * 1 channel, output divided by sigma. tfjs's wasm backend has no conv2d filter gradient, so a convolution
 * is im2col + one matMul (--conv-op im2col, default) or a depth-1 conv3d (--conv-op conv3d, slower here). Weights
 * initialised like PyTorch's nn.Conv2d (U(-1/sqrt(fan_in), 1/sqrt(fan_in)), fan_in = 9 c_in).
 *
 * Usage: npx tsx tools/bench/conv-vs-mlp.ts [--seeds 0,1] [--steps 3000] [--channels 40] [--layers 3]
 *        [--models mlp-fused,mlp-tfjs,conv] [--conv-op im2col|conv3d] [--json]
 * Prints one line per (model, seed), then a JSON line with every result.
 */
import * as tf from '@tensorflow/tfjs';
import { METRIC, resolveRunConfig, type ResolvedRunConfig } from '@scorelab/config';
import { Rng, selectBackend, type ScoreFn } from '@scorelab/core';
import { createLoss } from '@scorelab/losses';
import {
  buildAnyRunModel,
  executeRun,
  heldOutLossPoints,
  heldOutRng,
  prepareHeldOutEvaluation,
  sampleAndMeasure,
  trainLoop,
  type MetricRecord,
  type RunHooks,
} from '@scorelab/pipeline';
import { numberFlag, stringFlag } from '../cli-args';

/** experiments/digits.yaml's base with loss dsm (its dsm run), train.steps from the command line. */
function digitsConfig(steps: number, engine: 'fused' | 'tfjs'): ResolvedRunConfig {
  return resolveRunConfig({
    dataset: { kind: 'digits' },
    model: { kind: 'mlp', hidden: [128, 128], activation: 'softplus', conditioning: 'embed', engine },
    noise: { schedule: 'geometric', sigmaMax: 3, sigmaMin: 0.02, levels: 12 },
    loss: { kind: 'dsm', weighting: 'sigma2' },
    train: { steps, batchSize: 128, optimizer: 'adam', lr: 0.001, logEvery: 100 },
    sampler: {
      kind: 'ald',
      stepSize: 0.00008,
      stepsPerLevel: 50,
      samples: 500,
      init: { kind: 'uniform', low: 0, high: 1 },
      denoise: true,
      convention: 'half',
    },
    eval: { every: steps, metrics: ['dsm', 'ssm', 'mmd', 'swd', 'nnDist'] },
  });
}

interface ConvNet {
  params: tf.Variable[];
  score: ScoreFn;
  parameterCount: number;
  dispose(): void;
}

/**
 * A 3x3 'same' convolution on [N, 8, 8, C] as im2col + one matMul (the wasm backend has no Conv2DBackpropFilter):
 * the 9 shifted windows of the zero-padded image, concatenated along channels (tap-major), times W [9 C, C'].
 */
function conv3x3Im2col(h: tf.Tensor2D, n: number, c: number, w: tf.Tensor, b: tf.Tensor): tf.Tensor2D {
  const padded = tf.pad(tf.reshape(h, [n, 8, 8, c]), [
    [0, 0],
    [1, 1],
    [1, 1],
    [0, 0],
  ]);
  const taps: tf.Tensor[] = [];
  for (let dy = 0; dy < 3; dy++) for (let dx = 0; dx < 3; dx++) taps.push(tf.slice(padded, [0, dy, dx, 0], [n, 8, 8, c]));
  return tf.add(tf.matMul(tf.reshape(tf.concat(taps, 3), [n * 64, 9 * c]), w as tf.Tensor2D), b) as tf.Tensor2D;
}

/**
 * The same convolution as a depth-1 conv3d (the wasm backend has Conv3DBackpropFilterV2 and Conv3DBackpropInputV2):
 * W [9 C, C'] (tap-major, as im2col) is the filter [1, 3, 3, C, C'].
 */
function conv3x3Conv3d(h: tf.Tensor2D, n: number, c: number, w: tf.Tensor, b: tf.Tensor): tf.Tensor2D {
  const cOut = w.shape[1]!;
  const out = tf.conv3d(tf.reshape(h, [n, 1, 8, 8, c]) as tf.Tensor5D, tf.reshape(w, [1, 3, 3, c, cOut]) as tf.Tensor5D, 1, 'same');
  return tf.add(tf.reshape(out, [n * 64, cOut]), b) as tf.Tensor2D;
}

type ConvOp = 'im2col' | 'conv3d';

/** The conv score network on 8x8 images (see the file comment). Activations are [N * 64, C], one row per pixel. */
function createConvNet(channels: number, layers: number, op: ConvOp, rng: Rng): ConvNet {
  const conv3x3 = op === 'im2col' ? conv3x3Im2col : conv3x3Conv3d;
  const widths = [2, ...Array.from({ length: layers }, () => channels), 1];
  const params: tf.Variable[] = [];
  for (let l = 0; l + 1 < widths.length; l++) {
    const bound = 1 / Math.sqrt(9 * widths[l]);
    params.push(tf.tidy(() => tf.variable(rng.uniformTensor([9 * widths[l], widths[l + 1]], -bound, bound), true, undefined, 'float32')));
    params.push(tf.tidy(() => tf.variable(rng.uniformTensor([widths[l + 1]], -bound, bound), true, undefined, 'float32')));
  }
  const score: ScoreFn = (x, sigma) =>
    tf.tidy(() => {
      if (!sigma) throw new Error('the conv score network needs sigma');
      const n = x.shape[0];
      const pixels = tf.reshape(x, [n * 64, 1]);
      const logSigma = tf.reshape(tf.tile(tf.reshape(tf.log(sigma), [n, 1]), [1, 64]), [n * 64, 1]);
      let h = tf.concat([pixels, logSigma], 1) as tf.Tensor2D;
      for (let l = 0; l + 1 < widths.length; l++) {
        const z = conv3x3(h, n, widths[l], params[2 * l], params[2 * l + 1]);
        h = l + 2 < widths.length ? tf.softplus(z) : z;
      }
      return tf.div(tf.reshape(h, [n, 64]), tf.reshape(sigma, [n, 1])) as tf.Tensor2D;
    });
  return { params, score, parameterCount: params.reduce((a, p) => a + p.size, 0), dispose: () => params.forEach((p) => p.dispose()) };
}

interface Result {
  model: string;
  seed: number;
  parameters: number;
  msPerStep: number;
  sampleSeconds: number;
  metrics: Record<string, number>;
}

const WANTED = [METRIC.dsm, METRIC.ssm, 'sample/mmd', 'ref/mmd', 'sample/swd', 'ref/swd', METRIC.nnDist, METRIC.refNnDist];

function collectingHooks(records: MetricRecord[]): RunHooks {
  return { log: (points) => records.push(...points), progress: () => {}, artifact: () => {}, shouldStop: () => false, yield: async () => {} };
}

/** ms per step from the logged perf/steps_per_sec (training time only: evaluation is excluded by trainLoop). */
function summarise(model: string, seed: number, parameters: number, records: MetricRecord[], sampleSeconds: number): Result {
  const rates = records.filter((r) => r.key === METRIC.stepsPerSec).map((r) => r.value);
  // The first window includes warm-up (kernel compilation): leave it out when there are others.
  const used = rates.length > 1 ? rates.slice(1) : rates;
  const msPerStep = used.reduce((a, r) => a + 1000 / r, 0) / used.length;
  const metrics: Record<string, number> = {};
  for (const key of WANTED) {
    const last = records.filter((r) => r.key === key).at(-1);
    if (last) metrics[key] = last.value;
  }
  return { model, seed, parameters, msPerStep, sampleSeconds, metrics };
}

async function runMlp(engine: 'fused' | 'tfjs', seed: number, steps: number): Promise<Result> {
  const records: MetricRecord[] = [];
  const t0 = performance.now();
  const outcome = await executeRun(digitsConfig(steps, engine), seed, collectingHooks(records));
  const total = (performance.now() - t0) / 1000;
  return summarise(`mlp-${engine}`, seed, outcome.parameterCount, records, total);
}

/** The conv network trained and sampled as executeRun trains and samples the MLP (same streams, same held-out evaluation). */
async function runConv(seed: number, steps: number, channels: number, layers: number, op: ConvOp): Promise<Result> {
  const config = digitsConfig(steps, 'tfjs');
  const model = buildAnyRunModel(config, seed, { engine: 'tfjs' });
  // The MLP built by buildAnyRunModel drew its weights from rngs.init; the conv net draws from a stream of the same seed.
  const net = createConvNet(channels, layers, op, new Rng(seed).split());
  const records: MetricRecord[] = [];
  const hooks = collectingHooks(records);
  const { family, dataset, rngs } = model;
  const loss = createLoss(config.loss!, family);
  const heldOut = prepareHeldOutEvaluation(dataset, heldOutRng(seed), config.eval?.samples);
  const t0 = performance.now();
  try {
    await trainLoop(
      {
        train: config.train!,
        params: net.params,
        objective: () => loss(net.score, dataset.sample(config.train!.batchSize, rngs.data), rngs.loss),
        evaluate: (step) => hooks.log(heldOutLossPoints(config.eval!.metrics, family, heldOut, { score: net.score }, step)),
        evalEvery: config.eval!.every ?? steps,
      },
      hooks,
    );
    sampleAndMeasure(config, config.sampler!, family, dataset, net.score, net.score, null, rngs, steps, hooks);
  } finally {
    heldOut.dispose();
    model.dispose();
  }
  const total = (performance.now() - t0) / 1000;
  const result = summarise(`conv-${channels}x${layers}-${op}`, seed, net.parameterCount, records, total);
  net.dispose();
  return result;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const seeds = stringFlag('seeds', '0').split(',').map(Number);
  const steps = numberFlag('steps', 3000);
  const channels = numberFlag('channels', 40);
  const layers = numberFlag('layers', 3);
  const models = stringFlag('models', 'mlp-fused,mlp-tfjs,conv').split(',');
  const op = stringFlag('conv-op', 'im2col');
  if (op !== 'im2col' && op !== 'conv3d') throw new Error(`--conv-op must be im2col or conv3d, got ${op}`);
  const backend = await selectBackend();
  console.log(`backend ${backend}; digits dsm, ${steps} steps, batch 128, adam lr 1e-3; ALD 12 levels x 50 steps, 500 samples`);
  const results: Result[] = [];
  for (const seed of seeds) {
    for (const m of models) {
      const r = m === 'conv' ? await runConv(seed, steps, channels, layers, op) : await runMlp(m === 'mlp-fused' ? 'fused' : 'tfjs', seed, steps);
      results.push(r);
      const fmt = (k: string) => (r.metrics[k] === undefined ? '-' : Number(r.metrics[k].toPrecision(3)));
      console.log(
        `${r.model} seed ${seed}: ${r.parameters} params, ${r.msPerStep.toFixed(1)} ms/step, total ${r.sampleSeconds.toFixed(0)} s; ` +
          `eval/dsm ${fmt(METRIC.dsm)} eval/ssm ${fmt(METRIC.ssm)} mmd ${fmt('sample/mmd')} (ref ${fmt('ref/mmd')}) swd ${fmt('sample/swd')} (ref ${fmt('ref/swd')}) ` +
          `nn_dist ${fmt(METRIC.nnDist)} (ref ${fmt(METRIC.refNnDist)})`,
      );
    }
  }
  if (args.includes('--json')) console.log(JSON.stringify(results));
}

void main();
