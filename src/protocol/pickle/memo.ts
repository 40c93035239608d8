import type { StackItem } from "./container.js";

/**
 * The unpickler's memo. CPython writes dense indices (MEMOIZE uses the entry count, BINPUT counts
 * up), so those live in an array; anything else (a hand-made `LONG_BINPUT 4000000000`) goes to a
 * `Map`, so a huge index costs one entry, not a huge array.
 * @internal
 */
export class PickleMemo {
  private readonly dense: StackItem[] = [];
  private readonly sparse = new Map<number, StackItem>();
  /** Entries stored (what MEMOIZE uses as its index, like Python's `len(memo)`). */
  size = 0;

  /** Whether storing at `index` would add an entry (rather than replace one). */
  isNew(index: number): boolean {
    return index >= this.dense.length && !this.sparse.has(index);
  }

  put(index: number, item: StackItem): void {
    if (index < this.dense.length) {
      this.dense[index] = item;
      return;
    }
    if (!this.sparse.has(index)) this.size++;
    if (index === this.dense.length && !this.sparse.has(index)) this.dense.push(item);
    else this.sparse.set(index, item);
  }

  /** The entry, or `undefined` when there is none (`None` is stored as `null`). */
  get(index: number): StackItem | undefined {
    return index < this.dense.length ? this.dense[index] : this.sparse.get(index);
  }
}
