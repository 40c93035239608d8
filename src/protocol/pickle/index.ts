/**
 * `src/protocol/pickle/`: our pickle codec (protocol 4, plain values only). The codec speaks OpenHCS's control channel: one pickled dict per ZeroMQ frame each way.
 *
 * ```ts
 * const frame = encodePickle({ type: "status", execution_id: id }); // protocol 4, like CPython
 * const reply = decodePickle(await socket.receive()); // plain values only; refuses classes
 * ```
 *
 * Errors: {@link PickleDecodeError} (`ERR_PICKLE_DECODE`, malformed input), its subclass
 * {@link PickleLimitError} (`ERR_PICKLE_LIMIT`, input over a {@link PickleLimits} bound),
 * {@link UnsafePickleError} (`ERR_PICKLE_UNSAFE`, the pickle asks for a class, call or
 * persistent id) and {@link PickleEncodeError} (`ERR_PICKLE_ENCODE`, a JS value with no plain
 * Python equivalent; names its path).
 */
export {
  PickleDecodeError,
  PickleEncodeError,
  PickleLimitError,
  UnsafePickleError,
  type PickleErrorSite,
  type PickleLimitName,
} from "./codec-errors.js";
export {
  PickleFloat,
  PickleTuple,
  emptyPickleDict,
  isPickleDict,
  pickleFloat,
  pickleTuple,
  type PickleDict,
  type PickleInput,
  type PickleValue,
} from "./value.js";
export { DEFAULT_PICKLE_LIMITS, type PickleDecodeStats, type PickleLimits } from "./limits.js";
export { decodePickle, decodePickleWithStats } from "./decoder.js";
export { encodePickle, type PickleEncodeOptions } from "./encoder.js";
