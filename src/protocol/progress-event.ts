/**
 * Schema of the OpenHCS execution server's progress events: one JSON object per message on the
 * PUB socket, no topic frame, every execution mixed together (clients filter by id).
 * Shape as sent by openhcs 0.8.6 — see docs/control-protocol.md §progress.
 */
import { z } from "zod";
import { MAX_ID_CHARS, MAX_TEXT_CHARS } from "./control-replies.js";

/** Largest progress message we parse; OpenHCS's biggest carry artifact lists of a few KB. */
export const MAX_PROGRESS_EVENT_BYTES = 4 * 1024 * 1024;

const id = z.string().max(MAX_ID_CHARS);
const text = z.string().max(MAX_TEXT_CHARS);
const count = z.number().int().nonnegative();

/** Phases OpenHCS 0.8.6 emits. Others are kept as plain strings, not refused. */
export const KNOWN_PHASES = [
  "init",
  "queued",
  "running",
  "success",
  "failed",
  "cancelled",
  "compile",
  "axis_started",
  "step_started",
  "step_completed",
  "pattern_group",
  "axis_completed",
  "axis_error",
  "viewer_settlement",
] as const;

export const ProgressEventSchema = z
  .looseObject({
    execution_id: id.min(1),
    /** The plate; OpenHCS 0.8.6 says `plate_id`, some newer sources `subject_id`. */
    plate_id: id.optional(),
    subject_id: id.optional(),
    /** The well (`""` for run-level events). */
    axis_id: id.default(""),
    step_name: id.default(""),
    phase: id,
    status: id,
    percent: z.number().min(0).max(100),
    completed: count,
    total: count,
    timestamp: z.number(),
    pid: z.number().int().optional(),
    total_wells: z.array(id).max(100_000).optional(),
    step_names: z.array(id).max(10_000).optional(),
    worker_slot: id.optional(),
    error: text.nullish(),
    traceback: text.nullish(),
    message: text.nullish(),
    progress_sequence: z.number().int().optional(),
  })
  .refine((event) => event.completed <= event.total, {
    error: "completed exceeds total",
    path: ["completed"],
  });
export type ProgressEvent = z.infer<typeof ProgressEventSchema>;

/** Whether an event ends the whole run (not just one well or step). */
export function isRunTerminalEvent(event: ProgressEvent): boolean {
  return (
    event.axis_id === "" &&
    (event.phase === "success" || event.phase === "failed" || event.phase === "cancelled")
  );
}
