// A cache of values by 2-D position that answers for any point within `radius` of a stored
// one (the nearest wins), via a grid of radius-sized cells. Re-pick previews look classifier
// outputs up in one: as the peak threshold changes, the h-maxima plateau of a particle moves
// its centroid by a fraction of a pixel (on a simulated 4k micrograph, 98% of candidates lie
// within one working pixel of a candidate at the neighbouring threshold, a third at the same
// position), and the patch the classifier saw is nearly the same. Nearly: the exact result
// still classifies the moved candidate, since a pixel can flip a decision near the cutoff.

export class NearCache {
  private cells = new Map<string, { x: number; y: number; value: number }[]>();
  private count = 0;

  constructor(readonly radius: number) {
    if (!(radius > 0)) throw new RangeError(`cache radius must be positive, got ${radius}`);
  }

  get size(): number {
    return this.count;
  }

  private cellOf(x: number, y: number): [number, number] {
    return [Math.floor(x / this.radius), Math.floor(y / this.radius)];
  }

  /** The value stored nearest to (x, y) within the radius, or undefined. */
  get(x: number, y: number): number | undefined {
    const [cx, cy] = this.cellOf(x, y);
    let best: number | undefined;
    let bestD = this.radius * this.radius;
    for (let dy = -1; dy <= 1; dy++) {
      for (let dx = -1; dx <= 1; dx++) {
        for (const e of this.cells.get(`${cx + dx},${cy + dy}`) ?? []) {
          const d = (e.x - x) ** 2 + (e.y - y) ** 2;
          if (d <= bestD) {
            bestD = d;
            best = e.value;
          }
        }
      }
    }
    return best;
  }

  set(x: number, y: number, value: number): void {
    const [cx, cy] = this.cellOf(x, y);
    const k = `${cx},${cy}`;
    const list = this.cells.get(k);
    if (list) list.push({ x, y, value });
    else this.cells.set(k, [{ x, y, value }]);
    this.count++;
  }

  clear(): void {
    this.cells.clear();
    this.count = 0;
  }
}
