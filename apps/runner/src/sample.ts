/**
 * `scorelab sample --run ID [--set sampler.key=value ...]`: a new run that samples the stored model of run
 * ID with other sampler or eval settings, no training (a one-run sweep `<source sweep>-sample`); and
 * `scorelab model export --run ID --out FILE`: that model's weights and architecture in one file
 * (docs/cli.md#scorelab-model-export). Everything is checked before anything is written (exit 2).
 */
import { writeFileSync } from 'node:fs';
import { applyOverrides, isTrainingKey, storedRunConfig, validateSweep, ConfigError, type JsonValue, type ResolvedRunConfig } from '@scorelab/config';
import { decodeCheckpoint } from '@scorelab/pipeline';
import type { JsonObject, ModelRecord, RunDetail, RunStore } from '@scorelab/tracking';
import { UsageError } from './errors';
import { loadFileDataset } from './file-dataset';
import { withReadonlyStore } from './inspect';
import type { SweepPlan } from './plan';
import type { StoreLocation } from './store-location';

/** The run and its stored model, or exit 2 saying what is missing. */
async function runWithModel(store: RunStore, runId: number, command: string): Promise<{ run: RunDetail; model: ModelRecord }> {
  const run = await store.getRun(runId);
  if (!run) throw new UsageError(`no run ${runId} in this store (list them with: npx scorelab ls --sweep NAME)`, command);
  const model = run.modelId === null ? undefined : await store.getModel(run.modelId);
  if (!model) {
    const why = run.status === 'finished' ? 'it trained nothing (an analytic model) or was stored before models were kept' : `it is ${run.status} and has not finished training`;
    throw new UsageError(`run ${runId} has no stored model: ${why}`, command);
  }
  if (!(await store.getArtifact(model.sourceRunId, model.checkpoint))) throw new UsageError(`run ${runId}'s model (${model.checkpoint} of run ${model.sourceRunId}) is no longer in the store`, command);
  return { run, model };
}

/** The overridden paths of --set path=value texts. */
function overridePaths(overrides: readonly string[]): string[] {
  return [...new Set(overrides.map((o) => (o.includes('=') ? o.slice(0, o.indexOf('=')) : o).trim()))];
}

function valueAt(config: unknown, path: string): JsonValue {
  let v: unknown = config;
  for (const key of path.split('.')) v = typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[key] : undefined;
  return (v ?? null) as JsonValue;
}

export interface SamplePlan {
  plan: SweepPlan;
  /** The model the new run samples. */
  modelId: number;
}

export async function samplePlan(dbPath: StoreLocation, runId: number, overrides: readonly string[]): Promise<SamplePlan> {
  const training = overridePaths(overrides).filter(isTrainingKey);
  if (training.length > 0) {
    throw new UsageError(
      `--set ${training.join(', ')}: ${training.length === 1 ? 'it changes' : 'they change'} the trained model (dataset, model, noise, sde, loss and train are training keys); scorelab sample only changes how a stored model is sampled and evaluated (sampler.*, eval.*): run a sweep for another model`,
      'sample',
    );
  }
  const { run, model, sourceFile } = await withReadonlyStore(dbPath, 'sample', async (store) => {
    const found = await runWithModel(store, runId, 'sample');
    return { ...found, sourceFile: (await store.getSweep(found.run.sweepId))?.filePath ?? null };
  });
  try {
    const base = storedRunConfig(run.config);
    // A file dataset's path is relative to the source sweep's experiment file: the new run's sweep records that
    // file (not `run ID`) so its worker finds the data, which must still be there with the pinned sha256.
    if (base.dataset.kind === 'file') {
      if (!sourceFile) throw new UsageError(`run ${run.id} reads dataset.path ${base.dataset.path}, and its sweep records no experiment file to resolve it against`, 'sample');
      try {
        loadFileDataset(base.dataset, sourceFile);
      } catch (e) {
        if (e instanceof ConfigError) throw new UsageError(`run ${run.id}'s data file (${sourceFile}):\n${e.message.replace(/^/gm, '  ')}`, 'sample');
        throw e;
      }
    }
    const name = run.sweepName;
    const sets = overrides.length > 0 ? ` with ${overrides.map((o) => `--set ${o}`).join(' ')}` : '';
    const description = `scorelab sample of run ${run.id} (sweep ${name})${sets}`;
    const source = validateSweep({ name, description, base, method: 'grid', parameters: {}, seeds: [run.seed] }).experiment;
    const changed = overrides.length > 0 ? applyOverrides(source, overrides, { expand: false }) : source;
    const { experiment, runs: [one] } = validateSweep({ ...changed, parameters: {}, method: 'grid', seeds: [run.seed] });
    if (run.trainingHash !== null && one.trainingHash !== run.trainingHash) throw new UsageError(`the overrides change the training hash of run ${run.id}; scorelab sample cannot change the trained model`, 'sample');
    const params: Record<string, JsonValue> = Object.fromEntries(overridePaths(overrides).map((p) => [p, valueAt(one.config, p)]));
    return {
      plan: { kind: 'run', family: `${name}-sample`, experiment, runs: [{ ...one, params }], filePath: base.dataset.kind === 'file' ? sourceFile! : `run ${run.id}`, description, storedConfig: JSON.parse(JSON.stringify(experiment)) as JsonObject },
      modelId: model.id,
    };
  } catch (e) {
    if (e instanceof ConfigError) throw new UsageError(`invalid --set:\n${e.message.replace(/^/gm, '  ')}`, 'sample');
    throw e;
  }
}

// ------------------------------------------------------------------------------------------------
// scorelab model export

/** The header of an exported model file (its JSON part); docs/cli.md#scorelab-model-export. */
export interface ModelFileHeader {
  format: 'scorelab-model';
  version: 1;
  /** What the weights compute: mlp s(x, c) = f([x, features(c)]) / scale(c); energy E(x, c) = f([x, features(c)]) / scale(c), s = -grad_x E; f the MLP below. */
  architecture: {
    kind: 'mlp' | 'energy';
    /** Layer widths [F0, hidden..., out]: F0 = D + the condition features, out = D (mlp) or 1 (energy), D the data dimension. */
    widths: number[];
    activation: string;
    /** model.conditioning (noise levels) or the time embedding (sde), as in the config's model section. */
    model: ResolvedRunConfig['model'];
    /** The noise family the condition comes from. */
    noise: ResolvedRunConfig['noise'] | null;
    sde: ResolvedRunConfig['sde'] | null;
    dataDim: number;
  };
  /** Each tensor's name, shape (row-major; W: [in, out], y = x W + b) and offset into the weights, in float32 values. */
  tensors: { name: string; shape: number[]; offset: number }[];
  dtype: 'float32';
  endianness: 'little';
  trainingHash: string;
  sourceRun: number;
  steps: number;
}

const MODEL_MAGIC = 'SLMODEL1';

/**
 * Layout: 8 bytes "SLMODEL1", u32 little-endian byte length H of the header, H bytes of UTF-8 JSON (spaces
 * pad it so the weights start at a multiple of 4), then every tensor's float32 little-endian values.
 */
export function encodeModelFile(header: ModelFileHeader, weights: readonly Float32Array[]): Uint8Array {
  let json = JSON.stringify(header);
  while ((12 + new TextEncoder().encode(json).length) % 4 !== 0) json += ' ';
  const text = new TextEncoder().encode(json);
  const total = weights.reduce((a, w) => a + w.length, 0);
  const out = new Uint8Array(12 + text.length + 4 * total);
  out.set(new TextEncoder().encode(MODEL_MAGIC), 0);
  const view = new DataView(out.buffer);
  view.setUint32(8, text.length, true);
  out.set(text, 12);
  let at = 12 + text.length;
  for (const w of weights) {
    for (let i = 0; i < w.length; i++) view.setFloat32(at + 4 * i, w[i], true);
    at += 4 * w.length;
  }
  return out;
}

export function decodeModelFile(bytes: Uint8Array): { header: ModelFileHeader; weights: Float32Array[] } {
  if (new TextDecoder().decode(bytes.subarray(0, 8)) !== MODEL_MAGIC) throw new Error('not a scorelab model file (it does not begin with SLMODEL1)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const h = view.getUint32(8, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + h))) as ModelFileHeader;
  const start = 12 + h;
  const weights = header.tensors.map((t) => {
    const n = t.shape.reduce((a, b) => a * b, 1);
    const w = new Float32Array(n);
    for (let i = 0; i < n; i++) w[i] = view.getFloat32(start + 4 * (t.offset + i), true);
    return w;
  });
  return { header, weights };
}

/** The exported file of run ID's model: its checkpoint's weights with the architecture from its config. */
export async function exportModel(dbPath: StoreLocation, runId: number, outPath: string): Promise<{ bytes: number; parameters: number }> {
  const file = await withReadonlyStore(dbPath, 'model export', async (store) => {
    const { run, model } = await runWithModel(store, runId, 'model export');
    const config = storedRunConfig(run.config);
    const spec = config.model;
    if (spec.kind === 'analytic') throw new UsageError(`run ${runId} has no network to export`, 'model export');
    const artifact = await store.getArtifact(model.sourceRunId, model.checkpoint);
    if (artifact?.content.format !== 'bytes') throw new UsageError(`run ${runId}'s model checkpoint is not readable`, 'model export');
    const weights = decodeCheckpoint(artifact.content.data).trainer.weights;
    // W_l is [w_l, w_(l+1)] and b_l is [w_(l+1)]: the widths follow from the hidden sizes and the tensor sizes.
    const hidden = spec.hidden;
    const widths = [weights[0].length / hidden[0], ...hidden, weights[weights.length - 1].length];
    // The condition's input columns (core conditioner.ts): the sde's time embedding, log sigma with embed, else none.
    const conditionColumns = config.sde ? 1 + 2 * (spec.fourierFeatures ?? 0) : spec.conditioning === 'embed' && config.noise ? 1 : 0;
    const dataDim = spec.kind === 'mlp' ? widths[widths.length - 1] : widths[0] - conditionColumns;
    let offset = 0;
    const tensors = weights.map((w, i) => {
      const l = Math.floor(i / 2);
      const shape = i % 2 === 0 ? [widths[l], widths[l + 1]] : [widths[l + 1]];
      if (shape.reduce((a, b) => a * b, 1) !== w.length) throw new Error(`tensor ${i} has ${w.length} values, expected shape [${shape}]`);
      const t = { name: `dense_${l + 1}/${i % 2 === 0 ? 'kernel' : 'bias'}`, shape, offset };
      offset += w.length;
      return t;
    });
    const header: ModelFileHeader = {
      format: 'scorelab-model',
      version: 1,
      architecture: { kind: spec.kind, widths, activation: spec.activation, model: spec, noise: config.noise ?? null, sde: config.sde ?? null, dataDim },
      tensors,
      dtype: 'float32',
      endianness: 'little',
      trainingHash: model.trainingHash,
      sourceRun: model.sourceRunId,
      steps: model.step,
    };
    return { bytes: encodeModelFile(header, weights), parameters: offset };
  });
  writeFileSync(outPath, file.bytes);
  return { bytes: file.bytes.length, parameters: file.parameters };
}
