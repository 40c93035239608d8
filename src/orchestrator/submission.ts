/**
 * Submitting a run so that a retry never starts it twice.
 *
 * `execute` is not idempotent: if its reply is lost, the server may still have queued the run.
 * Every submission carries a unique token in `client_address`, a field OpenHCS stores in the run's
 * record and echoes in `status` (and uses for nothing else). Before sending `execute` again, we
 * ask the server for its runs, newest first, and look for the token.
 */
import { randomUUID } from "node:crypto";
import {
  AcceptedReplySchema,
  RunStatusReplySchema,
  ServerStatusReplySchema,
} from "../protocol/index.js";
import type { ControlChannel } from "./control-channel.js";
import { callServer } from "./control-call.js";
import { SubmissionUncertainError } from "./orchestrator-errors.js";
import { backoffMs, isTransient, mayHaveBeenDelivered, sleep } from "./retry.js";

/** Prefix of our submission tokens, so they are recognisable in server logs. */
export const SUBMISSION_TOKEN_PREFIX = "openhcs-remote:";

/** What to run: code strings only; the server compiles them. */
export interface ExecuteRequest {
  /** Plate path on the server, or an OMERO plate id. */
  readonly plateId: string | number;
  /** Python that defines `pipeline_steps` (and optionally `pipeline_config`). */
  readonly pipelineCode: string;
  /** Python that defines `config = GlobalPipelineConfig(...)`. */
  readonly configCode: string;
  /** OpenHCS's auxiliary options, e.g. `{ well_filter: ["A01"] }`. */
  readonly configParams?: Readonly<Record<string, unknown>> | undefined;
  /** Path the server actually opens, when it differs from `plateId`. */
  readonly executionPlateId?: string | undefined;
}

/** Timing and retry policy for one submission. */
export interface SubmitPolicy {
  readonly timeoutMs: number;
  readonly retries: number;
  readonly signal?: AbortSignal | undefined;
  readonly onRetry?: ((error: unknown, retry: number) => void) | undefined;
}

/** Build the wire form of an `execute` request. */
export function executeMessage(
  request: ExecuteRequest,
  token: string,
): Record<string, unknown> & {
  type: string;
} {
  const message: Record<string, unknown> & { type: string } = {
    type: "execute",
    plate_id: String(request.plateId),
    pipeline_code: request.pipelineCode,
    config_code: request.configCode,
    client_address: token,
  };
  if (request.configParams !== undefined) message.config_params = request.configParams;
  if (request.executionPlateId !== undefined) message.execution_plate_id = request.executionPlateId;
  return message;
}

/** Submit once, retrying transient failures without ever queueing the run twice. */
export async function submitOnce(
  channel: ControlChannel,
  request: ExecuteRequest,
  policy: SubmitPolicy,
): Promise<string> {
  const token = `${SUBMISSION_TOKEN_PREFIX}${randomUUID()}`;
  const message = executeMessage(request, token);
  for (let retry = 0; ; retry += 1) {
    try {
      const reply = await callServer(channel, message, AcceptedReplySchema, policy);
      return reply.execution_id;
    } catch (error) {
      if (!isTransient(error) || retry >= policy.retries) throw error;
      policy.onRetry?.(error, retry + 1);
      // Unreachable means the request never left; a timeout means it may have been queued.
      if (mayHaveBeenDelivered(error)) {
        const found = await findSubmission(channel, token, policy).catch((lookupError: unknown) => {
          throw isTransient(lookupError)
            ? new SubmissionUncertainError(channel.address, token, { cause: lookupError })
            : lookupError;
        });
        if (found !== null) return found;
      }
      await sleep(backoffMs(retry + 1), policy.signal);
    }
  }
}

/**
 * Look for the run a token submitted. Returns its execution id, or `null` once the server has
 * answered and does not have it. Keeps asking (with backoff) while the server does not answer,
 * because sending `execute` again before knowing could start the run twice.
 */
export async function findSubmission(
  channel: ControlChannel,
  token: string,
  policy: SubmitPolicy,
): Promise<string | null> {
  for (let retry = 0; ; retry += 1) {
    try {
      const table = await callServer(channel, { type: "status" }, ServerStatusReplySchema, policy);
      // Newest runs are last; a lost submission is almost always among the last few.
      for (const executionId of [...table.executions].reverse()) {
        const { execution } = await callServer(
          channel,
          { type: "status", execution_id: executionId },
          RunStatusReplySchema,
          { ...policy, executionId },
        );
        if (execution.client_address === token) return executionId;
      }
      return null;
    } catch (error) {
      if (!isTransient(error) || retry >= policy.retries) throw error;
      await sleep(backoffMs(retry + 1), policy.signal);
    }
  }
}
