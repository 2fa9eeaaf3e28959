import { IntDeque } from '../core/int-deque.js';
import type { Prng } from '../core/prng.js';
import type { RoutableWorkers } from '../contracts/worker-states.js';
import { QUEUED, type Router } from './router.js';

/** Routers that ignore load; requests wait only while no worker is routable. */
abstract class LoadBlindRouter implements Router {
  abstract readonly name: string;
  readonly wantsKvEvents = false;
  private readonly held = new IntDeque();
  constructor(protected readonly workers: RoutableWorkers) {}
  get pending(): number {
    return this.held.length;
  }
  protected abstract pick(): number;
  route(r: number): number {
    if (this.workers.nActive > 0) return this.pick();
    this.held.pushBack(r);
    return QUEUED;
  }
  nextHeld(): number {
    return this.held.length > 0 && this.workers.nActive > 0 ? this.held.popFront() : -1;
  }
  prefillCompleted(): void {}
  completed(): void {}
  kvEvents(): void {}
  workerRemoved(): void {}
}

/** Round robin over the routable workers in creation order (Dynamo: idx = next % n; next = idx + 1). */
export class RoundRobinRouter extends LoadBlindRouter {
  readonly name = 'round_robin';
  private next = 0;
  protected pick(): number {
    const idx = this.next % this.workers.nActive;
    this.next = idx + 1;
    return this.workers.active[idx]!;
  }
}

/** Uniformly random routable worker from a seeded stream. */
export class RandomRouter extends LoadBlindRouter {
  readonly name = 'random';
  constructor(workers: RoutableWorkers, private readonly rng: Prng) {
    super(workers);
  }
  protected pick(): number {
    return this.workers.active[this.rng.nextInt(this.workers.nActive)]!;
  }
}
