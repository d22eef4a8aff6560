/**
 * The `scorelab` command line (docs/cli.md): sweep, run, sample, worker, model export, ls, show,
 * export, store copy. Every command takes --store FILE|URL (--db FILE is its alias for SQLite).
 * Exit codes: 0 success, 1 some runs failed, 2 bad input (nothing written), 130 interrupted.
 */
import { statSync } from 'node:fs';
import yargs from 'yargs';
import { BACKEND_NAMES, DEFAULT_EXPERIMENT, backendProblem, scorelabVersion } from './environment';
import { CommandFailure, EXIT, UsageError } from './errors';
import { heartbeatTimeoutMs, storeMaxPages, workerMemoryLimitMb } from './limits';
import type { ProgressMode } from './progress';
import { shellQuote } from './shell';
import { isPostgresUrl, storeLocation, type StoreLocation } from './store-location';

// The commands are loaded when used, so --help and argument errors answer fast (zod, SQLite and
// the experiment machinery take most of a second to load).
const commands = {
  plan: () => import('./plan'),
  sample: () => import('./sample'),
  sweep: () => import('./run-sweep'),
  inspect: () => import('./inspect'),
  worker: () => import('./worker-command'),
  copy: () => import('./store-copy'),
};

/** tfjs on wasm is single-threaded: one worker per core of a 2-core laptop. */
export const DEFAULT_WORKERS = 2;

interface CommonRunArgs {
  store?: string;
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
function checkRunInputs(args: CommonRunArgs, command: string): StoreLocation {
  const loc = storeLocation(args, command);
  if (loc.kind === 'sqlite') {
    const dbPath = loc.path;
    try {
      if (statSync(dbPath).isDirectory()) throw new UsageError(`--db ${dbPath} is a directory; give the store file, e.g. --db ${shellQuote(`${dbPath.replace(/\/$/, '')}/scorelab.db`)}`, command);
    } catch (e) {
      if (e instanceof UsageError) throw e;
      // ENOENT: the store will be created.
    }
  }
  if (args.backend !== undefined) {
    const problem = backendProblem(args.backend);
    if (problem) throw new UsageError(problem, command);
  }
  // The SCORELAB_* limits are read later; a bad value is bad input before anything is written.
  heartbeatTimeoutMs();
  workerMemoryLimitMb(1);
  storeMaxPages();
  return loc;
}

const storeOption = { type: 'string', describe: 'run store: a SQLite file or postgres://user@host:port/db (default: $SCORELAB_STORE, else runs/scorelab.db in the workspace)', requiresArg: true } as const;
const dbOption = { type: 'string', describe: 'the same as --store, for a SQLite file', requiresArg: true } as const;
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
    .usage('Train, sample and compare score-based models; runs are stored in a SQLite file or a PostgreSQL database.\n\nUsage: $0 <command> [options]')
    .command(
      'sweep',
      'run every run of an experiment file (a sweep) in worker processes',
      (y) =>
        y
          .options({
            config: { type: 'string', describe: 'experiment file (YAML or JSON)', defaultDescription: 'experiments/quickstart.yaml', requiresArg: true },
            store: storeOption,
            db: dbOption,
            workers: { type: 'number', describe: 'worker processes (one run each at a time)', default: DEFAULT_WORKERS, requiresArg: true },
            resume: { type: 'boolean', describe: 'continue the latest sweep of this experiment: redo failed, killed and crashed runs, skip finished ones' },
            retrain: { type: 'boolean', describe: 'train the models of this sweep even where the store has a finished model of the same training hash' },
            enqueue: { type: 'boolean', describe: 'PostgreSQL store: put the runs on its queue and return; scorelab worker runs them on any machine' },
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
          .example('$0 sweep --store postgres://me@db-host/scorelab --enqueue', 'queue the runs for workers on other machines (docs/distributed.md)')
          .epilogue('Exit codes: 0 every run finished, 1 some runs failed, 2 bad input (nothing written), 130 interrupted (resume with --resume).'),
      async (a) => {
        const store = checkRunInputs(a, 'sweep');
        if (a.enqueue && store.kind !== 'postgres') throw new UsageError('--enqueue needs a PostgreSQL store (--store postgres://user@host:port/db): the queue lives in its database; without --enqueue the sweep runs here', 'sweep');
        const given = a.config !== undefined;
        const filePath = a.config ?? DEFAULT_EXPERIMENT;
        const p = (await commands.plan()).sweepPlan(filePath);
        exitCode = await (await commands.sweep()).executeSweep(p, {
          store,
          enqueue: a.enqueue ?? false,
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
            store: storeOption,
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
        const store = checkRunInputs(a, 'run');
        const p = (await commands.plan()).runPlan(a.config, a.set ?? [], a.seed);
        exitCode = await (await commands.sweep()).executeSweep(p, { store, workers: 1, resume: false, backend: a.backend, mode: progressMode(a), resumeCommand: null, command: 'run' });
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
            store: storeOption,
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
        const store = checkRunInputs(a, 'sample');
        const { plan, modelId } = await (await commands.sample()).samplePlan(store, a.run, a.set ?? []);
        exitCode = await (await commands.sweep()).executeSweep(plan, { store, workers: 1, resume: false, backend: a.backend, mode: progressMode(a), resumeCommand: null, command: 'run', modelId });
      },
    )
    .command(
      'worker',
      "take runs of any sweep from a PostgreSQL store's queue and run them (docs/distributed.md)",
      (y) =>
        y
          .options({
            store: storeOption,
            db: dbOption,
            concurrency: { type: 'number', describe: 'worker processes on this machine (one run each at a time)', default: DEFAULT_WORKERS, requiresArg: true },
            'until-idle': { type: 'boolean', describe: 'exit 0 once the queue has nothing left (no run waiting, none held by any worker)' },
            backend: backendOption,
            quiet: quietOption,
            json: jsonOption,
          })
          .conflicts('quiet', 'json')
          .check((a) => positiveInt('--concurrency', a.concurrency, 1))
          .example('$0 worker --store postgres://me@db-host/scorelab', 'run queued runs until Ctrl-C (the password from PGPASSWORD or ~/.pgpass)')
          .example('$0 worker --store postgres://me@db-host/scorelab --concurrency 4 --until-idle', 'four processes, exit when the queue is empty')
          .epilogue('SIGINT/SIGTERM: the running runs are marked killed and given back to the queue. Exit codes: 0 stopped when idle, 1 the store stayed unreachable, 2 bad input (a SQLite store has no queue), 130 interrupted.'),
      async (a) => {
        const store = checkRunInputs(a, 'worker');
        if (store.kind !== 'postgres') throw new UsageError(`scorelab worker needs a PostgreSQL store (--store postgres://user@host:port/db), not the SQLite file ${store.path}: the queue lives in the database; on SQLite, scorelab sweep --workers N runs a sweep's runs in parallel`, 'worker');
        exitCode = await (await commands.worker()).executeWorker({ store, concurrency: a.concurrency, untilIdle: a['until-idle'] ?? false, backend: a.backend, mode: progressMode(a) });
      },
    )
    .command('store', 'whole stores', (y) =>
      y
        .command(
          'copy',
          'copy every sweep, run, metric, artifact and model from one store to another (SQLite or PostgreSQL, either way; again later copies only what is new)',
          (z) =>
            z
              .options({
                from: { type: 'string', describe: 'the store to read (a SQLite file or postgres:// URL)', demandOption: true, requiresArg: true },
                to: { type: 'string', describe: 'the store to write (created if needed)', demandOption: true, requiresArg: true },
                sweep: { type: 'string', array: true, describe: 'only this sweep (by name); repeatable', requiresArg: true },
                quiet: quietOption,
              })
              .example('$0 store copy --from runs/scorelab.db --to postgres://me@db-host/scorelab', 'put a local store on a shared server')
              .example('$0 store copy --from postgres://me@db-host/scorelab --to /tmp/mine.db', 'and back'),
          async (a) => {
            const from = storeLocation({ store: a.from }, 'store copy');
            const to = storeLocation({ store: a.to }, 'store copy');
            exitCode = await (await commands.copy()).storeCopyCommand(from, to, a.sweep, a.quiet ?? false);
          },
        )
        .demandCommand(1, 'choose a subcommand: store copy'),
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
                store: storeOption,
            db: dbOption,
              })
              .check((a) => positiveInt('--run', a.run, 1))
              .example('$0 model export --run 6 --out model.slm', "run 6's model"),
          async (a) => {
            const r = await (await commands.sample()).exportModel(storeLocation(a, 'model export'), a.run, a.out);
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
          .options({ sweep: { type: 'string', describe: 'list the runs of this sweep (name or id)', requiresArg: true }, store: storeOption, db: dbOption })
          .example('$0 ls', 'every sweep: status and run counts')
          .example('$0 ls --sweep quickstart', "quickstart's runs: status, params, seed, key final metrics, duration"),
      async (a) => {
        out(await (await commands.inspect()).lsCommand(storeLocation(a, 'ls'), a.sweep));
      },
    )
    .command(
      'show <run>',
      'everything about one run: status, params, config, timings, backend, versions, error, final metrics, artifacts',
      (y) =>
        y
          .positional('run', { type: 'number', describe: 'run id (as listed by ls --sweep)' })
          .options({ store: storeOption, db: dbOption })
          .check((a) => positiveInt('RUN_ID', a.run, 1))
          .example('$0 show 12', 'run 12 of runs/scorelab.db'),
      async (a) => {
        out(await (await commands.inspect()).showCommand(storeLocation(a, 'show'), a.run!));
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
            store: storeOption,
            db: dbOption,
          })
          .example('$0 export --format csv --out runs.csv', 'every run of runs/scorelab.db')
          .example('$0 export --sweep quickstart --format json > quickstart.json', 'one sweep as JSON'),
      async (a) => {
        const r = await (await commands.inspect()).exportCommand(storeLocation(a, 'export'), a.sweep, a.format, a.out);
        if (r.written) process.stderr.write(`wrote ${r.count} run${r.count === 1 ? '' : 's'} to ${r.written}\n`);
        else out(r.text);
      },
    )
    .demandCommand(1, 'choose a command: sweep, run, sample, worker, model, ls, show, export or store')
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
    // A password in a store URL (of the arguments or SCORELAB_STORE) never reaches the terminal.
    const say = (text: string): void => {
      process.stderr.write(maskPasswords(text, argv));
    };
    if (e instanceof UsageError) {
      say(`scorelab: ${e.message}\n`);
      const cmd = e.command ?? (argv.length > 0 && ['sweep', 'run', 'sample', 'worker', 'model', 'ls', 'show', 'export', 'store'].includes(argv[0]) ? argv[0] : undefined);
      process.stderr.write(`(see: scorelab ${cmd ? `${cmd} ` : ''}--help)\n`);
      return EXIT.usage;
    }
    // A --db that is not a scorelab store (or not writable): one line, the file untouched, exit 2.
    // (inspect loads the store package; after a failure that costs nothing.)
    const storeProblem = (await commands.inspect()).unusableStoreMessage(e);
    if (storeProblem !== null) {
      say(`scorelab: ${storeProblem}\n`);
      return EXIT.usage;
    }
    if (e instanceof CommandFailure) {
      say(`scorelab: ${e.message}\n`);
      return EXIT.runsFailed;
    }
    // The PostgreSQL server could not be reached before anything was written (opening the store, or
    // the one transaction that creates a sweep and enqueues it): one line, exit 2.
    if ((await import('./connection-errors')).isConnectionError(e)) {
      say(`scorelab: cannot reach the store: ${e instanceof Error ? e.message : String(e)} (is the PostgreSQL server running, and are the host and port right?)\n`);
      return EXIT.usage;
    }
    say(`scorelab: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return EXIT.runsFailed;
  }
}

/** Masks the password of every PostgreSQL URL among the arguments and SCORELAB_STORE in a text. */
export function maskPasswords(text: string, argv: readonly string[]): string {
  let out = text;
  for (const candidate of [...argv.flatMap((a) => a.split('=')), process.env.SCORELAB_STORE ?? '']) {
    if (!isPostgresUrl(candidate)) continue;
    try {
      const password = decodeURIComponent(new URL(candidate).password);
      if (password !== '') out = out.split(password).join('***');
    } catch {
      // not parsable: nothing to find
    }
  }
  return out;
}
