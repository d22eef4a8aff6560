/**
 * Milliseconds per training step of Scorelab's losses on an MLP score network, one backend and engine.
 * Usage: npx tsx tools/bench/train-step.ts [--engine fused|tfjs] [--backend wasm] [--hidden 128] [--batch 128]
 *        [--dim 2] [--losses dsm,ssm-vr,sm] [--steps 200] [--jacobian auto|forward|backprop] [--json]
 * Prints a table, then one JSON line with { backend, engine, results: [{ loss, msPerStep, kernelsPerStep }] }
 * (kernelsPerStep: tfjs kernels; the fused engine runs none, its work is a few wasm calls per layer).
 */
import * as tf from '@tensorflow/tfjs';
import { DatasetSchema, LossSchema } from '@scorelab/config';
import { CLEAN, FusedTrainer, Rng, Trainer, createFusedNetwork, createScoreNetwork, levelsFamily, selectBackend, type StepTrainer } from '@scorelab/core';
import { createDataset } from '@scorelab/datasets';
import { createLoss, type JacobianMode } from '@scorelab/losses';
import { numberFlag, stringFlag } from '../cli-args';

export interface StepTiming {
  loss: string;
  msPerStep: number;
  kernelsPerStep: number;
}

export async function benchTrainStep(opts: {
  backend?: string;
  hidden: number;
  batch: number;
  dim: number;
  losses: string[];
  steps: number;
  jacobian: JacobianMode;
  engine: 'fused' | 'tfjs';
}): Promise<{ backend: string; engine: string; results: StepTiming[] }> {
  const backend = await selectBackend(opts.backend);
  // N(0, I_D): the schema fills mean and std.
  const dataset = createDataset(DatasetSchema.parse({ kind: 'gaussian', dim: opts.dim }));
  const results: StepTiming[] = [];
  for (const kind of opts.losses) {
    const rng = new Rng(0);
    // The reference setting: an unconditional network; dsm at one sigma, sm/ssm on clean data.
    const family = kind === 'dsm' ? levelsFamily([0.1]) : CLEAN;
    const net = createScoreNetwork({ hidden: [opts.hidden, opts.hidden], activation: 'softplus', conditioning: 'none' }, opts.dim, family, rng.split());
    // The schema fills the loss defaults (weighting sigma2, one rademacher projection) and rejects an unknown kind.
    const spec = LossSchema.parse({ kind });
    const loss = createLoss(spec, family, opts.jacobian);
    const dataRng = rng.split();
    const lossRng = rng.split();
    const sample = () => dataset.sample(opts.batch, dataRng);
    const fused = opts.engine === 'fused' ? createFusedNetwork(net, family) : null;
    const trainer: StepTrainer = fused
      ? new FusedTrainer({ fused, loss: spec, family, sample, rng: lossRng, optimizer: 'adam', lr: 1e-3 })
      : new Trainer({ params: net.params, objective: () => loss(net.score, sample(), lossRng), optimizer: 'adam', lr: 1e-3 });
    for (let i = 0; i < 20; i++) trainer.step(false);
    trainer.step(true);
    const profile = await tf.profile(() => {
      trainer.step(false);
    });
    const t0 = performance.now();
    for (let i = 0; i < opts.steps; i++) trainer.step(i === opts.steps - 1);
    const ms = (performance.now() - t0) / opts.steps;
    results.push({ loss: kind, msPerStep: ms, kernelsPerStep: profile.kernels.length });
    trainer.dispose();
    fused?.dispose();
    net.dispose();
  }
  return { backend, engine: opts.engine, results };
}

const JACOBIAN_MODES: readonly JacobianMode[] = ['auto', 'forward', 'backprop'];

function jacobianFlag(): JacobianMode {
  const value = stringFlag('jacobian', 'auto');
  const mode = JACOBIAN_MODES.find((m) => m === value);
  if (!mode) throw new Error(`--jacobian must be one of ${JACOBIAN_MODES.join(', ')}, got ${value}`);
  return mode;
}

function engineFlag(): 'fused' | 'tfjs' {
  const value = stringFlag('engine', 'fused');
  if (value !== 'fused' && value !== 'tfjs') throw new Error(`--engine must be fused or tfjs, got ${value}`);
  return value;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const out = await benchTrainStep({
    backend: stringFlag('backend', 'wasm'),
    hidden: numberFlag('hidden', 128),
    batch: numberFlag('batch', 128),
    dim: numberFlag('dim', 2),
    losses: stringFlag('losses', 'dsm,ssm-vr,sm').split(','),
    steps: numberFlag('steps', 200),
    jacobian: jacobianFlag(),
    engine: engineFlag(),
  });
  if (!process.argv.includes('--json')) {
    for (const r of out.results) console.log(`${out.engine.padEnd(6)} ${out.backend.padEnd(8)} ${r.loss.padEnd(7)} ${r.msPerStep.toFixed(2).padStart(8)} ms/step  ${r.kernelsPerStep} kernels`);
  }
  console.log(JSON.stringify(out));
}
