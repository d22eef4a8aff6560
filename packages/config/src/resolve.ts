import { ConfigError, type PathSegment, placeIssues, type RawIssue } from './errors';
import { type ResolvedRunConfig, RunConfigSchema } from './schema';
import { fromZodIssues } from './zod-issues';

/** Validates one run config and fills its defaults; issues are placed under `prefix`. */
export function checkRunConfig(input: unknown, prefix: readonly PathSegment[] = []): { config?: ResolvedRunConfig; issues: RawIssue[] } {
  const result = RunConfigSchema.safeParse(input, { reportInput: true });
  if (result.success) return { config: result.data, issues: [] };
  return { issues: fromZodIssues(result.error.issues, prefix, RunConfigSchema, input) };
}

/** A run config as written -> the fully resolved one (every default filled); throws ConfigError. */
export function resolveRunConfig(input: unknown): ResolvedRunConfig {
  const { config, issues } = checkRunConfig(input);
  if (!config) throw new ConfigError(placeIssues(issues));
  return config;
}

/**
 * A resolved config read back from the run store: validated (ConfigError names what is wrong) and
 * returned exactly as stored. Not re-resolved: normalising already-normalised gmm weights again can
 * move them by an ulp, and the run must execute the config its hash was computed from.
 */
export function storedRunConfig(stored: unknown): ResolvedRunConfig {
  resolveRunConfig(stored);
  return stored as ResolvedRunConfig;
}
