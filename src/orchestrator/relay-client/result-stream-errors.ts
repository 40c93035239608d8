/**
 * Errors of the result stream from the relay. Each names the relay's address and the run, and
 * says where the stream stood (`nextSeq`), so a caller can resume with `results(id, { fromSeq })`.
 */
import { OhrError } from "../../protocol/index.js";

/** Where the stream stood when it failed. */
export interface StreamPlace {
  /** `host:port` of the relay's stream socket. */
  readonly address: string;
  readonly executionId: string;
  /** The first seq not yet delivered (items and gaps before it were). */
  readonly nextSeq: number;
}

function at(place: StreamPlace): string {
  return `relay ${place.address}, run ${place.executionId}, at seq ${place.nextSeq}`;
}

/** No `welcome` from the relay in time: it is down, unreachable, or not a relay. */
export class RelayUnreachableError extends OhrError {
  override readonly code = "ERR_RELAY_UNREACHABLE";
  constructor(
    readonly place: StreamPlace,
    readonly waitedMs: number,
    options?: ErrorOptions,
  ) {
    super(
      `no answer from the relay for ${waitedMs} ms (${at(place)}); is openhcs-remote-server ` +
        `running with its relay, and the stream port reachable (SSH tunnel, CURVE key)?`,
      options,
    );
  }
}

/**
 * The relay sent something protocol version 1 does not allow: a malformed header, a payload that
 * does not match its header, a seq that skips ahead, an `end` before every seq. `field` names it.
 */
export class RelayProtocolError extends OhrError {
  override readonly code = "ERR_RELAY_PROTOCOL";
  constructor(
    readonly place: StreamPlace,
    readonly field: string,
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(`malformed stream from ${at(place)}: field '${field}': ${reason}`, options);
  }
}

/** The relay answered one of our messages with `error` (its code and field are kept). */
export class RelayRefusedError extends OhrError {
  override readonly code = "ERR_RELAY_REFUSED";
  constructor(
    readonly place: StreamPlace,
    readonly relayCode: string,
    readonly field: string | null,
    readonly relayMessage: string,
  ) {
    super(
      `${at(place)} refused a request: [${relayCode}] ${relayMessage}` +
        (field === null ? "" : ` (field '${field}')`),
    );
  }
}

/**
 * The relay's spool was replaced (a new `spool_id`): its seqs start again and no longer match
 * what was received, so this stream cannot continue.
 */
export class RelaySpoolReplacedError extends OhrError {
  override readonly code = "ERR_RELAY_SPOOL_REPLACED";
  constructor(
    readonly place: StreamPlace,
    readonly previousSpoolId: string,
    readonly spoolId: string,
  ) {
    super(
      `${at(place)}: the relay's spool changed from ${previousSpoolId} to ${spoolId}; ` +
        `its sequence numbers restarted, so what follows cannot be matched to what came before`,
    );
  }
}

/** `results()` was called on an orchestrator that has no relay to take them from. */
export class NoRelayError extends OhrError {
  override readonly code = "ERR_NO_RELAY";
  constructor(readonly executionId: string) {
    super(
      `no relay to stream the results of run ${executionId} from: set the orchestrator's ` +
        "`relay` (the relay's stream host and port)",
    );
  }
}
