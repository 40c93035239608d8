import {
  Container,
  type ContainerKind,
  isHashable,
  sizeOf,
  storeEntry,
  storeMember,
  valueOf,
  type StackItem,
} from "./container.js";
import { KeyIdentities } from "./key-identities.js";
import type { PickleLimits } from "./limits.js";
import { PickleMemo } from "./memo.js";
import type { PickleReader } from "./reader.js";
import { PickleFloat, type PickleValue } from "./value.js";

/**
 * The unpickler's state: the stack with its MARK fences, the memo, and the accounting that
 * enforces {@link PickleLimits}. Follows CPython's C unpickler: after a MARK, nothing below it
 * can be popped until the mark itself is consumed.
 * @internal
 */
export class PickleMachine {
  private readonly stack: StackItem[] = [];
  private readonly marks: number[] = [];
  private fence = 0;
  readonly memo = new PickleMemo();
  private readonly identities = new KeyIdentities();
  allocated = 0;
  opcodes = 0;
  largestValue = 0;
  deepest = 0;

  constructor(
    private readonly reader: PickleReader,
    private readonly limits: PickleLimits,
  ) {}

  /** Count `units` of allocation against `maxDecodedSize`, before allocating. */
  charge(units: number): void {
    if (this.allocated + units > this.limits.maxDecodedSize) {
      throw this.reader.limitError(
        "maxDecodedSize",
        this.limits.maxDecodedSize,
        `decoding would allocate more than ${this.limits.maxDecodedSize} units`,
      );
    }
    this.allocated += units;
  }

  push(item: StackItem): void {
    this.charge(1);
    if (item instanceof Container && item.depth > this.deepest) this.deepest = item.depth;
    this.stack.push(item);
  }

  pop(): StackItem {
    if (this.stack.length <= this.fence) throw this.reader.error("stack underflow");
    return this.stack.pop() as StackItem;
  }

  /** The top item, without popping; respects the mark fence. */
  top(): StackItem {
    if (this.stack.length <= this.fence) throw this.reader.error("stack underflow");
    return this.stack[this.stack.length - 1] as StackItem;
  }

  mark(): void {
    this.charge(1);
    this.marks.push(this.stack.length);
    this.fence = this.stack.length;
  }

  /** Remove the last mark and return the items pushed since, oldest first. */
  popMark(): StackItem[] {
    const start = this.marks.pop();
    if (start === undefined) throw this.reader.error("no MARK on the stack");
    this.fence = this.marks.at(-1) ?? 0;
    const items = this.stack.slice(start);
    this.stack.length = start;
    return items;
  }

  /** POP: CPython pops a mark instead when one sits exactly at the top of the stack. */
  popItemOrMark(): void {
    if (this.marks.at(-1) === this.stack.length) this.popMark();
    else this.pop();
  }

  /**
   * The container an in-place opcode works on: APPEND(S) a list, SETITEM(S) a dict or (as
   * CPython's `obj[key] = value` allows) a list, ADDITEMS a set. It must not be sealed.
   */
  target(...kinds: readonly ContainerKind[]): Container {
    const node = this.top();
    if (!(node instanceof Container) || !kinds.includes(node.kind)) {
      throw this.reader.error(
        `expects a ${kinds.join(" or ")} below its arguments, found ${describe(node)}`,
      );
    }
    if (node.sealed) {
      throw this.reader.error(
        `would change a ${node.kind} that is already inside another container ` +
          "(self-referencing pickles are refused)",
      );
    }
    return node;
  }

  /** Make `child` part of `parent`: seal it and update the parent's depth and size. */
  adopt(parent: Container, child: StackItem): PickleValue {
    if (child === parent) throw this.reader.error(`would put a ${parent.kind} inside itself`);
    this.charge(1);
    if (child instanceof Container) {
      child.sealed = true;
      if (child.depth + 1 > parent.depth) {
        parent.depth = child.depth + 1;
        if (parent.depth > this.limits.maxDepth) {
          throw this.reader.limitError(
            "maxDepth",
            this.limits.maxDepth,
            `containers nest deeper than ${this.limits.maxDepth}`,
          );
        }
        this.deepest = Math.max(this.deepest, parent.depth);
      }
    }
    parent.size += sizeOf(child);
    if (parent.size > this.largestValue) {
      this.largestValue = parent.size;
      if (parent.size > this.limits.maxDecodedSize) {
        throw this.reader.limitError(
          "maxDecodedSize",
          this.limits.maxDecodedSize,
          `a ${parent.kind} would hold more than ${this.limits.maxDecodedSize} units ` +
            "(counting shared references at every use)",
        );
      }
    }
    return valueOf(child);
  }

  append(list: Container, item: StackItem): void {
    (list.value as PickleValue[]).push(this.adopt(list, item));
  }

  /** SETITEM on a dict (`d[key] = value`) or a list (`l[index] = value`). */
  setItem(target: Container, key: StackItem, value: StackItem): void {
    if (target.kind === "list") {
      const items = target.value as PickleValue[];
      const index = listIndex(key, items.length);
      if (index === undefined) {
        throw this.reader.error(`list index ${describe(key)} is not an int in range`);
      }
      items[index] = this.adopt(target, value);
      return;
    }
    this.requireHashable(key, "dict key");
    this.adopt(target, key);
    storeEntry(target, key, this.adopt(target, value), this.identities);
  }

  addItem(set: Container, item: StackItem): void {
    this.requireHashable(item, "set member");
    storeMember(set, this.adopt(set, item), this.identities);
  }

  /** The top two items (below-top first) if both are above the fence; for error messages. */
  peekTwo(): [StackItem | undefined, StackItem | undefined] {
    const n = this.stack.length;
    if (n - 2 < this.fence) return [undefined, undefined];
    return [this.stack[n - 2], this.stack[n - 1]];
  }

  memoPut(index: number, item: StackItem): void {
    if (this.memo.isNew(index) && this.memo.size >= this.limits.maxMemoEntries) {
      throw this.reader.limitError(
        "maxMemoEntries",
        this.limits.maxMemoEntries,
        `more than ${this.limits.maxMemoEntries} memo entries`,
      );
    }
    this.memo.put(index, item);
  }

  memoGet(index: number): StackItem {
    const item = this.memo.get(index);
    if (item === undefined) throw this.reader.error(`memo has no entry ${index}`);
    return item;
  }

  private requireHashable(item: StackItem, role: string): void {
    if (!isHashable(item)) {
      throw this.reader.error(`a ${describe(item)} cannot be a ${role} (unhashable in Python)`);
    }
  }
}

/** Python's list indexing: an int (bool counts), negative from the end, within the length. */
function listIndex(key: StackItem, length: number): number | undefined {
  let index: number;
  if (typeof key === "boolean") index = key ? 1 : 0;
  else if (typeof key === "number") index = key;
  else if (typeof key === "bigint")
    return undefined; // beyond 2**53: out of range anyway
  else return undefined;
  if (index < 0) index += length;
  return index >= 0 && index < length ? index : undefined;
}

function describe(item: StackItem): string {
  if (item instanceof Container) return item.kind;
  if (item instanceof PickleFloat) return "float";
  if (item === null) return "None";
  if (item instanceof Uint8Array) return "bytes";
  return typeof item === "string" ? "str" : typeof item;
}
