/**
 * Errors of the result store. Each names the field that was wrong and the item it came with
 * (execution id, seq, well), or the store directory, so a refused item can be found again.
 */
import { OhrError } from "../../protocol/index.js";

/** Which item a refusal is about: enough to find it in the relay's stream. */
export interface ItemPlace {
  readonly executionId: string;
  readonly seq: number;
  readonly well: string;
}

function describe(place: ItemPlace): string {
  return `item ${place.seq} of run ${place.executionId}${place.well === "" ? "" : ` (well ${place.well})`}`;
}

/** An item that cannot be stored as given: a dtype/size mismatch, an unusable well name, … */
export class ResultInputError extends OhrError {
  override readonly code = "ERR_RESULT_INPUT";
  constructor(
    readonly place: ItemPlace,
    /** The offending field of the item, e.g. `data`, `shape`, `well`, `channel`. */
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${describe(place)} refused by the result store: ${field}: ${reason}`);
  }
}

/**
 * An image whose plane size or dtype differs from what the same field of view already holds
 * in that step (a Zarr array has one dtype and one chunk shape).
 */
export class ResultConflictError extends OhrError {
  override readonly code = "ERR_RESULT_CONFLICT";
  constructor(
    readonly place: ItemPlace,
    /** `dtype` or `shape`. */
    readonly field: "dtype" | "shape",
    readonly stored: string,
    readonly received: string,
    readonly imagePath: string,
  ) {
    super(
      `${describe(place)} does not fit ${imagePath}: ${field} is ${received}, ` +
        `the image there holds ${stored}`,
    );
  }
}

/** A plane or shape set that the store does not hold. */
export class ResultNotFoundError extends OhrError {
  override readonly code = "ERR_RESULT_NOT_FOUND";
  constructor(
    readonly dir: string,
    readonly what: string,
  ) {
    super(`no ${what} in the result store at ${dir}`);
  }
}

/** `put` after `close`, or a directory that is not a result store. */
export class ResultStoreStateError extends OhrError {
  override readonly code = "ERR_RESULT_STORE_STATE";
  constructor(
    readonly dir: string,
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(`result store at ${dir}: ${reason}`, options);
  }
}
