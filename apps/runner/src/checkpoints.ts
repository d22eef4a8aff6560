/**
 * A worker's side of checkpoints (docs/store.md#checkpoints): each is an artifact of kind `checkpoint`
 * of its run, `checkpoint/<step>` every train.checkpointEvery steps (the last train.keepCheckpoints of
 * them kept, default 1) and `checkpoint/final` after the last step, which is recorded as the run's
 * trained model (a `models` row). A run that has checkpoints when it starts (a resumed one) continues
 * from its latest.
 */
import type { ResolvedRunConfig } from '@scorelab/config';
import { checkpointSteps, type RunHooks, type TrainingStart } from '@scorelab/pipeline';
import type { ArtifactInfo, Run, RunStore } from '@scorelab/tracking';
import type { ModelReuse } from './ipc';

export const CHECKPOINT_KIND = 'checkpoint';
export const FINAL_CHECKPOINT = 'checkpoint/final';

/** The step of an intermediate checkpoint's name, or null for the final one and other names. */
function intermediateStep(name: string): number | null {
  const m = /^checkpoint\/(\d+)$/.exec(name);
  return m ? Number(m[1]) : null;
}

/** The run's checkpoint artifacts, latest first (the final one before every intermediate one). */
export function checkpointsLatestFirst(artifacts: readonly ArtifactInfo[]): ArtifactInfo[] {
  const rank = (a: ArtifactInfo) => (a.name === FINAL_CHECKPOINT ? Infinity : (intermediateStep(a.name) ?? -1));
  return artifacts.filter((a) => a.kind === CHECKPOINT_KIND && rank(a) >= 0).sort((a, b) => rank(b) - rank(a));
}

/** The step of the latest checkpoint of a run, or null when it has none (what a resume keeps the points up to). */
export async function latestCheckpointStep(store: RunStore, runId: number): Promise<number | null> {
  const [latest] = checkpointsLatestFirst(await store.listArtifacts(runId));
  if (!latest) return null;
  const step = intermediateStep(latest.name);
  if (step !== null) return step;
  const artifact = await store.getArtifact(runId, latest.name);
  return artifact?.content.format === 'bytes' ? checkpointSteps(artifact.content.data) : null;
}


/**
 * Where the run starts: its own latest checkpoint (resume); else the stored model of its training hash,
 * which it then records as its model (training skipped); else step 0.
 */
export async function startOfRun(store: RunStore, run: Run, reuse: ModelReuse): Promise<TrainingStart | null> {
  const [latest] = checkpointsLatestFirst(await store.listArtifacts(run.id));
  if (latest) {
    const artifact = await store.getArtifact(run.id, latest.name);
    if (artifact?.content.format === 'bytes') return { checkpoint: artifact.content.data, kind: 'resume' };
  }
  // A model given to the run (scorelab sample), else the stored one of its training hash.
  if (run.modelId !== null) {
    const given = await store.getModel(run.modelId);
    const artifact = given && (await store.getArtifact(given.sourceRunId, given.checkpoint));
    if (artifact?.content.format === 'bytes') return { checkpoint: artifact.content.data, kind: 'trained' };
  }
  if (reuse === 'none' || !run.trainingHash) return null;
  const model = await store.findModel(run.trainingHash);
  if (!model) return null;
  if (reuse === 'sweep' && (await store.getRun(model.sourceRunId))?.sweepId !== run.sweepId) return null;
  const artifact = await store.getArtifact(model.sourceRunId, model.checkpoint);
  if (artifact?.content.format !== 'bytes') return null;
  await store.setRunModel(run.id, model.id);
  return { checkpoint: artifact.content.data, kind: 'trained' };
}

/** RunHooks.checkpoint for a worker: save, prune to the last keepCheckpoints, record the final one as a model. */
export function runCheckpoints(store: RunStore, run: Run, config: ResolvedRunConfig, flushMetrics: () => Promise<void>): NonNullable<RunHooks['checkpoint']> {
  const keep = config.train?.keepCheckpoints ?? 1;
  return async (step, bytes, final) => {
    await flushMetrics();
    const name = final ? FINAL_CHECKPOINT : `checkpoint/${step}`;
    await store.saveArtifact(run.id, { name, kind: CHECKPOINT_KIND, content: { format: 'bytes', data: bytes } });
    const older = checkpointsLatestFirst(await store.listArtifacts(run.id)).filter((a) => a.name !== FINAL_CHECKPOINT);
    for (const a of older.slice(keep)) await store.deleteArtifact(run.id, a.name);
    if (final && run.trainingHash) await store.saveModel({ trainingHash: run.trainingHash, sourceRunId: run.id, checkpoint: name, step });
  };
}
