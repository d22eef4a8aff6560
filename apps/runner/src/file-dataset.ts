/**
 * `dataset: { kind: file }` on the Node side: resolve the path against the experiment file's directory,
 * refuse one that leaves it, read and parse the file (@scorelab/datasets parseCsvPoints / parseNpyPoints),
 * and pin its sha256 in the resolved config so a changed file changes the config and training hashes.
 *
 * "Inside": the path must be relative; path.resolve(dir, given) must lie in dir (so a .. that leaves it is
 * refused), and so must fs.realpath of the file against fs.realpath of dir (so a symbolic link anywhere on
 * the way that points out of it is refused).
 */
import { createHash } from 'node:crypto';
import { readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { ConfigError, configHash, trainingHash, type DatasetSpec, type RunConfig } from '@scorelab/config';
import { DataFileError, parseCsvPoints, parseNpyPoints, type DataPoints } from '@scorelab/datasets';

/** Largest data file read (bytes): the points are held in memory as float32, and parsed text takes more. */
export const DATA_FILE_MAX_BYTES = 256 * 1024 * 1024;

type FileDatasetSpec = Extract<DatasetSpec, { kind: 'file' }>;

export interface LoadedFileDataset {
  points: DataPoints;
  /** sha256 of the file's bytes, lowercase hex. */
  sha256: string;
  /** The file read, after symbolic links. */
  resolvedPath: string;
  /** Column names of a csv's header line, else null. */
  header: string[] | null;
}

/** A problem with dataset.path, as a config error naming the key (exit 2 through the plan's handling). */
function pathError(experimentFile: string, message: string): ConfigError {
  return new ConfigError([{ path: 'dataset.path', message }], experimentFile);
}

function isInside(dir: string, target: string): boolean {
  const rel = relative(dir, target);
  return rel !== '' && !rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel);
}

/** The real path of `given`, which must name a file inside the experiment file's directory (see the module comment). */
export function resolveDataPath(given: string, experimentFile: string): string {
  const dir = resolve(dirname(experimentFile));
  if (isAbsolute(given)) throw pathError(experimentFile, `'${given}' is absolute: give the data file's path relative to the experiment file's directory (${dir})`);
  const target = resolve(dir, given);
  if (!isInside(dir, target)) throw pathError(experimentFile, `'${given}' leaves the experiment file's directory (${dir}): the data file must be inside it`);
  let real: string;
  try {
    real = realpathSync(target);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw pathError(experimentFile, `'${given}': ${code === 'ENOENT' ? `no such file (looked for ${target})` : (e as Error).message}`);
  }
  if (!isInside(realpathSync(dir), real)) throw pathError(experimentFile, `'${given}' is a symbolic link (or inside one) to ${real}, outside the experiment file's directory (${dir})`);
  const stats = statSync(real);
  if (!stats.isFile()) throw pathError(experimentFile, `'${given}' is not a file`);
  if (stats.size > DATA_FILE_MAX_BYTES) throw pathError(experimentFile, `'${given}' is ${stats.size} bytes, more than the ${DATA_FILE_MAX_BYTES} read`);
  return real;
}

/**
 * Read and parse the data file of `spec` (path relative to `experimentFile`'s directory). Refused, as a
 * ConfigError naming dataset.path or dataset.sha256: a path outside the directory, a missing file, a
 * parse problem (with the file and line: `my.csv:17: ...`), a sha256 that does not match.
 */
export function loadFileDataset(spec: FileDatasetSpec, experimentFile: string): LoadedFileDataset {
  const real = resolveDataPath(spec.path, experimentFile);
  const bytes = readFileSync(real);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  if (spec.sha256 !== undefined && spec.sha256 !== sha256) {
    throw new ConfigError([{ path: 'dataset.sha256', message: `${spec.path} has sha256 ${sha256}, not ${spec.sha256}: the file changed (update dataset.sha256, or remove it to accept the file as it is)` }], experimentFile);
  }
  try {
    if (spec.format === 'npy') return { points: parseNpyPoints(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)), sha256, resolvedPath: real, header: null };
    const parsed = parseCsvPoints(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
    return { points: parsed.points, sha256, resolvedPath: real, header: parsed.header };
  } catch (e) {
    if (e instanceof DataFileError) {
      const where = e.line !== undefined ? `${spec.path}:${e.line}: ${e.message.replace(/^line \d+: /, '')}` : `${spec.path}: ${e.message}`;
      throw pathError(experimentFile, where);
    }
    if (e instanceof TypeError) throw pathError(experimentFile, `${spec.path}: not UTF-8 text (is it a .npy file? then give format: npy)`);
    throw e;
  }
}

/**
 * The runs with every file dataset's sha256 recorded in dataset.sha256 (each distinct path read once) and their
 * config and training hashes recomputed, so a changed file is a different run and model. Runs of other datasets
 * are returned unchanged. Problems are ConfigErrors (see loadFileDataset).
 */
export function pinFileDatasets(runs: readonly RunConfig[], experimentFile: string): RunConfig[] {
  const digests = new Map<string, string>();
  return runs.map((run) => {
    const dataset = run.config.dataset;
    if (dataset.kind !== 'file') return run;
    const key = `${dataset.path}\u0000${dataset.format}\u0000${dataset.sha256 ?? ''}`;
    let sha256 = digests.get(key);
    if (sha256 === undefined) {
      sha256 = loadFileDataset(dataset, experimentFile).sha256;
      digests.set(key, sha256);
    }
    const config = { ...run.config, dataset: { ...dataset, sha256 } };
    return { ...run, config, hash: configHash(config, run.seed), trainingHash: trainingHash(config, run.seed) };
  });
}
