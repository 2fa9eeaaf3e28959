import { IntDeque } from '../core/int-deque.js';
import type { Prng } from '../core/prng.js';
import type { RoutableWorkers } from '../contracts/worker-states.js';
import type { Dispatch, Router } from './router.js';

/** Routers that ignore load; requests wait only while no worker is routable. */
abstract class LoadBlindRouter implements Router {
  abstract readonly name: string;
  readonly wantsKvEvents = false;
  private readonly held = new IntDeque();
  constructor(protected readonly workers: RoutableWorkers, private readonly dispatch: Dispatch) {}
  get pending(): number {
    return this.held.length;
  }
  protected abstract pick(): number;
  arrive(r: number): void {
    if (this.workers.nActive === 0) this.held.pushBack(r);
    else this.dispatch(r, this.pick());
  }
  workersChanged(): void {
    while (this.held.length > 0 && this.workers.nActive > 0) this.dispatch(this.held.popFront(), this.pick());
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
  constructor(workers: RoutableWorkers, private readonly rng: Prng, dispatch: Dispatch) {
    super(workers, dispatch);
  }
  protected pick(): number {
    return this.workers.active[this.rng.nextInt(this.workers.nActive)]!;
  }
}
