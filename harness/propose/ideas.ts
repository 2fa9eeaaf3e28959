import ts from 'typescript';

/**
 * Known routing ideas as typed building blocks the offline proposer can graft onto a router's cost:
 * each wraps the parent's returned cost E (in KV blocks, lower wins) in a new condition or term with
 * constants a later constant mutation tunes. They add structure a constant or operator edit cannot
 * reach: a condition on the least-loaded worker, a product of load signals, a random two-choice
 * restriction, a queue penalty.
 */
export interface Idea {
  name: string;
  /** Where it comes from, for the candidate's description. */
  source: string;
  /** The wrapped cost; `req` and `w` are the cost function's parameter names. */
  wrap(e: string, req: string, w: string): string;
}

export const ROUTER_IDEAS: readonly Idea[] = [
  {
    name: 'imbalance-guard',
    source: "load-imbalance threshold, as SGLang's router and Preble: past 1.5x the least-loaded worker's pending prefill, load alone decides",
    wrap: (e, req, w) => `(${w}.activePrefillTokens > 1.5 * ${req}.minActivePrefillTokens + 4 * ${req}.blockSize /* idea: imbalance-guard */ ? 1000000 + ${w}.activePrefillTokens / ${req}.blockSize : ${e})`,
  },
  {
    name: 'lmetric',
    source: 'LMetric: new prefill work times the batch it joins',
    wrap: (e, req, w) => `(${e} + 0.1 /* idea: lmetric */ * Math.max((${w}.activePrefillTokens + ${req}.isl) / ${req}.blockSize - ${w}.overlapBlocks, 0) * (${w}.activeRequests + 1))`,
  },
  {
    name: 'two-choices',
    source: 'power of two choices: each request considers two pseudo-random workers',
    wrap: (e, req, w) => `((${req}.seq * 2654435761) % 4294967296 % ${req}.routableWorkers === ${w}.worker || (${req}.seq * 40503 + 7) % 65521 % ${req}.routableWorkers === ${w}.worker /* idea: two-choices */ ? ${e} : 1000000 + ${e})`,
  },
  {
    name: 'queue-cap',
    source: 'queue-aware admission: a steep penalty per request past a queue depth',
    wrap: (e, _req, w) => `(${e} + (${w}.activeRequests > 16 /* idea: queue-cap */ ? 4 * (${w}.activeRequests - 16) : 0))`,
  },
];

/** The returned cost expression of a router module and its parameter names, if the module has one. */
export function routerCostSite(sf: ts.SourceFile): { expr: ts.Expression; req: string; w: string } | null {
  let found: { expr: ts.Expression; req: string; w: string } | null = null;
  const visit = (node: ts.Node): void => {
    if (found) return;
    if (ts.isPropertyAssignment(node) && ts.isIdentifier(node.name) && node.name.text === 'cost'
      && (ts.isArrowFunction(node.initializer) || ts.isFunctionExpression(node.initializer))) {
      const fn = node.initializer;
      const [a, b] = fn.parameters;
      if (!a || !b || !ts.isIdentifier(a.name) || !ts.isIdentifier(b.name)) return;
      let expr: ts.Expression | undefined;
      if (ts.isBlock(fn.body)) {
        const last = fn.body.statements[fn.body.statements.length - 1];
        if (last && ts.isReturnStatement(last) && last.expression) expr = last.expression;
      } else {
        expr = fn.body;
      }
      if (expr) found = { expr, req: a.name.text, w: b.name.text };
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

// ---------- units ----------

/**
 * Units of the router view's fields (sim/policy/router-policy.ts). A router's cost is in KV blocks;
 * ids, the clock and counts of workers are not quantities a cost may add.
 */
export type Unit = 'blocks' | 'tokens' | 'requests' | 'tokens/block' | 'scalar' | 'id' | 'ms' | 'count' | 'compound' | 'unknown' | 'invalid';

export const ROUTER_FIELD_UNITS: Readonly<Record<string, Unit>> = {
  isl: 'tokens', osl: 'tokens', blockSize: 'tokens/block', promptBlocks: 'blocks', routableWorkers: 'count',
  seq: 'id', minActivePrefillTokens: 'tokens', nowMs: 'ms', worker: 'id', overlapBlocks: 'blocks',
  hostOverlapBlocks: 'blocks', activePrefillTokens: 'tokens', activeBlocks: 'blocks', newBlocks: 'blocks',
  activeRequests: 'requests', cachedBlocks: 'blocks',
};

const ADDITIVE = new Set<Unit>(['blocks', 'tokens', 'requests']);

/** Unit of an expression in a router cost, from its fields, literals and the local constants in `env`. */
export function unitOf(e: ts.Expression, env: ReadonlyMap<string, Unit>): Unit {
  while (ts.isParenthesizedExpression(e)) e = e.expression;
  if (ts.isNumericLiteral(e)) return 'scalar';
  if (ts.isPropertyAccessExpression(e)) return ROUTER_FIELD_UNITS[e.name.text] ?? 'unknown';
  if (ts.isIdentifier(e)) return env.get(e.text) ?? 'unknown';
  if (ts.isPrefixUnaryExpression(e) && e.operator === ts.SyntaxKind.MinusToken) return unitOf(e.operand, env);
  if (ts.isConditionalExpression(e)) return unify(unitOf(e.whenTrue, env), unitOf(e.whenFalse, env));
  if (ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression) && e.expression.expression.getText() === 'Math'
    && (e.expression.name.text === 'max' || e.expression.name.text === 'min')) {
    return e.arguments.map((a) => unitOf(a, env)).reduce(unify);
  }
  if (ts.isBinaryExpression(e)) {
    const a = unitOf(e.left, env), b = unitOf(e.right, env);
    switch (e.operatorToken.kind) {
      case ts.SyntaxKind.PlusToken:
      case ts.SyntaxKind.MinusToken:
        return unify(a, b);
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

/** A sum's unit: the same on both sides, or the side that is not a plain number; else nonsense. */
function unify(a: Unit, b: Unit): Unit {
  if (a === 'invalid' || b === 'invalid') return 'invalid';
  if (a === b) return a;
  if (a === 'scalar') return b;
  if (b === 'scalar') return a;
  if (a === 'unknown' || b === 'unknown' || a === 'compound' || b === 'compound') return 'unknown';
  return 'invalid';
}

/** Units of the `const x = ...` declarations of a router cost, in order. */
export function localUnits(sf: ts.SourceFile): Map<string, Unit> {
  const env = new Map<string, Unit>();
  const visit = (node: ts.Node): void => {
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer) env.set(node.name.text, unitOf(node.initializer, env));
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return env;
}

/**
 * A term of `field`, weighted by `weight`, expressed in `unit` so it can join a sum of that unit, or
 * null when that would be nonsense (an id, the clock, tokens per block, or a time added to blocks).
 * Requests join a block-valued cost with the weight as blocks per request (Dynamo's
 * decode_active_request_weight).
 */
export function termIn(unit: Unit, field: string, weight: number, req: string): string | null {
  const last = field.slice(field.lastIndexOf('.') + 1);
  const u = ROUTER_FIELD_UNITS[last];
  if (!u || !ADDITIVE.has(u) || !ADDITIVE.has(unit)) return null;
  if (u === unit) return `${weight} * ${field}`;
  if (unit === 'blocks' && u === 'tokens') return `${weight} * ${field} / ${req}.blockSize`;
  if (unit === 'tokens' && u === 'blocks') return `${weight} * ${field} * ${req}.blockSize`;
  if (unit === 'blocks' && u === 'requests') return `${weight} * ${field}`;
  return null;
}
