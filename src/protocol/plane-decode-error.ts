import { OhrError } from "./ohr-error.js";

/**
 * A plane whose bytes do not decode to what its header says (docs/relay-stream-protocol.md
 * §4.3): a corrupt or truncated buffer, a decoded size other than `nbytes`, an unknown encoding.
 */
export class PlaneDecodeError extends OhrError {
  override readonly code = "ERR_PLANE_DECODE";
  constructor(
    readonly encoding: string,
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(`plane encoding '${encoding}': ${reason}`, options);
  }
}
