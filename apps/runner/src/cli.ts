/**
 * The `scorelab` command line (docs/cli.md): sweep, run, ls, show, export.
 * Exit codes: 0 success, 1 some runs failed, 2 bad input (nothing written), 130 interrupted.
 */
import { statSync } from 'node:fs';
import yargs from 'yargs';
import { BACKEND_NAMES, DEFAULT_DB, DEFAULT_EXPERIMENT, backendProblem, scorelabVersion } from './environment';
import { CommandFailure, EXIT, UsageError } from './errors';
import { heartbeatTimeoutMs, storeMaxPages, workerMemoryLimitMb } from './limits';
import type { ProgressMode } from './progress';
import { shellQuote } from './shell';

// The commands are loaded when used, so --help and argument errors answer fast (zod, SQLite and
// the experiment machinery take most of a second to load).
const commands = {
  plan: () => import('./plan'),
  sample: () => import('./sample'),
  sweep: () => import('./run-sweep'),
  inspect: () => import('./inspect'),
};

/** tfjs on wasm is single-threaded: one worker per core of a 2-core laptop. */
export const DEFAULT_WORKERS = 2;

interface CommonRunArgs {
  db?: string;
  backend?: string;
  quiet?: boolean;
  json?: boolean;
}

function progressMode(args: CommonRunArgs): ProgressMode {
  if (args.json) return 'json';
  if (args.quiet) return 'quiet';
  return process.stderr.isTTY ? 'tty' : 'lines';
}

/** Everything about the store and backend that can be checked before anything is written. */
function checkRunInputs(args: CommonRunArgs, command: string): string {
  const dbPath = args.db ?? DEFAULT_DB;
  try {
    if (statSync(dbPath).isDirectory()) throw new UsageError(`--db ${dbPath} is a directory; give the store file, e.g. --db ${shellQuote(`${dbPath.replace(/\/$/, '')}/scorelab.db`)}`, command);
  } catch (e) {
    if (e instanceof UsageError) throw e;
    // ENOENT: the store will be created.
  }
  if (args.backend !== undefined) {
    const problem = backendProblem(args.backend);
    if (problem) throw new UsageError(problem, command);
  }
  // The SCORELAB_* limits are read later; a bad value is bad input before anything is written.
  heartbeatTimeoutMs();
  workerMemoryLimitMb(1);
  storeMaxPages();
  return dbPath;
}

const dbOption = { type: 'string', describe: `run store (SQLite file), default runs/scorelab.db in the workspace`, requiresArg: true } as const;
const backendOption = { type: 'string', choices: BACKEND_NAMES, describe: 'tensor backend (default: the first that loads of tensorflow-gpu, tensorflow, wasm, cpu)' } as const;
const quietOption = { type: 'boolean', describe: 'print only the final summary' } as const;
const jsonOption = { type: 'boolean', describe: 'JSON-lines events on stdout (run-start, progress, run-end, sweep-end)' } as const;

function positiveInt(label: string, v: unknown, min: number): true {
  if (v === undefined) return true;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw new UsageError(`${label} must be an integer >= ${min}, got ${String(v)}`);
  return true;
}

export async function main(argv: readonly string[]): Promise<number> {
  // A closed stdout or stderr (`| head`, or Nx exiting first on Ctrl-C) must not crash the sweep
  // before it has recorded its runs' ends: output errors are dropped.
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);
  let exitCode: number = EXIT.ok;
  const out = (text: string): void => {
    process.stdout.write(text);
  };
  const parser = yargs([...argv])
    .scriptName('scorelab')
    .usage('Train, sample and compare score-based models; runs are stored in a SQLite file.\n\nUsage: $0 <command> [options]')
    .command(
      'sweep',
      'run every run of an experiment file (a sweep) in worker processes',
      (y) =>
        y
          .options({
            config: { type: 'string', describe: 'experiment file (YAML or JSON)', defaultDescription: 'experiments/quickstart.yaml', requiresArg: true },
            db: dbOption,
            workers: { type: 'number', describe: 'worker processes (one run each at a time)', default: DEFAULT_WORKERS, requiresArg: true },
            resume: { type: 'boolean', describe: 'continue the latest sweep of this experiment: redo failed, killed and crashed runs, skip finished ones' },
            retrain: { type: 'boolean', describe: 'train the models of this sweep even where the store has a finished model of the same training hash' },
            backend: backendOption,
            quiet: quietOption,
            json: jsonOption,
          })
          .conflicts('quiet', 'json')
          .check((a) => positiveInt('--workers', a.workers, 1))
          .example('$0 sweep', 'run experiments/quickstart.yaml into runs/scorelab.db')
          .example('$0 sweep --config experiments/tiny.yaml --db /tmp/tiny.db', 'another experiment and store')
          .example('$0 sweep --config my.yaml --resume', 'finish an interrupted sweep (failed and killed runs are redone)')
          .example('$0 sweep --workers 1 --backend cpu --json', 'one worker on the pure-JS backend, machine-readable progress')
          .epilogue('Exit codes: 0 every run finished, 1 some runs failed, 2 bad input (nothing written), 130 interrupted (resume with --resume).'),
      async (a) => {
        const dbPath = checkRunInputs(a, 'sweep');
        const given = a.config !== undefined;
        const filePath = a.config ?? DEFAULT_EXPERIMENT;
        const p = (await commands.plan()).sweepPlan(filePath);
        exitCode = await (await commands.sweep()).executeSweep(p, {
          dbPath,
          workers: a.workers,
          resume: a.resume ?? false,
          retrain: a.retrain ?? false,
          backend: a.backend,
          mode: progressMode(a),
          resumeCommand: `npx scorelab sweep${given ? ` --config ${shellQuote(filePath)}` : ''}`,
          command: 'sweep',
        });
      },
    )
    .command(
      'run',
      "one run of an experiment file's base config, with overrides (stored as a one-run sweep '<name>-run')",
      (y) =>
        y
          .options({
            config: { type: 'string', describe: 'experiment file (its parameters are ignored; only base is run)', demandOption: true, requiresArg: true },
            set: { type: 'string', array: true, describe: 'override a base value: dotted.path=value (value parsed as YAML); repeatable', requiresArg: true },
            seed: { type: 'number', describe: "seed of the run (default: the file's first seed)", requiresArg: true },
            db: dbOption,
            backend: backendOption,
            quiet: quietOption,
            json: jsonOption,
          })
          .conflicts('quiet', 'json')
          .check((a) => positiveInt('--seed', a.seed, 0))
          .example('$0 run --config experiments/tiny.yaml', 'the base config of tiny.yaml, first seed')
          .example('$0 run --config experiments/quickstart.yaml --set loss.kind=ssm-vr --set sampler.stepSize=0.05 --seed 3', 'overrides and a seed')
          .example("$0 run --config x.yaml --set 'model.hidden=[32, 32]'", 'a list value (quote it for the shell)')
          .epilogue('Exit codes: 0 finished, 1 failed, 2 bad input (nothing written), 130 interrupted.'),
      async (a) => {
        const dbPath = checkRunInputs(a, 'run');
        const p = (await commands.plan()).runPlan(a.config, a.set ?? [], a.seed);
        exitCode = await (await commands.sweep()).executeSweep(p, { dbPath, workers: 1, resume: false, backend: a.backend, mode: progressMode(a), resumeCommand: null, command: 'run' });
      },
    )
    .command(
      'sample',
      'a new run that samples the stored model of a run with other sampler or eval settings, without training',
      (y) =>
        y
          .options({
            run: { type: 'number', describe: 'the run whose model to sample (as listed by ls --sweep)', demandOption: true, requiresArg: true },
            set: { type: 'string', array: true, describe: 'change a sampler or eval value: dotted.path=value (value parsed as YAML); repeatable', requiresArg: true },
            db: dbOption,
            backend: backendOption,
            quiet: quietOption,
            json: jsonOption,
          })
          .conflicts('quiet', 'json')
          .check((a) => positiveInt('--run', a.run, 1))
          .example('$0 sample --run 6 --set sampler.stepSize=0.05', "run 6's model, sampled with another step size")
          .epilogue('Exit codes: 0 finished, 1 failed, 2 bad input (no such run, no stored model, a --set of a training key; nothing written), 130 interrupted.'),
      async (a) => {
        const dbPath = checkRunInputs(a, 'sample');
        const { plan, modelId } = await (await commands.sample()).samplePlan(dbPath, a.run, a.set ?? []);
        exitCode = await (await commands.sweep()).executeSweep(plan, { dbPath, workers: 1, resume: false, backend: a.backend, mode: progressMode(a), resumeCommand: null, command: 'run', modelId });
      },
    )
    .command('model', 'stored models', (y) =>
      y
        .command(
          'export',
          "write the weights and architecture of a run's model to a file (docs/cli.md: scorelab model export)",
          (z) =>
            z
              .options({
                run: { type: 'number', describe: 'the run whose model to export', demandOption: true, requiresArg: true },
                out: { type: 'string', describe: 'the file to write', demandOption: true, requiresArg: true },
                db: dbOption,
              })
              .check((a) => positiveInt('--run', a.run, 1))
              .example('$0 model export --run 6 --out model.slm', "run 6's model"),
          async (a) => {
            const r = await (await commands.sample()).exportModel(a.db ?? DEFAULT_DB, a.run, a.out);
            process.stderr.write(`wrote ${r.parameters} weights (${r.bytes} bytes) to ${a.out}\n`);
          },
        )
        .demandCommand(1, 'choose a subcommand: model export'),
    )
    .command(
      'ls',
      'list sweeps with run counts, or the runs of one sweep',
      (y) =>
        y
          .options({ sweep: { type: 'string', describe: 'list the runs of this sweep (name or id)', requiresArg: true }, db: dbOption })
          .example('$0 ls', 'every sweep: status and run counts')
          .example('$0 ls --sweep quickstart', "quickstart's runs: status, params, seed, key final metrics, duration"),
      async (a) => {
        out(await (await commands.inspect()).lsCommand(a.db ?? DEFAULT_DB, a.sweep));
      },
    )
    .command(
      'show <run>',
      'everything about one run: status, params, config, timings, backend, versions, error, final metrics, artifacts',
      (y) =>
        y
          .positional('run', { type: 'number', describe: 'run id (as listed by ls --sweep)' })
          .options({ db: dbOption })
          .check((a) => positiveInt('RUN_ID', a.run, 1))
          .example('$0 show 12', 'run 12 of runs/scorelab.db'),
      async (a) => {
        out(await (await commands.inspect()).showCommand(a.db ?? DEFAULT_DB, a.run!));
      },
    )
    .command(
      'export',
      'one record per run (id, sweep, status, seed, params, resolved config, final value of every metric) as JSON or CSV',
      (y) =>
        y
          .options({
            format: { type: 'string', choices: ['json', 'csv'] as const, demandOption: true, describe: 'json: an array of records; csv: one row per run, params and metrics as columns', requiresArg: true },
            sweep: { type: 'string', describe: 'only this sweep (name or id)', requiresArg: true },
            out: { type: 'string', describe: 'write to this file instead of stdout', requiresArg: true },
            db: dbOption,
          })
          .example('$0 export --format csv --out runs.csv', 'every run of runs/scorelab.db')
          .example('$0 export --sweep quickstart --format json > quickstart.json', 'one sweep as JSON'),
      async (a) => {
        const r = await (await commands.inspect()).exportCommand(a.db ?? DEFAULT_DB, a.sweep, a.format, a.out);
        if (r.written) process.stderr.write(`wrote ${r.count} run${r.count === 1 ? '' : 's'} to ${r.written}\n`);
        else out(r.text);
      },
    )
    .demandCommand(1, 'choose a command: sweep, run, sample, model, ls, show or export')
    .strict()
    .recommendCommands()
    .help()
    .alias('h', 'help')
    .version(scorelabVersion())
    .wrap(Math.min(110, process.stdout.columns ?? 100))
    .exitProcess(false)
    .fail((msg, err) => {
      if (err) throw err;
      // recommendCommands() reports an unknown command as just 'Did you mean ...?'.
      const unknown = msg?.startsWith('Did you mean') && argv[0] !== undefined ? `unknown command '${argv[0]}'. ` : '';
      throw new UsageError(`${unknown}${msg ?? 'invalid arguments'}`);
    });

  try {
    await parser.parseAsync();
    return exitCode;
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`scorelab: ${e.message}\n`);
      const cmd = e.command ?? (argv.length > 0 && ['sweep', 'run', 'sample', 'model', 'ls', 'show', 'export'].includes(argv[0]) ? argv[0] : undefined);
      process.stderr.write(`(see: scorelab ${cmd ? `${cmd} ` : ''}--help)\n`);
      return EXIT.usage;
    }
    // A --db that is not a scorelab store (or not writable): one line, the file untouched, exit 2.
    // (inspect loads the store package; after a failure that costs nothing.)
    const storeProblem = (await commands.inspect()).unusableStoreMessage(e);
    if (storeProblem !== null) {
      process.stderr.write(`scorelab: ${storeProblem}\n`);
      return EXIT.usage;
    }
    if (e instanceof CommandFailure) {
      process.stderr.write(`scorelab: ${e.message}\n`);
      return EXIT.runsFailed;
    }
    process.stderr.write(`scorelab: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return EXIT.runsFailed;
  }
}
