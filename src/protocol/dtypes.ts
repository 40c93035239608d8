/**
 * The NumPy dtypes an image may have on our wires (docs/relay-stream-protocol.md §4), with their
 * item sizes in bytes: the one table the frame checks, the result store and the previews read.
 */
export const DTYPE_SIZES = {
  bool: 1,
  uint8: 1,
  uint16: 2,
  uint32: 4,
  uint64: 8,
  int8: 1,
  int16: 2,
  int32: 4,
  int64: 8,
  float16: 2,
  float32: 4,
  float64: 8,
  complex64: 8,
  complex128: 16,
} as const;

/** A NumPy dtype name, e.g. `"uint16"`. */
export type Dtype = keyof typeof DTYPE_SIZES;

/** The names, in the table's order (for schemas). */
export const DTYPE_NAMES = Object.keys(DTYPE_SIZES) as [Dtype, ...Dtype[]];

/** Whether `name` is one of the dtypes of {@link DTYPE_SIZES}. */
export function isDtype(name: string): name is Dtype {
  return Object.hasOwn(DTYPE_SIZES, name);
}
