import ts from 'typescript';

/**
 * Units of the quantities a policy's view carries, so the offline proposer never builds a sum of
 * things that do not add (a time minus a block size). A router's cost is in KV blocks, an eviction
 * priority in milliseconds of recency.
 */
export type Unit = 'blocks' | 'tokens' | 'requests' | 'tokens/block' | 'ms' | 'count' | 'workers' | 'gpus' | 'requests/s' | 'scalar' | 'id' | 'compound' | 'unknown' | 'invalid';

export interface UnitSystem {
  /** Unit of each view field, by its name. */
  fields: Readonly<Record<string, Unit>>;
  /** Units that may stand in a sum. */
  additive: ReadonlySet<Unit>;
  /**
   * [from, into]: a quantity in `from` joins a sum in `into` with its weight read as `into` per `from`
   * (Dynamo's decode_active_request_weight is blocks per request; an eviction weight is ms of recency per reuse).
   */
  joins: readonly (readonly [Unit, Unit])[];
}

/** sim/contracts/router-views.ts's fields. The clock, ids and worker counts are not quantities a cost adds. */
export const ROUTER_UNITS: UnitSystem = {
  fields: {
    isl: 'tokens', osl: 'tokens', blockSize: 'tokens/block', promptBlocks: 'blocks', routableWorkers: 'count',
    seq: 'id', minActivePrefillTokens: 'tokens', nowMs: 'id', worker: 'id', overlapBlocks: 'blocks',
    hostOverlapBlocks: 'blocks', activePrefillTokens: 'tokens', activeBlocks: 'blocks', newBlocks: 'blocks',
    activeRequests: 'requests', cachedBlocks: 'blocks',
  },
  additive: new Set(['blocks', 'tokens', 'requests']),
  joins: [['requests', 'blocks']],
};

/**
 * sim/contracts/eviction-views.ts's fields. The clock is the same for every block compared at one moment,
 * so adding it reorders nothing.
 */
export const EVICTION_UNITS: UnitSystem = {
  fields: { lastAccessMs: 'ms', ageMs: 'ms', nowMs: 'id', hits: 'count', depth: 'count', cachedChildren: 'count' },
  additive: new Set(['ms', 'count']),
  joins: [['count', 'ms']],
};

/**
 * sim/contracts/planner-views.ts's fields. A planner's arithmetic mixes loads (tokens over a capacity in
 * tokens, a latency over its target): sums stay within one unit, and dimensionless shares join scalars.
 */
export const PLANNER_UNITS: UnitSystem = {
  fields: {
    nowMs: 'id', windowMs: 'ms', startupMs: 'ms', meanMs: 'ms', windowItlMs: 'ms', meanTtftMs: 'ms', p90TtftMs: 'ms',
    meanItlMs: 'ms', ttftMs: 'ms', itlMs: 'ms',
    active: 'workers', starting: 'workers', draining: 'workers', min: 'workers', max: 'workers',
    gpusPerWorker: 'compound', gpuBudget: 'gpus',
    waiting: 'requests', running: 'requests', arrivals: 'requests', completed: 'requests', maxNumSeqs: 'requests',
    queuedPrefillTokens: 'tokens', queuedDecodeKvTokens: 'tokens', runningKvTokens: 'tokens', usedKvTokens: 'tokens',
    capacityKvTokens: 'tokens', windowTokens: 'tokens', meanPrefillTokens: 'tokens', meanIsl: 'tokens', meanOsl: 'tokens',
    maxNumBatchedTokens: 'tokens', kvCapacityTokens: 'tokens',
    requestRate: 'requests/s', count: 'count', busyFraction: 'scalar', kvHitRate: 'scalar', meanAttentionWork: 'compound',
  },
  additive: new Set(['ms', 'workers', 'requests', 'tokens', 'requests/s', 'count', 'scalar']),
  joins: [],
};

/** Unit of an expression, from its fields, literals and the local constants in `env`. */
export function unitOf(e: ts.Expression, env: ReadonlyMap<string, Unit>, sys: UnitSystem): Unit {
  while (ts.isParenthesizedExpression(e)) e = e.expression;
  if (ts.isNumericLiteral(e)) return 'scalar';
  if (ts.isPropertyAccessExpression(e)) return sys.fields[e.name.text] ?? 'unknown';
  if (ts.isIdentifier(e)) return env.get(e.text) ?? 'unknown';
  if (ts.isPrefixUnaryExpression(e) && e.operator === ts.SyntaxKind.MinusToken) return unitOf(e.operand, env, sys);
  if (ts.isConditionalExpression(e)) return unify(unitOf(e.whenTrue, env, sys), unitOf(e.whenFalse, env, sys), sys);
  if (ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression) && e.expression.expression.getText() === 'Math'
    && (e.expression.name.text === 'max' || e.expression.name.text === 'min')) {
    return e.arguments.map((a) => unitOf(a, env, sys)).reduce((a, b) => unify(a, b, sys));
  }
  if (ts.isBinaryExpression(e)) {
    const a = unitOf(e.left, env, sys), b = unitOf(e.right, env, sys);
    switch (e.operatorToken.kind) {
      case ts.SyntaxKind.PlusToken:
      case ts.SyntaxKind.MinusToken:
        return unify(a, b, sys);
      case ts.SyntaxKind.AsteriskToken:
        if (a === 'invalid' || b === 'invalid') return 'invalid';
        if (a === 'scalar') return b;
        if (b === 'scalar') return a;
        if ((a === 'blocks' && b === 'tokens/block') || (b === 'blocks' && a === 'tokens/block')) return 'tokens';
        return 'compound';
      case ts.SyntaxKind.SlashToken:
        if (a === 'invalid' || b === 'invalid') return 'invalid';
        if (b === 'scalar') return a;
        if (a === b && a !== 'unknown') return 'scalar';
        if (a === 'tokens' && b === 'tokens/block') return 'blocks';
        return 'compound';
      default:
        return 'unknown';
    }
  }
  return 'unknown';
}

/** A sum's unit: the same on both sides, the side that is not a plain number, or a weighted join; else nonsense. */
function unify(a: Unit, b: Unit, sys: UnitSystem): Unit {
  if (a === 'invalid' || b === 'invalid') return 'invalid';
  if (a === b) return a;
  if (a === 'scalar') return b;
  if (b === 'scalar') return a;
  if (a === 'unknown' || b === 'unknown' || a === 'compound' || b === 'compound') return 'unknown';
  for (const [from, into] of sys.joins) {
    if (a === from && b === into) return into;
    if (b === from && a === into) return into;
  }
  return 'invalid';
}

/** Units of the `const x = ...` declarations of a policy, in order. */
export function localUnits(sf: ts.SourceFile, sys: UnitSystem): Map<string, Unit> {
  const env = new Map<string, Unit>();
  const visit = (node: ts.Node): void => {
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer) env.set(node.name.text, unitOf(node.initializer, env, sys));
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return env;
}

/**
 * A term of `field`, weighted by `weight`, expressed in `unit` so it can join a sum of that unit, or
 * null when that would be nonsense (an id, the clock, tokens per block, or a time added to blocks).
 * `blockSize` names the expression of a router's tokens per block, for token ↔ block conversions.
 */
export function termIn(unit: Unit, field: string, weight: number, sys: UnitSystem, blockSize?: string): string | null {
  const last = field.slice(field.lastIndexOf('.') + 1);
  const u = sys.fields[last];
  if (!u || !sys.additive.has(u) || !sys.additive.has(unit)) return null;
  if (u === unit) return `${weight} * ${field}`;
  if (blockSize !== undefined && unit === 'blocks' && u === 'tokens') return `${weight} * ${field} / ${blockSize}`;
  if (blockSize !== undefined && unit === 'tokens' && u === 'blocks') return `${weight} * ${field} * ${blockSize}`;
  // an eviction weight is seconds of recency per count, written in ms
  if (sys.joins.some(([from, into]) => from === u && into === unit)) return unit === 'ms' ? `${weight * 1000} * ${field}` : `${weight} * ${field}`;
  return null;
}
