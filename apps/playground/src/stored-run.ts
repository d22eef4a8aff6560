/**
 * "Open a stored run": a finished run's resolved config, seed and trained model (its final checkpoint,
 * pipeline/src/checkpoint.ts encoding) from the dashboard's JSON API (docs/api.md), to sample again with
 * the page's sampler settings. The worker runs it as `scorelab sample` does: executeRun with
 * start { kind: 'trained' } (no training; evaluation once, then sampling).
 */
import { resolveRunConfig, storedRunConfig, type ResolvedRunConfig } from '@scorelab/config';
import { PLAYGROUND_DATASETS, samplerInput, type PlaygroundSettings } from './settings';

export interface StoredRun {
  id: number;
  /** The run that trained the model (the run itself, or the one whose model it shares). */
  sourceRunId: number;
  config: ResolvedRunConfig;
  seed: number;
  checkpoint: Uint8Array;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

async function getJson(path: string): Promise<Record<string, unknown>> {
  const res = await fetch(path);
  const body: unknown = await res.json().catch(() => null);
  if (!res.ok) throw new Error(`${path}: ${res.status} ${isRecord(body) && typeof body.error === 'string' ? body.error : res.statusText}`);
  if (!isRecord(body)) throw new Error(`${path}: not a JSON object`);
  return body;
}

function decodeBase64(text: string): Uint8Array {
  const raw = atob(text);
  const bytes = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  return bytes;
}

/** Loads run `id` from the dashboard that serves this page (GET /api/runs/:id and the model's checkpoint/final). */
export async function loadStoredRun(id: number): Promise<StoredRun> {
  if (!Number.isInteger(id) || id < 1) throw new Error(`a run id is a positive integer, got ${id}`);
  const page = await getJson(`/api/runs/${id}`);
  const run = page.run;
  if (!isRecord(run) || typeof run.seed !== 'number') throw new Error(`/api/runs/${id}: no run record`);
  if (run.status !== 'finished') throw new Error(`run ${id} is ${String(run.status)}: only a finished run has a trained model`);
  const config = storedRunConfig(run.config);
  if (!(PLAYGROUND_DATASETS as readonly string[]).includes(config.dataset.kind)) {
    throw new Error(`run ${id} is on dataset ${config.dataset.kind}: the playground draws 2-D toys with an exact density (${PLAYGROUND_DATASETS.join(', ')})`);
  }
  if (config.model.kind === 'analytic') throw new Error(`run ${id} has model analytic: there is no trained model to load`);
  const model = page.model;
  const sourceRunId = isRecord(model) && typeof model.sourceRunId === 'number' ? model.sourceRunId : id;
  const artifact = await getJson(`/api/runs/${sourceRunId}/artifacts/${encodeURIComponent('checkpoint/final')}`);
  if (typeof artifact.base64 !== 'string') throw new Error(`run ${sourceRunId}'s checkpoint/final has no bytes`);
  return { id, sourceRunId, config, seed: run.seed, checkpoint: decodeBase64(artifact.base64) };
}

/** The stored run's config with the page's sampler (the nearest one that fits the run's noise family). */
export function resampleConfig(stored: StoredRun, settings: PlaygroundSettings): ResolvedRunConfig {
  const { config } = stored;
  const clean = config.noise === undefined && config.sde === undefined;
  return resolveRunConfig({ ...config, sampler: samplerInput(settings, config.sde !== undefined, clean) });
}
