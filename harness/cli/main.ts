import { InputFileError } from '../io/bounded-read.js';
import './production-env.js';
import { TraceError } from '../trace/trace-error.js';
import { UsageError } from '../replay/json-arg.js';
import { replayCommand } from './replay-command.js';
import { benchCommand } from './bench-command.js';
import { searchCommand } from './search-command.js';
import { reviewCommand } from './review-command.js';
import { runsCommand } from './runs-command.js';
import { watchCommand } from './watch-command.js';
import { validateCommand } from './validate-command.js';
import { fitHelp } from './help-text.js';

const HELP = fitHelp(`Usage: twinsearch <command> [flags]

twinsearch searches for better LLM-serving policies (router cost functions, autoscaling planners,
KV-cache eviction) on a fast, deterministic simulator of an LLM serving cluster.

Commands:
  replay     replay a trace (or a synthetic workload) on a simulated cluster and report metrics
  bench      run candidate policy modules on scenarios and compare them
  search     search for better policies on an objective and commit the improvements to a git run log
  watch      follow a search that another process runs, on the same dashboard
  review     show a run's accepted candidates: diffs against their parents and metric changes
  runs       list the search runs with their counts, best value and status
  validate   replay measured serving benchmarks (AI Configurator CSV) and report the simulator's error

Run \`twinsearch <command> --help\` for the flags of a command.
`);

async function main(argv: string[]): Promise<number> {
  // `npm run twinsearch -- …` runs in the package root; relative paths mean the caller's directory
  const caller = process.env.INIT_CWD;
  if (process.env.npm_lifecycle_event === 'twinsearch' && caller) {
    try { process.chdir(caller); } catch { /* a vanished directory: stay in the package root */ }
  }
  const [cmd, ...rest] = argv;
  if (cmd === undefined || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    process.stdout.write(HELP);
    return cmd === undefined ? 2 : 0;
  }
  try {
    if (cmd === 'replay') return replayCommand(rest);
    if (cmd === 'bench') return await benchCommand(rest);
    if (cmd === 'search') return await searchCommand(rest);
    if (cmd === 'review') return await reviewCommand(rest);
    if (cmd === 'runs') return runsCommand(rest);
    if (cmd === 'watch') return await watchCommand(rest);
    if (cmd === 'validate') return await validateCommand(rest);
    throw new UsageError(`unknown command "${cmd}"; commands: replay, bench, search, watch, review, runs, validate`);
  } catch (e) {
    if (e instanceof UsageError || e instanceof TraceError || e instanceof InputFileError) {
      process.stderr.write(`twinsearch ${cmd}: ${e.message}\n`);
      return 2;
    }
    const err = e as Error;
    process.stderr.write(`twinsearch ${cmd}: ${err.message}\n`);
    if (process.env.TWINSEARCH_DEBUG) process.stderr.write(`${err.stack}\n`);
    return 1;
  }
}

// `twinsearch watch run | head`: a reader that went away is not an error
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});
process.exitCode = await main(process.argv.slice(2));
