/**
 * The first script every sandbox isolate runs, before the simulator and long before the candidate.
 * It is plain JavaScript kept as a string (not a TS function turned into text) because tsx/esbuild may
 * rewrite a function's source (helpers, renames) and the isolate has none of those helpers.
 *
 * Evaluating LOCKDOWN_SOURCE yields `lockdown(seed, nowMs)`, which:
 * 1. removes globals the simulator never uses that could bring in nondeterminism or outside resources
 *    (WebAssembly, Atomics/SharedArrayBuffer, WeakRef/FinalizationRegistry = GC timing, Intl = the real clock);
 * 2. replaces Math.random with a seeded sfc32 generator and Date/performance with a fixed virtual clock
 *    in UTC (local-time readings, constructors and parsing as UTC, whatever the host's TZ), so a
 *    candidate gets the same answers in every run on every machine;
 * 3. turns a few prototype data properties into accessors so that, once frozen, plain assignments such
 *    as `this.name = 'SimInvariantError'` in an Error subclass still work (the "override mistake": an
 *    assignment is refused when a frozen prototype has a same-named data property);
 * 4. freezes every intrinsic reachable from the global object (plus the hidden iterator/generator
 *    prototypes) and makes the global bindings to them read-only, so candidate code cannot change
 *    what the simulator's `Math`, `Array.prototype.push` or `JSON.stringify` do. How it freezes
 *    matters for speed; see the comment above lockProperties.
 * It returns `harden(obj)`, the deep freeze, which the host applies to the policy API before the
 * candidate runs (it shares simulator objects such as KV_ROUTER_DEFAULTS).
 */
export const LOCKDOWN_SOURCE = String.raw`(function lockdown(seed, nowMs) {
  'use strict';
  const g = globalThis;
  const { freeze, defineProperty, getOwnPropertyDescriptor, getOwnPropertyDescriptors, getPrototypeOf } = Object;
  const ownKeys = Reflect.ownKeys;
  const hasOwn = Object.prototype.hasOwnProperty;

  for (const name of ['WebAssembly', 'Atomics', 'SharedArrayBuffer', 'WeakRef', 'FinalizationRegistry', 'Intl']) delete g[name];

  // sfc32 seeded through splitmix32, like the simulator's own Prng
  let s = seed >>> 0;
  const mix = () => {
    s = (s + 0x9e3779b9) | 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = mix(), b = mix(), c = mix(), d = mix() | 1;
  const random = function random() {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  defineProperty(Math, 'random', { value: random, writable: true, configurable: true });

  const RealDate = Date;
  const DP = RealDate.prototype;
  // Local time is the host's time zone: every local reading becomes its UTC twin, so a report does not
  // change with TZ (the evaluation cache does not key on it, and must not need to).
  const realOffset = DP.getTimezoneOffset;
  const hasZone = /(?:Z|[+-]\d\d:?\d\d|\b(?:GMT|UTC)\b.*)$/i;
  const isoDateOnly = /^[+-]?\d{4,6}(?:-\d\d(?:-\d\d)?)?$/;
  const parseUtc = (str) => {
    const text = String(str).trim();
    const t = RealDate.parse(text);
    if (t !== t || hasZone.test(text) || isoDateOnly.test(text)) return t;
    return t - realOffset.call(new RealDate(t)) * 60000;
  };
  for (const f of ['FullYear', 'Month', 'Date', 'Day', 'Hours', 'Minutes', 'Seconds', 'Milliseconds']) {
    defineProperty(DP, 'get' + f, { value: DP['getUTC' + f], writable: true, configurable: true });
    if (f !== 'Day') defineProperty(DP, 'set' + f, { value: DP['setUTC' + f], writable: true, configurable: true });
  }
  const utcString = DP.toUTCString, isoString = DP.toISOString;
  const local = {
    getTimezoneOffset() { return 0; },
    getYear() { return this.getUTCFullYear() - 1900; },
    toString() { return this.getTime() !== this.getTime() ? 'Invalid Date' : utcString.call(this); },
    toDateString() { return this.getTime() !== this.getTime() ? 'Invalid Date' : utcString.call(this).slice(0, 16); },
    toTimeString() { return this.getTime() !== this.getTime() ? 'Invalid Date' : utcString.call(this).slice(17); },
    toLocaleString() { return this.getTime() !== this.getTime() ? 'Invalid Date' : isoString.call(this); },
    toLocaleDateString() { return this.getTime() !== this.getTime() ? 'Invalid Date' : isoString.call(this).slice(0, 10); },
    toLocaleTimeString() { return this.getTime() !== this.getTime() ? 'Invalid Date' : isoString.call(this).slice(11); },
  };
  for (const k of Object.keys(local)) defineProperty(DP, k, { value: local[k], writable: true, configurable: true });
  const VirtualDate = function Date(...args) {
    if (new.target === undefined) return new RealDate(nowMs).toString();
    // components are local time in the real Date; here they are UTC, and strings without a zone too
    const at = args.length === 0 ? [nowMs] : args.length >= 2 ? [RealDate.UTC(...args)] : typeof args[0] === 'string' ? [parseUtc(args[0])] : args;
    return Reflect.construct(RealDate, at, new.target);
  };
  defineProperty(VirtualDate, 'length', { value: 7 });
  defineProperty(VirtualDate, 'prototype', { value: RealDate.prototype, writable: false });
  defineProperty(RealDate.prototype, 'constructor', { value: VirtualDate, writable: true, configurable: true });
  VirtualDate.now = function now() { return nowMs; };
  VirtualDate.parse = function parse(str) { return parseUtc(str); };
  VirtualDate.UTC = RealDate.UTC;
  g.Date = VirtualDate;
  g.performance = { now() { return 0; }, timeOrigin: nowMs };

  // Assignments that would hit a frozen prototype's data property define an own property instead.
  const overridable = (proto, name) => {
    const desc = getOwnPropertyDescriptor(proto, name);
    if (!desc || !('value' in desc)) return;
    const value = desc.value;
    defineProperty(proto, name, {
      get() { return value; },
      set(v) {
        if (this === proto) throw new TypeError('Cannot assign to read only property ' + String(name) + ' of a frozen intrinsic');
        if (hasOwn.call(this, name)) this[name] = v;
        else defineProperty(this, name, { value: v, writable: true, enumerable: true, configurable: true });
      },
      enumerable: desc.enumerable,
      configurable: desc.configurable,
    });
  };
  // Not Array/TypedArray/Promise 'constructor': V8's species fast paths watch those properties.
  for (const name of ['toString', 'valueOf', 'toLocaleString', 'hasOwnProperty', 'isPrototypeOf', 'propertyIsEnumerable', 'constructor']) {
    overridable(Object.prototype, name);
  }
  for (const E of [Error, EvalError, RangeError, ReferenceError, SyntaxError, TypeError, URIError, AggregateError]) {
    for (const name of ['name', 'message', 'toString', 'constructor']) overridable(E.prototype, name);
  }
  overridable(Function.prototype, 'toString');

  // Freezing, V8-friendly. Object.freeze on a prototype in an array's chain (Object.prototype,
  // %TypedArray%.prototype) or on a function made replays 3-4x slower (V8 gives them dictionary elements and
  // drops element-access fast paths), while preventExtensions + read-only/non-configurable properties
  // (same result: Object.isFrozen is true) costs nothing. A read-only 'constructor' on typed-array
  // prototypes made allocation and subarray() 2-3x slower; a getter-only accessor does not.
  const typedArrayProtos = new Set([
    getPrototypeOf(Int8Array.prototype),
    ...[Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array,
      Float32Array, Float64Array, BigInt64Array, BigUint64Array].map((C) => C.prototype),
  ]);
  const lockProperties = (o) => {
    if (typedArrayProtos.has(o)) {
      const ctor = o.constructor;
      defineProperty(o, 'constructor', {
        get() { return ctor; },
        set(v) { throw new TypeError('Cannot assign to read only property constructor of a frozen intrinsic'); },
        enumerable: false, configurable: false,
      });
      const accessor = getOwnPropertyDescriptor(o, 'constructor');
      lockProperties(accessor.get);
      lockProperties(accessor.set);
    }
    Object.preventExtensions(o);
    const descs = getOwnPropertyDescriptors(o);
    for (const k of ownKeys(descs)) {
      const desc = descs[k];
      if (!desc.configurable && !desc.writable) continue;
      defineProperty(o, k, 'value' in desc ? { writable: false, configurable: false } : { configurable: false });
    }
  };
  const isObj = (v) => v !== null && (typeof v === 'object' || typeof v === 'function');
  const seen = new WeakSet();
  const harden = (...roots) => {
    const found = [];
    const protos = new Set();
    const stack = [...roots];
    while (stack.length > 0) {
      const o = stack.pop();
      if (!isObj(o) || seen.has(o)) continue;
      seen.add(o);
      found.push(o);
      const proto = getPrototypeOf(o);
      if (proto !== null) protos.add(proto), stack.push(proto);
      const descs = getOwnPropertyDescriptors(o);
      if (typeof o === 'function' && descs.prototype && isObj(descs.prototype.value)) protos.add(descs.prototype.value);
      for (const k of ownKeys(descs)) {
        const desc = descs[k];
        if ('value' in desc) stack.push(desc.value);
        else stack.push(desc.get, desc.set);
      }
    }
    for (const o of found) {
      if (typeof o === 'function' || protos.has(o) || typedArrayProtos.has(o)) lockProperties(o);
      else freeze(o);
      if (!Object.isFrozen(o)) throw new TypeError('lockdown: could not freeze an intrinsic');
    }
    return roots[0];
  };

  // The global object itself stays extensible (the bundles add their own globals); its existing
  // bindings become read-only and everything they reach is frozen.
  const roots = [
    getPrototypeOf(function* () {}), getPrototypeOf(async function () {}), getPrototypeOf(async function* () {}),
    getPrototypeOf([][Symbol.iterator]()), getPrototypeOf(new Map()[Symbol.iterator]()),
    getPrototypeOf(new Set()[Symbol.iterator]()), getPrototypeOf(''[Symbol.iterator]()),
    getPrototypeOf(/a/g[Symbol.matchAll]('')),
  ];
  for (const name of ownKeys(g)) {
    const desc = getOwnPropertyDescriptor(g, name);
    if (name !== 'globalThis') roots.push(...('value' in desc ? [desc.value] : [desc.get, desc.set]));
    if (desc.configurable || desc.writable) {
      defineProperty(g, name, 'value' in desc ? { writable: false, configurable: false } : { configurable: false });
    }
  }
  harden(...roots);
  return harden;
})`;
