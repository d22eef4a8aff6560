// A short digits run end to end through the real CLI: 64-D data without a known density, trained by dsm,
// sampled by ald; its ground-truth-free metrics and image artifacts in the store.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIGITS_DIM, DIGITS_MAX_PIXEL, digitsSplit, digitsTable } from '@scorelab/datasets';
import { openStore, type Artifact, type RunDetail, type RunStore } from '@scorelab/tracking';
import { runCli, tempDir, type CliResult, type TempDir } from './helpers';

const SIGMAS = ['1', '0.3162', '0.1']; // geometric 1 -> 0.1 over 3 levels, 4 significant digits
const SAMPLES = 80;
const DATA_ROWS = 100;
const IMAGES = 64; // IMAGE_ARTIFACT_IMAGES: trajectory and nearest-train images

const EXPERIMENT = `name: digits-e2e
base:
  dataset: { kind: digits }
  model: { kind: mlp, hidden: [64], activation: softplus, conditioning: embed }
  noise: { schedule: geometric, sigmaMax: 1, sigmaMin: 0.1, levels: 3 }
  loss: { kind: dsm }
  train: { steps: 100, batchSize: 64, logEvery: 50 }
  sampler: { kind: ald, stepSize: 0.0005, stepsPerLevel: 5, samples: ${SAMPLES}, init: { kind: uniform, low: 0, high: 1 } }
  eval: { every: 50, metrics: [dsm, ssm, mmd, nnDist], samples: ${DATA_ROWS} }
seeds: [0]
`;

/** Rows of a float32 artifact as arrays. */
function rowsOf(a: Artifact | undefined): number[][] {
  const content = a?.content;
  if (content?.format !== 'float32') throw new Error(`expected a float32 artifact, got ${content?.format}`);
  const [n, d] = content.shape;
  return Array.from({ length: n }, (_, i) => Array.from(content.data.subarray(i * d, (i + 1) * d)));
}

const distance = (a: number[], b: number[]) => Math.sqrt(a.reduce((s, v, i) => s + (v - b[i]) ** 2, 0));

/** Index of the nearest row of `train` to x, by brute force in float64. */
function nearest(x: number[], train: number[][]): number {
  let best = 0;
  let bestD = Infinity;
  train.forEach((t, j) => {
    const d = distance(x, t);
    if (d < bestD) [best, bestD] = [j, d];
  });
  return best;
}

describe('a digits run through scorelab sweep', () => {
  let dir: TempDir;
  let result: CliResult;
  let store: RunStore;
  let run: RunDetail;
  // The split read from the table here (no tensors): pixels v / 16 (no dequantisation).
  const { pixels } = digitsTable();
  const image = (i: number) => Array.from(pixels.values.subarray(i * DIGITS_DIM, (i + 1) * DIGITS_DIM), (v) => v / DIGITS_MAX_PIXEL);
  const split = digitsSplit();
  const train = split.train.map(image);
  const test = split.test.map(image);

  beforeAll(async () => {
    dir = tempDir();
    const file = dir.write('digits.yaml', EXPERIMENT);
    result = await runCli(['sweep', '--config', file, '--db', dir.file('store.db'), '--workers', '1']);
    store = await openStore(dir.file('store.db'), { readonly: true });
    const [summary] = await store.listRuns({ sweepId: (await store.getSweep('digits-e2e'))!.id });
    run = (await store.getRun(summary.id))!;
  }, 120_000);
  afterAll(async () => {
    await store?.close();
    dir.remove();
  });

  it('finishes, with the held-out losses per level, their weighted mean, eval/ssm and no eval/fisher', async () => {
    expect(result.code, result.stderr).toBe(0);
    expect(run.status).toBe('finished');
    const keys = await store.metricKeys({ runId: run.id });
    expect(keys.filter((k) => k.startsWith('eval/')).sort()).toEqual(['eval/dsm', ...SIGMAS.map((s) => `eval/dsm@${s}`), 'eval/ssm'].sort());
    // Logged at every evaluation (steps 50 and 100).
    expect((await store.metricSeries(run.id, 'eval/dsm')).points.map((p) => p.step)).toEqual([50, 100]);
    // eval/dsm = (1/K) sum_k sigma_k^2 eval/dsm@sigma_k (the keys round sigma to 4 digits; the weights use the exact levels).
    const levels = [1, Math.sqrt(0.1), 0.1];
    const weighted = levels.reduce((s, sigma, k) => s + sigma ** 2 * run.latest[`eval/dsm@${SIGMAS[k]}`], 0) / levels.length;
    expect(run.latest['eval/dsm']).toBeCloseTo(weighted, 4);
    // A denoising loss is a mean of squares; the sliced loss of an untrained-ish model is finite.
    for (const s of SIGMAS) expect(run.latest[`eval/dsm@${s}`]).toBeGreaterThan(0);
    expect(Number.isFinite(run.latest['eval/ssm'])).toBe(true);
  });

  it('measures the samples against the held-out images, with the memorisation check', () => {
    for (const k of ['sample/mmd', 'ref/mmd', 'sample/mmd_p', 'sample/nn_dist', 'ref/nn_dist']) expect(Number.isFinite(run.latest[k]), k).toBe(true);
    // ref/nn_dist: every held-out image to its nearest training image, recomputed here in float64 (the
    // metric's float32 expansion ||a||^2 + ||b||^2 - 2 a.b is good to ~1e-3 at distances ~1).
    const ref = test.reduce((s, x) => s + distance(x, train[nearest(x, train)]), 0) / test.length;
    expect(Math.abs(run.latest['ref/nn_dist'] - ref)).toBeLessThan(2e-3);
    expect(run.latest['sample/nn_dist']).toBeGreaterThan(0.1);
  });

  it('stores the images the dashboard draws: samples, data-samples, the ald trajectory and the nearest training images', async () => {
    const names = (await store.listArtifacts(run.id)).map((a) => a.name).sort();
    expect(names.filter((n) => !n.startsWith('checkpoint'))).toEqual(['data-samples', 'nearest-train', 'samples', 'trajectory']);
    const samples = rowsOf(await store.getArtifact(run.id, 'samples'));
    expect([samples.length, samples[0].length]).toEqual([SAMPLES, 64]);
    // data-samples: the first eval.samples held-out images.
    expect(rowsOf(await store.getArtifact(run.id, 'data-samples'))).toEqual(test.slice(0, DATA_ROWS).map((r) => r.map((v) => Math.fround(v))));

    const trajectory = await store.getArtifact(run.id, 'trajectory');
    if (trajectory?.content.format !== 'json') throw new Error('trajectory is json');
    const { labels, snapshots } = trajectory.content.value as { labels: string[]; snapshots: (number | null)[][][] };
    expect(labels).toEqual(['init', ...SIGMAS.map((s) => `after sigma=${s}`)]);
    expect(snapshots.map((s) => [s.length, s[0].length])).toEqual(labels.map(() => [IMAGES, 64]));
    // The last snapshot is the final samples; the first lies in the uniform init box [0, 1).
    expect(snapshots.at(-1)!.map((r) => r.map((v) => Math.fround(v!)))).toEqual(samples.slice(0, IMAGES));
    expect(snapshots[0].flat().every((v) => v !== null && v >= 0 && v < 1)).toBe(true);

    // nearest-train: a training image per sample (the first IMAGES, in order), the nearest by brute force.
    const nearestTrain = rowsOf(await store.getArtifact(run.id, 'nearest-train'));
    expect(nearestTrain).toHaveLength(IMAGES);
    nearestTrain.forEach((row, i) => {
      const j = nearest(samples[i], train);
      // Ties within float32 rounding aside, the same image: compare distances, then the pixels.
      expect(distance(samples[i], row)).toBeCloseTo(distance(samples[i], train[j]), 3);
      expect(train.some((t) => t.every((v, p) => Math.fround(v) === row[p]))).toBe(true);
    });
  });
});
