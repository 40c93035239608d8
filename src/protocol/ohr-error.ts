/**
 * The root of every openhcs-remote error. Each subclass has a stable `code` that logs, the widget
 * (over the comm) and tests use; messages name what failed and where (host, port, field,
 * execution id). Wrap causes with `{ cause }`.
 */
export abstract class OhrError extends Error {
  /** Stable machine-readable code, e.g. `ERR_SERVER_UNREACHABLE`. */
  abstract readonly code: string;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Narrow `unknown` to an openhcs-remote error, optionally of one code. */
export function isOhrError(value: unknown, code?: string): value is OhrError {
  return value instanceof OhrError && (code === undefined || value.code === code);
}
