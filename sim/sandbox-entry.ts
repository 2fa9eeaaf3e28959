/**
 * Bundle entry for the sandbox (harness/sandbox): esbuild bundles this file with the rest of the
 * simulator into a script that runs inside a fresh isolated-vm isolate. Pure sim code: no Node APIs,
 * no I/O. The host sends a JSON scenario and the workload's typed arrays; everything else (engine args,
 * router config, timing model) is resolved here by sim/scenario-config.ts, so no object graph crosses
 * the boundary.
 *
 * The host calls `runGuarded` (the sandbox runner takes it, with the policy API, off the global object
 * before any candidate code runs, so a candidate cannot replace it). Nothing of the simulator stays on
 * the global object: a function the candidate can name while it is running would hand the candidate
 * its live arguments (the workload) through `fn.arguments` — the bundle is strict as well, which
 * forbids that, but two walls are better than one.
 */
// `policy:candidate` is the candidate module. harness/sandbox/bundle.ts resolves it to a slot that is
// filled with the candidate bundle's exports once the candidate has loaded (the candidate is bundled
// separately so that the simulator bundle can be built once and cached). Its default export (made
// with defineRouter/definePlanner/defineEviction) becomes the replay's policy of that kind.
import * as candidateModule from 'policy:candidate';
import { reportJson } from './metrics/report.js';
import { runReplay } from './replay.js';
import type { Workload } from './workload/workload.js';
import { buildReplayConfig, type PolicyModules, type ScenarioSpec } from './scenario-config.js';
import { NOT_A_POLICY, type PolicyModule } from './policy/policy-module.js';
import { madeByDefine } from './policy/made-by-define.js';
import { isSimRaised, simRaised } from './core/raised.js';
import { SimInvariantError } from './core/invariant-error.js';

/**
 * A replay as plain JSON (what the host sends as `spec`): a scenario's cluster, hardware and seed,
 * configured here exactly as on the host (sim/scenario-config.ts, the one place a scenario becomes a
 * replay configuration), and the workload's scalar fields (its arrays travel as typed arrays).
 */
export interface SandboxScenario {
  scenario: ScenarioSpec;
  workload: { name: string; count: number; sessions: number; blockSize: number };
  fastForward?: boolean;
  /** The policy kind the objective scores: the candidate must define one of this kind. */
  expectKind?: 'router' | 'planner' | 'eviction';
}

/** The Workload's typed arrays, as the host passes them in. */
export interface WorkloadArrays {
  sessionStart: Int32Array;
  timeMs: Float64Array;
  inputLength: Int32Array;
  outputLength: Int32Array;
  contentStart: Int32Array;
  contentIds: Uint32Array;
  sourceLine: Int32Array;
}

/** The candidate module is not what the objective scores (another kind, or not a policy at all). */
export class WrongKindError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WrongKindError';
    simRaised(this); // not exported to candidates: only the simulator constructs it
  }
}

/**
 * The candidate's default export as the policy module of its kind. Only a module a define* function
 * made counts (by identity: its `kind` is a frozen data property, read once here); with `expectKind`
 * (what the objective scores) any other kind, or no policy at all, is a WrongKindError, so an
 * objective never quietly scores the built-in policy in the candidate's place.
 */
function candidatePolicies(expectKind: SandboxScenario['expectKind']): PolicyModules {
  const policy = (candidateModule as { default?: unknown }).default;
  if (policy === undefined && expectKind === undefined) return {};
  if (policy === undefined) throw new WrongKindError(`the module has no default export; this objective scores a ${expectKind} (${NOT_A_POLICY})`);
  if (!madeByDefine(policy)) throw new WrongKindError(NOT_A_POLICY);
  const module = policy as PolicyModule;
  const kind = module.kind;
  if (expectKind !== undefined && kind !== expectKind) throw new WrongKindError(`the module defines a ${kind} policy, but this objective scores a ${expectKind}`);
  return { [kind]: module } as PolicyModules;
}

/** Runs one replay and returns reportJson(report). Throws what the simulator throws. */
export function run(spec: string, arrays: WorkloadArrays): string {
  const s = JSON.parse(spec) as SandboxScenario;
  const workload: Workload = { ...s.workload, ...arrays };
  const cfg = buildReplayConfig(s.scenario, candidatePolicies(s.expectKind));
  if (s.fastForward !== undefined) cfg.fastForward = s.fastForward;
  return reportJson(runReplay(workload, cfg).report);
}

/**
 * `run` for the host: never throws (except through isolate-level faults such as a timeout or the
 * memory limit, which no try/catch can stop). Returns JSON: {"ok":true,"reportJson":...} or
 * {"ok":false,"error":ThrownDescription}, so whatever the candidate threw arrives as plain, bounded
 * strings, and the host never touches a candidate object.
 */
export function runGuarded(spec: string, arrays: WorkloadArrays): string {
  try {
    return JSON.stringify({ ok: true, reportJson: run(spec, arrays) });
  } catch (e) {
    return JSON.stringify({ ok: false, error: describeThrown(e) });
  }
}

/** Runs the candidate slot's loader the same way: '{"ok":true}' or the description of what was thrown. */
export function loadGuarded(load: () => void): string {
  try {
    load();
    return '{"ok":true}';
  } catch (e) {
    return JSON.stringify({ ok: false, error: describeThrown(e) });
  }
}

/**
 * What the host learns of a thrown value. `origin` says who raised it, by identity (sim/core/raised.ts):
 * 'invariant' and 'decision' only for errors the simulator itself raised; anything else is 'thrown',
 * whatever its name or message say. Strings are cut to MAX_TEXT characters.
 */
export interface ThrownDescription {
  origin: 'invariant' | 'decision' | 'wrong-kind' | 'thrown';
  name: string;
  message: string;
  stack: string;
}

const MAX_TEXT = 2000;

/** The error prototypes of this realm, taken before any candidate code ran: their accessors are lockdown's own. */
const ERROR_PROTOS: readonly object[] = [Error, EvalError, RangeError, ReferenceError, SyntaxError, TypeError, URIError, AggregateError].map((E) => E.prototype);

/**
 * A string property of a thrown object, read through property descriptors so that no getter of the
 * candidate's runs (only the intrinsic error prototypes' own accessors are called). A Proxy's traps
 * can still run; they run under the evaluation's time limit, like any candidate code.
 */
function stringProp(o: object, key: string): string {
  const found = findProp(o, key);
  if (!found) return '';
  const v: unknown = found.d.get ? (ERROR_PROTOS.includes(found.owner) ? found.d.get.call(o) : undefined) : found.d.value;
  return typeof v === 'string' ? cut(v) : '';
}

/** Whether `key` resolves to a data property or to an intrinsic error prototype's accessor (no candidate getter). */
function plainProp(o: object, key: string): boolean {
  const found = findProp(o, key);
  return !found || 'value' in found.d || ERROR_PROTOS.includes(found.owner);
}

/** The descriptor `key` resolves to along the prototype chain, and the object that holds it. */
function findProp(o: object, key: string): { d: PropertyDescriptor; owner: object } | null {
  let cur: object | null = o;
  for (let depth = 0; cur !== null && depth < 16; depth++) {
    const d = Object.getOwnPropertyDescriptor(cur, key);
    if (d) return { d, owner: cur };
    cur = Object.getPrototypeOf(cur) as object | null;
  }
  return null;
}

function cut(text: string): string {
  return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}… (${text.length} characters)` : text;
}

export function describeThrown(e: unknown): ThrownDescription {
  if (e !== null && (typeof e === 'object' || typeof e === 'function')) {
    const origin = !isSimRaised(e) ? 'thrown' : e instanceof SimInvariantError ? 'invariant' : e instanceof WrongKindError ? 'wrong-kind' : 'decision';
    try {
      // V8 formats `stack` on first read from `name` and `message` through their getters: with a getter
      // of the candidate's on either, the stack is left unread
      const stack = plainProp(e, 'name') && plainProp(e, 'message') ? stringProp(e, 'stack') : '';
      return { origin, name: stringProp(e, 'name') || 'Error', message: stringProp(e, 'message'), stack };
    } catch {
      return { origin, name: 'Error', message: '(a thrown object whose properties could not be read)', stack: '' };
    }
  }
  const text = cut(typeof e === 'symbol' ? 'a symbol' : String(e));
  return { origin: 'thrown', name: 'Thrown', message: `a non-Error value was thrown: ${text}`, stack: '' };
}
