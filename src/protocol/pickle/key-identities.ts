import { latin1 } from "./text.js";
import type { PickleValue } from "./value.js";

/**
 * Canonical identities of hashable values, so that values Python finds equal map to one JS `Map`
 * key: numbers by value (`True` is 1; a bigint equal to a double is that double), strings and
 * bytes by content, tuples and frozensets by their members. A composite's identity lists short
 * interned tokens for its members, so it stays as long as the member count however deep the
 * nesting, and is computed once per object. (One deliberate gap: a JS `Map` cannot hold two NaN
 * keys; Python can, when they are distinct float objects.)
 * @internal
 */
export class KeyIdentities {
  private readonly cache = new WeakMap<object, string>();
  private readonly interned = new Map<string, number>();

  of(value: PickleValue): string | number {
    switch (typeof value) {
      case "number":
        return value;
      case "boolean":
        return value ? 1 : 0;
      case "bigint": {
        const asNumber = Number(value);
        return Number.isFinite(asNumber) && BigInt(asNumber) === value ? asNumber : `i${value}`;
      }
      case "string":
        return `s${value}`;
      default:
        if (value === null) return "N";
        if (value instanceof Uint8Array) return `b${latin1(value)}`;
        return this.composite(value);
    }
  }

  private composite(value: object): string {
    let identity = this.cache.get(value);
    if (identity === undefined) {
      const tokens = [...(value as Iterable<PickleValue>)].map((member) => this.token(member));
      identity = value instanceof Set ? `f${tokens.sort().join(",")}` : `t${tokens.join(",")}`;
      this.cache.set(value, identity);
    }
    return identity;
  }

  /** A short stand-in for a member: the number itself, or the intern number of its identity. */
  private token(member: PickleValue): string {
    const identity = this.of(member);
    if (typeof identity === "number") return `n${Object.is(identity, -0) ? 0 : identity}`;
    let serial = this.interned.get(identity);
    if (serial === undefined) {
      serial = this.interned.size;
      this.interned.set(identity, serial);
    }
    return `#${serial}`;
  }
}
