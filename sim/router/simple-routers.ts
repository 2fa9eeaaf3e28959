import type { Prng } from '../core/prng.js';
import type { Dispatch, Router } from './router.js';

/** Round robin over the worker ids in ascending order (Dynamo: idx = next % n; next = idx + 1). */
export class RoundRobinRouter implements Router {
  readonly name = 'round_robin';
  readonly pending = 0;
  readonly wantsKvEvents = false;
  private next = 0;
  constructor(private readonly workers: number, private readonly dispatch: Dispatch) {}
  arrive(r: number): void {
    const idx = this.next % this.workers;
    this.next = idx + 1;
    this.dispatch(r, idx);
  }
  prefillCompleted(): void {}
  completed(): void {}
  kvEvents(): void {}
}

/** Uniformly random worker from a seeded stream. */
export class RandomRouter implements Router {
  readonly name = 'random';
  readonly pending = 0;
  readonly wantsKvEvents = false;
  constructor(private readonly workers: number, private readonly rng: Prng, private readonly dispatch: Dispatch) {}
  arrive(r: number): void {
    this.dispatch(r, this.rng.nextInt(this.workers));
  }
  prefillCompleted(): void {}
  completed(): void {}
  kvEvents(): void {}
}
