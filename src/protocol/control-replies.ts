/**
 * Schemas of the OpenHCS execution server's control replies (pickled dicts on REQ/REP),
 * as sent by openhcs 0.8.6 / zmqruntime 0.2.24 — see docs/control-protocol.md.
 *
 * Objects are loose: a newer server may add keys, and a key we do not know is no reason to fail
 * a run. Every key we read is typed and bounded.
 */
import { z } from "zod";

/** Longest identifier (execution id, plate id, client token) we accept from the wire. */
export const MAX_ID_CHARS = 4096;
/** Longest free text (messages, errors, tracebacks) we accept from the wire. */
export const MAX_TEXT_CHARS = 1_000_000;

const id = z.string().max(MAX_ID_CHARS);
const text = z.string().max(MAX_TEXT_CHARS);
const count = z.number().int().nonnegative();

/** The application an endpoint says it is, e.g. `{ application_id: "openhcs", application_version: "0.8.6" }`. */
export const ApplicationSchema = z.looseObject({
  application_id: id,
  application_version: id,
});

export const RunningExecutionSchema = z.looseObject({
  execution_id: id,
  plate_id: id,
  start_time: z.number().nullish(),
  elapsed: z.number().nullish(),
  compile_only: z.boolean().optional(),
});

export const QueuedExecutionSchema = z.looseObject({
  execution_id: id,
  plate_id: id,
  queue_position: z.number().int().optional(),
});

export const WorkerSchema = z.looseObject({
  pid: z.number().int(),
  status: z.string().max(64).optional(),
  cpu_percent: z.number().optional(),
  memory_mb: z.number().optional(),
});

/** Reply to `{type: "ping"}`. */
export const PongSchema = z.looseObject({
  type: z.literal("pong"),
  port: z.number().int(),
  control_port: z.number().int(),
  ready: z.boolean(),
  server: id,
  server_role: id,
  server_type: id.nullish(),
  application: ApplicationSchema.nullish(),
  control_capabilities: z.array(id).max(256).optional(),
  active_executions: count.optional(),
  running_executions: z.array(RunningExecutionSchema).max(10_000).optional(),
  queued_executions: z.array(QueuedExecutionSchema).max(10_000).optional(),
  workers: z.array(WorkerSchema).max(10_000).optional(),
  uptime: z.number().optional(),
  progress_subscribers: count.optional(),
  process_identity: z.looseObject({ pid: z.number().int(), create_time: z.number() }).nullish(),
});
export type Pong = z.infer<typeof PongSchema>;

/** Every shape of error reply the server sends: text in `error`, `message`, or both. */
export const ErrorReplySchema = z.looseObject({
  status: z.literal("error"),
  error: text.nullish(),
  message: text.nullish(),
});
export type ErrorReply = z.infer<typeof ErrorReplySchema>;

/** Reply to `execute` when the server queued the run. */
export const AcceptedReplySchema = z.looseObject({
  status: z.literal("accepted"),
  execution_id: id.min(1),
  message: text.nullish(),
});

/** Lifecycle states of a run on the server (`completed` is an alias some releases use). */
export const RunStatusSchema = z.enum([
  "queued",
  "accepted",
  "running",
  "complete",
  "completed",
  "failed",
  "cancelled",
]);
export type RunStatus = z.infer<typeof RunStatusSchema>;

/** One run as the server records it. */
export const ExecutionRecordSchema = z.looseObject({
  execution_id: id,
  plate_id: id,
  client_address: id.nullish(),
  status: RunStatusSchema,
  start_time: z.number().nullish(),
  end_time: z.number().nullish(),
  error: text.nullish(),
  traceback: text.nullish(),
  compile_only: z.boolean().optional(),
  results_summary: z
    .looseObject({
      well_count: count.optional(),
      wells: z.array(id).max(100_000).optional(),
      output_plate_root: id.nullish(),
    })
    .nullish(),
});
export type ExecutionRecord = z.infer<typeof ExecutionRecordSchema>;

/** Reply to `{type: "status", execution_id}`. */
export const RunStatusReplySchema = z.looseObject({
  status: z.literal("ok"),
  execution: ExecutionRecordSchema,
});

/** Reply to `{type: "status"}` without an id: the server's whole table. */
export const ServerStatusReplySchema = z.looseObject({
  status: z.literal("ok"),
  active_executions: count.optional(),
  uptime: z.number().optional(),
  executions: z.array(id).max(1_000_000).default([]),
  running_executions: z.array(RunningExecutionSchema).max(10_000).optional(),
  queued_executions: z.array(QueuedExecutionSchema).max(10_000).optional(),
});
export type ServerStatus = z.infer<typeof ServerStatusReplySchema>;

/** Reply to `cancel` when it was applied. */
export const CancelReplySchema = z.looseObject({
  status: z.literal("ok"),
  message: text.nullish(),
  workers_killed: count.optional(),
});

/** The terminal states: a run in one of these will not change again. */
export function isTerminal(status: RunStatus): boolean {
  return (
    status === "complete" || status === "completed" || status === "failed" || status === "cancelled"
  );
}

/** The text of an error reply: `message` and `error`, joined when both are present. */
export function errorReplyText(reply: ErrorReply): string {
  const parts = [reply.message, reply.error].filter(
    (part): part is string => typeof part === "string" && part.length > 0,
  );
  return parts.length > 0 ? [...new Set(parts)].join(": ") : "the server gave no reason";
}
