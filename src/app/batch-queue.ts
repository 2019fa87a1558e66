// The queue of a batch ("pick all"): each worker pulls its next micrograph when it is free,
// so fast and slow workers share the work without a plan made in advance. A worker prefers a
// micrograph it already holds (no re-read), then one open nowhere, then any (the bridge moves it
// to this worker unless its own keeps the map it needs: EngineBridge.moveTo).

export class BatchQueue<T extends { key: string }> {
  private items: T[];

  constructor(items: readonly T[]) {
    this.items = [...items];
  }

  get remaining(): number {
    return this.items.length;
  }

  /** The next item for worker `slot`; homeOf says which worker holds a key open (undefined: none). */
  take(slot: number, homeOf: (key: string) => number | undefined): T | undefined {
    if (!this.items.length) return undefined;
    let pick = this.items.findIndex((it) => homeOf(it.key) === slot);
    if (pick < 0) pick = this.items.findIndex((it) => homeOf(it.key) === undefined);
    if (pick < 0) pick = 0;
    return this.items.splice(pick, 1)[0];
  }

  /** Empties the queue and returns what was still waiting (a cancelled batch). */
  drain(): T[] {
    const rest = this.items;
    this.items = [];
    return rest;
  }
}
