import ts from 'typescript';

/**
 * Known routing, scaling and eviction ideas as typed building blocks the offline proposer grafts onto a
 * policy: each wraps the policy's value — a router's cost E (KV blocks, lower wins), a planner's decision
 * D ({ workers }), an eviction priority P (ms of recency, lower goes first) — in a new condition, term or
 * memory, with constants a later tuning step moves. They add structure that a constant or operator edit
 * cannot reach.
 */
export interface Idea {
  name: string;
  /** Where it comes from, for the candidate's description and the LLM's prompt. */
  source: string;
  /**
   * The wrapped value: `e` is the policy's value expression, `p` the policy function's parameter names,
   * `s` the name of the idea's state (when it has one).
   */
  wrap(e: string, p: readonly string[], s: string): string;
  /** Per-replay memory across calls, as an initial value (a planner remembering past ticks). */
  state?: string;
}

export type PolicyKind = 'router' | 'planner' | 'eviction';

const ROUTER_IDEAS: readonly Idea[] = [
  {
    name: 'imbalance-guard',
    source: "load-imbalance threshold, as SGLang's router and Preble: past 1.5x the least-loaded worker's pending prefill, load alone decides",
    wrap: (e, [req, w]) => `(${w}.activePrefillTokens > 1.5 * ${req}.minActivePrefillTokens + 4 * ${req}.blockSize /* idea: imbalance-guard */ ? 1000000 + ${w}.activePrefillTokens / ${req}.blockSize : ${e})`,
  },
  {
    name: 'lmetric',
    source: 'LMetric: new prefill work times the batch it joins',
    wrap: (e, [req, w]) => `(${e} + 0.1 /* idea: lmetric */ * Math.max((${w}.activePrefillTokens + ${req}.isl) / ${req}.blockSize - ${w}.overlapBlocks, 0) * (${w}.activeRequests + 1))`,
  },
  {
    name: 'two-choices',
    source: 'power of two choices: each request considers two pseudo-random workers',
    wrap: (e, [req, w]) => `((${req}.seq * 2654435761) % 4294967296 % ${req}.routableWorkers === ${w}.worker || (${req}.seq * 40503 + 7) % 65521 % ${req}.routableWorkers === ${w}.worker /* idea: two-choices */ ? ${e} : 1000000 + ${e})`,
  },
  {
    name: 'queue-cap',
    source: 'queue-aware admission: a steep penalty per request past a queue depth',
    wrap: (e, [, w]) => `(${e} + (${w}.activeRequests > 16 /* idea: queue-cap */ ? 4 * (${w}.activeRequests - 16) : 0))`,
  },
];

/** Workers routable or starting: what a planner's answer is measured against. */
const inFlight = (o: string): string => `${o}.workers.active + ${o}.workers.starting`;

const PLANNER_IDEAS: readonly Idea[] = [
  {
    name: 'hysteresis',
    source: "scale-down stabilisation, as Kubernetes' autoscaler: answer the most workers wanted over the last 6 ticks, so a lull does not release workers a cold start away from the next burst",
    state: '{ wants: [] as number[] }',
    wrap: (e, _p, s) => `((d) => { ${s}.wants.push(d.workers ?? 0); if (${s}.wants.length > 6 /* idea: hysteresis */) ${s}.wants.shift(); return d.workers === undefined ? d : { workers: Math.max(...${s}.wants) }; })(${e})`,
  },
  {
    name: 'predictive',
    source: "predictive scaling, as Dynamo's SLA planner's load predictors: scale the answer by the arrival rate's rise over its moving average, a cold start ahead",
    state: '{ rate: 0 }',
    wrap: (e, [o], s) => `((d) => { const r = ${o}.traffic.requestRate; const base = ${s}.rate; ${s}.rate = base === 0 ? r : 0.7 * base + 0.3 * r; return d.workers !== undefined && base > 0 && r > 1.1 /* idea: predictive */ * base ? { workers: Math.ceil(d.workers * Math.min(r / base, 2)) } : d; })(${e})`,
  },
  {
    name: 'queue-based',
    source: "queue-based scaling, as KEDA's queue-length trigger: one worker more while the queued prompt tokens exceed 4 passes' worth per worker",
    wrap: (e, [o]) => `((d) => d.workers !== undefined && ${o}.perWorker.reduce((q, x) => q + x.queuedPrefillTokens, 0) > 4 /* idea: queue-based */ * ${o}.engine.maxNumBatchedTokens * Math.max(${o}.perWorker.length, 1) ? { workers: Math.max(d.workers, ${inFlight(o)} + 1) } : d)(${e})`,
  },
  {
    name: 'sla-lead',
    source: 'a reactive SLA guard: one worker more as soon as p90 TTFT passes 80 % of its target, a cold start before it is breached',
    wrap: (e, [o]) => `((d) => d.workers !== undefined && ${o}.traffic.p90TtftMs > 0.8 /* idea: sla-lead */ * ${o}.sla.ttftMs ? { workers: Math.max(d.workers, ${inFlight(o)} + 1) } : d)(${e})`,
  },
  {
    name: 'idle-release',
    source: 'release capacity the pool does not use: one worker fewer while its passes fill less than 30 % of the window and nothing is starting',
    wrap: (e, [o]) => `((d) => d.workers !== undefined && ${o}.passes.busyFraction < 0.3 /* idea: idle-release */ && ${o}.workers.starting === 0 && d.workers >= ${o}.workers.active ? { workers: Math.max(${o}.workers.active - 1, ${o}.workers.min) } : d)(${e})`,
  },
];

const EVICTION_IDEAS: readonly Idea[] = [
  {
    name: 'frequency',
    source: 'frequency with a cap, as LRFU and ARC: each reuse of a block is worth 30 s of recency, up to 8 reuses',
    wrap: (e, [b]) => `(${e} + 30000 /* idea: frequency */ * Math.min(${b}.hits, 8))`,
  },
  {
    name: 'lineage',
    source: "leaf first, as SGLang's radix cache: a block that other cached blocks continue is worth 10 minutes of recency",
    wrap: (e, [b]) => `(${e} + 600000 /* idea: lineage */ * Math.min(${b}.cachedChildren, 1))`,
  },
  {
    name: 'cost-aware',
    source: 'cost-aware, as GreedyDual: a reused block is worth the prefill it saves, which grows with its position in the prompt (attention over the prefix before it)',
    wrap: (e, [b]) => `(${e} + 2000 /* idea: cost-aware */ * Math.min(${b}.hits, 1) * Math.log2(2 + ${b}.depth))`,
  },
  {
    name: 'tail-first',
    source: "tail first, as vLLM's free-block queue frees a finished sequence's blocks from its end: a shallow block serves every prompt sharing the prefix",
    wrap: (e, [b]) => `(${e} - 100 /* idea: tail-first */ * ${b}.depth)`,
  },
];

export const IDEAS: Readonly<Record<PolicyKind, readonly Idea[]>> = { router: ROUTER_IDEAS, planner: PLANNER_IDEAS, eviction: EVICTION_IDEAS };

/** The policy function whose value the ideas of each kind wrap. */
const VALUE_FUNCTION: Readonly<Record<PolicyKind, string>> = { router: 'cost', planner: 'decide', eviction: 'priority' };

/** The policy kind a module defines (by its define call), or null. */
export function policyKindOf(sf: ts.SourceFile): PolicyKind | null {
  const m = /\bdefine(Router|Planner|Eviction)\s*\(/.exec(sf.getFullText());
  return m ? (m[1]!.toLowerCase() as PolicyKind) : null;
}

/** A policy function's returned value: its expression, its parameter names, its function. */
export interface ValueSite {
  expr: ts.Expression | null;
  params: string[];
  fn: ts.ArrowFunction | ts.FunctionExpression | ts.MethodDeclaration;
  prop: ts.PropertyAssignment | ts.MethodDeclaration;
}

/** The first function property named `name` (cost, decide, priority) and its returned expression. */
export function valueSite(sf: ts.SourceFile, name: string): ValueSite | null {
  let found: ValueSite | null = null;
  const visit = (node: ts.Node): void => {
    if (found) return;
    let fn: ValueSite['fn'] | undefined;
    if (ts.isPropertyAssignment(node) && ts.isIdentifier(node.name) && node.name.text === name
      && (ts.isArrowFunction(node.initializer) || ts.isFunctionExpression(node.initializer))) fn = node.initializer;
    if (ts.isMethodDeclaration(node) && ts.isIdentifier(node.name) && node.name.text === name) fn = node;
    if (fn) {
      const params = fn.parameters.map((p) => (ts.isIdentifier(p.name) ? p.name.text : ''));
      if (params.some((p) => p === '')) return;
      let expr: ts.Expression | null = null;
      if (fn.body && ts.isBlock(fn.body)) {
        const last = fn.body.statements[fn.body.statements.length - 1];
        // only a single exit is safe to wrap in place; other bodies are wrapped whole
        const returns = countReturns(fn.body);
        if (last && ts.isReturnStatement(last) && last.expression && returns === 1) expr = last.expression;
      } else if (fn.body) {
        expr = fn.body as ts.Expression;
      }
      found = { expr, params, fn, prop: node as ValueSite['prop'] };
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

function countReturns(body: ts.Block): number {
  let n = 0;
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && node !== body.parent) return;
    if (ts.isReturnStatement(node)) n++;
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(body, visit);
  return n;
}

/** The returned cost expression of a router module and its parameter names, if the module has one. */
export function routerCostSite(sf: ts.SourceFile): { expr: ts.Expression; req: string; w: string } | null {
  const s = valueSite(sf, 'cost');
  if (!s || !s.expr || s.params.length < 2) return null;
  return { expr: s.expr, req: s.params[0]!, w: s.params[1]! };
}

export interface Graft {
  start: number;
  end: number;
  text: string;
}

/**
 * Grafts `idea` onto the policy in `sf`: wraps its value expression (or, for a body with several exits,
 * the whole function called in place). An idea with state needs per-replay memory: its state becomes a
 * constant of the planner's create() (one is made around a bare decide), never module state shared
 * between replays. Null when the module has no such site or already carries the idea.
 */
export function graftIdea(sf: ts.SourceFile, kind: PolicyKind, idea: Idea): Graft | null {
  const text = sf.getFullText();
  if (text.includes(`idea: ${idea.name} `)) return null;
  const site = valueSite(sf, VALUE_FUNCTION[kind]);
  if (!site || site.params.length === 0) return null;
  const stateName = `${idea.name.replace(/-(\w)/g, (_m, c: string) => c.toUpperCase())}State`;
  if (site.expr && !idea.state) {
    return { start: site.expr.getStart(), end: site.expr.getEnd(), text: idea.wrap(site.expr.getText(), site.params, stateName) };
  }
  const args = site.params.join(', ');
  let wrapped: string;
  if (site.expr && ts.isArrowFunction(site.fn) && !ts.isBlock(site.fn.body)) {
    wrapped = `(${args}) => ${idea.wrap(site.expr.getText(), site.params, stateName)}`;
  } else {
    const fnText = ts.isMethodDeclaration(site.fn)
      ? `function (${site.fn.parameters.map((p) => p.getText()).join(', ')}) ${site.fn.body!.getText()}`
      : site.fn.getText();
    wrapped = `(${args}) => ${idea.wrap(`(${fnText})(${args})`, site.params, stateName)}`;
  }
  const range = { start: site.prop.getStart(), end: site.prop.getEnd() };
  const prop = `${VALUE_FUNCTION[kind]}: ${wrapped}`;
  if (!idea.state) return { ...range, text: prop };
  if (kind !== 'planner') return null;
  // per-replay memory: a const of the create() that returns this decide, or a create() made around it
  const create = enclosingCreate(site.prop);
  if (create) {
    const at = create.statements.pos;
    return { start: at, end: range.end, text: `\n    const ${stateName} = ${idea.state};${text.slice(at, range.start)}${prop}` };
  }
  if (!ts.isObjectLiteralExpression(site.prop.parent) || !isDefineArgument(site.prop.parent)) return null;
  return { ...range, text: `create: () => {\n    const ${stateName} = ${idea.state};\n    return { ${prop} };\n  }` };
}

/** The block of the `create` function whose returned object holds `prop`, if any. */
function enclosingCreate(prop: ts.Node): ts.Block | null {
  for (let a: ts.Node | undefined = prop.parent; a; a = a.parent) {
    if ((ts.isArrowFunction(a) || ts.isFunctionExpression(a)) && ts.isBlock(a.body) && ts.isPropertyAssignment(a.parent)
      && ts.isIdentifier(a.parent.name) && a.parent.name.text === 'create') return a.body;
    if (ts.isMethodDeclaration(a) && ts.isIdentifier(a.name) && a.name.text === 'create' && a.body) return a.body;
  }
  return null;
}

function isDefineArgument(obj: ts.ObjectLiteralExpression): boolean {
  const call = obj.parent;
  return ts.isCallExpression(call) && ts.isIdentifier(call.expression) && /^define(Router|Planner|Eviction)$/.test(call.expression.text);
}
