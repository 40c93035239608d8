/**
 * The requests the shim sends the sidecar (docs/sidecar-protocol.md §3), as schemas. The shim is
 * our own code, but a kernel is also where users run arbitrary code: every request is validated
 * and bounded before it reaches a socket or the disk.
 */
import { z } from "zod";
import { RELAY_DELIVERIES } from "../protocol/index.js";

const MAX_CODE_CHARS = 16 * 1024 * 1024;
const name = z.string().min(1).max(4096);
const port = z.number().int().min(1).max(65535);
const component = z.number().int().min(1).max(1_000_000).nullable();

/** An execution server and, optionally, the relay that streams its results. */
export const EndpointSchema = z.strictObject({
  host: z.string().min(1).max(255),
  port: z.number().int().min(1).max(64535),
  relay: z
    .strictObject({
      host: z.string().min(1).max(255),
      port,
      curve_public_key: z.string().length(40).nullable(),
    })
    .nullable(),
  timeout_s: z.number().positive().max(86_400),
  retries: z.number().int().min(0).max(100),
});
export type Endpoint = z.infer<typeof EndpointSchema>;

const base = { type: z.literal("request"), id: z.number().int().nonnegative() };
const runKey = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/);
const storeDir = z.string().min(1).max(4096).nullish();
/** How the run's images come (docs/relay-stream-protocol.md §4.2); absent: `"full"`. */
const delivery = z.enum(RELAY_DELIVERIES);

export const RequestSchema = z.discriminatedUnion("op", [
  z.strictObject({ ...base, op: z.literal("connect"), server: EndpointSchema }),
  z.strictObject({
    ...base,
    op: z.literal("run"),
    run_key: runKey,
    server: EndpointSchema,
    plate_id: z.union([name, z.number().int()]),
    pipeline_code: z.string().min(1).max(MAX_CODE_CHARS),
    config_code: z.string().min(1).max(MAX_CODE_CHARS),
    config_params: z.record(z.string(), z.unknown()).nullish(),
    /**
     * The relay's viewer port on the server host, where the code is routed; `"relay"`: the port
     * the relay's `welcome` names; null: the code is sent as it is.
     */
    viewer_port: z.union([port, z.literal("relay")]).nullable(),
    store_dir: storeDir,
    delivery: delivery.optional(),
  }),
  z.strictObject({
    ...base,
    op: z.literal("attach"),
    run_key: runKey,
    server: EndpointSchema,
    execution_id: name,
    store_dir: storeDir,
    delivery: delivery.optional(),
  }),
  z.strictObject({
    ...base,
    op: z.literal("cancel"),
    execution_id: name,
    server: EndpointSchema.optional(),
  }),
  z.strictObject({
    ...base,
    op: z.literal("status"),
    execution_id: name,
    server: EndpointSchema.optional(),
  }),
  z.strictObject({
    ...base,
    op: z.literal("fetch_plane"),
    execution_id: name,
    well: z.string().max(64),
    site: component,
    channel: component,
    z: component,
    timepoint: component,
    step: z.string().max(4096).nullable(),
  }),
  z.strictObject({ ...base, op: z.literal("list_images"), execution_id: name }),
  z.strictObject({
    ...base,
    op: z.literal("save"),
    execution_id: name,
    path: z.string().min(1).max(4096),
  }),
  z.strictObject({
    ...base,
    op: z.literal("run_outputs"),
    execution_id: name,
    server: EndpointSchema.optional(),
  }),
  z.strictObject({
    ...base,
    op: z.literal("fetch_run_output"),
    execution_id: name,
    server: EndpointSchema.optional(),
    path: z.string().min(1).max(1000),
  }),
  z.strictObject({ ...base, op: z.literal("shutdown") }),
]);
export type Request = z.infer<typeof RequestSchema>;
export type RequestOf<Op extends Request["op"]> = Extract<Request, { op: Op }>;
