import {
  PickleFloat,
  emptyPickleDict,
  type PickleDict,
  type PickleTuple,
  type PickleValue,
} from "./value.js";
import type { KeyIdentities } from "./key-identities.js";

/** What a container node holds while it is being built. @internal */
export type ContainerKind = "list" | "tuple" | "dict" | "set" | "frozenset" | "bytearray";

/**
 * A container on the decoder's stack or in its memo. The JS value is built in place; the node
 * carries what the decoder needs to stay safe and cheap:
 *
 * - `sealed`: set once the container is inside another one. A sealed container is never mutated
 *   again. CPython writes every container's items before the container is used as an item, so
 *   only self-referencing (cyclic) pickles trip this; and as an unsealed container is inside
 *   nothing, the only cycle left to catch is putting a container into itself.
 * - `depth` and `size` (counted as a tree, shared children counted at every use): exact, because
 *   a child is sealed, hence final, when it is added.
 * - `hashable`: whether Python would accept it as a dict key or set member.
 * @internal
 */
export class Container {
  readonly kind: ContainerKind;
  /** The JS value; a str-keyed dict becomes a `Map` when its first non-str key arrives. */
  value: PickleValue;
  depth = 1;
  size = 1;
  sealed = false;
  hashable: boolean;
  /**
   * For a dict in `Map` form and for sets: Python's key equality, as canonical identity → the
   * key (or member) first stored. JS compares tuples and bytes by reference; Python by value.
   */
  keyIndex: Map<string | number, PickleValue> | undefined;

  constructor(kind: ContainerKind, value: PickleValue, hashable: boolean) {
    this.kind = kind;
    this.value = value;
    this.hashable = hashable;
  }

  static list(): Container {
    return new Container("list", [], false);
  }

  static dict(): Container {
    return new Container("dict", emptyPickleDict(), false);
  }

  static set(kind: "set" | "frozenset"): Container {
    return new Container(kind, new Set<PickleValue>(), kind === "frozenset");
  }

  static tuple(value: PickleTuple): Container {
    return new Container("tuple", value, true);
  }

  static bytearray(bytes: Uint8Array): Container {
    const node = new Container("bytearray", bytes, false);
    node.size = bytes.length + 1;
    node.depth = 0;
    return node;
  }
}

/**
 * An item on the stack: a scalar (null, bool, int as number or bigint, str, bytes), a float
 * (kept as a {@link PickleFloat} until it lands in a container, because CPython treats `l[1]`
 * and `l[1.0]` differently), or a container.
 */
export type StackItem = Exclude<PickleValue, object> | Uint8Array | PickleFloat | Container;

/** The JS value of a stack item. */
export function valueOf(item: StackItem): PickleValue {
  if (item instanceof Container) return item.value;
  return item instanceof PickleFloat ? item.value : item;
}

/** Tree-counted size of a stack item: payload length for str/bytes, 1 otherwise. */
export function sizeOf(item: StackItem): number {
  if (item instanceof Container) return item.size;
  if (typeof item === "string") return item.length + 1;
  if (item instanceof Uint8Array) return item.length + 1;
  return 1;
}

/** Whether Python could hash the item (use it as a dict key or set member). */
export function isHashable(item: StackItem): boolean {
  return item instanceof Container ? item.hashable : true;
}

/**
 * Store `value` under `key` in a dict node. The dict stays a prototype-free object while its keys
 * are all `str` and becomes a `Map` at its first other key; in a `Map`, keys Python considers
 * equal (`1`, `1.0`, `True`; equal tuples; equal bytes) share one entry, as in Python.
 */
export function storeEntry(
  node: Container,
  key: StackItem,
  value: PickleValue,
  identities: KeyIdentities,
): void {
  if (typeof key === "string" && !(node.value instanceof Map)) {
    (node.value as PickleDict)[key] = value;
    return;
  }
  if (!(node.value instanceof Map)) {
    const entries = Object.entries(node.value as PickleDict);
    node.value = new Map<PickleValue, PickleValue>(entries);
    node.keyIndex = new Map(entries.map(([k]) => [`s${k}`, k]));
  }
  const index = (node.keyIndex ??= new Map<string | number, PickleValue>());
  const identity = identities.of(valueOf(key));
  const existing = index.get(identity);
  if (existing === undefined && !index.has(identity)) index.set(identity, valueOf(key));
  node.value.set(existing ?? valueOf(key), value);
}

/** Add `member` to a set node unless an equal member (by Python's equality) is there. */
export function storeMember(node: Container, member: PickleValue, identities: KeyIdentities): void {
  const index = (node.keyIndex ??= new Map<string | number, PickleValue>());
  const identity = identities.of(member);
  if (index.has(identity)) return;
  index.set(identity, member);
  (node.value as Set<PickleValue>).add(member);
}
