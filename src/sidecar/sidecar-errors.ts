/** Errors of the sidecar itself: a request it cannot take, a run it does not follow. */
import { OhrError } from "../protocol/index.js";

/** A request that failed validation; `field` is the dotted path of the first bad field. */
export class BadRequestError extends OhrError {
  override readonly code = "ERR_BAD_REQUEST";
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`bad request to the sidecar: ${field === "" ? "" : `${field}: `}${reason}`);
  }
}

/** A request named a run this sidecar does not follow (never attached, or another sidecar's). */
export class UnknownRunError extends OhrError {
  override readonly code = "ERR_UNKNOWN_RUN";
  constructor(readonly executionId: string) {
    super(`this sidecar does not follow run ${executionId}; attach to it first`);
  }
}
