/**
 * One validated control call: send, turn an error reply into {@link ServerError}, check the
 * reply's shape, and name the field that is wrong when it is not what the protocol promises.
 */
import type { z } from "zod";
import { ErrorReplySchema, errorReplyText } from "../protocol/index.js";
import type { ControlChannel, ControlRequest, RequestOptions } from "./control-channel.js";
import { ProtocolError, ServerError } from "./orchestrator-errors.js";

/** Send `message` and return its reply parsed by `schema`. */
export async function callServer<S extends z.ZodType>(
  channel: ControlChannel,
  message: ControlRequest,
  schema: S,
  options: RequestOptions,
): Promise<z.infer<S>> {
  const reply = await channel.request(message, options);
  const place = { address: channel.address, executionId: options.executionId };
  const asError = ErrorReplySchema.safeParse(reply);
  if (asError.success) {
    throw new ServerError(
      place,
      message.type,
      errorReplyText(asError.data),
      typeof asError.data.traceback === "string" ? asError.data.traceback : undefined,
    );
  }
  const parsed = schema.safeParse(reply);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field =
      issue === undefined || issue.path.length === 0 ? "(top level)" : issue.path.join(".");
    throw new ProtocolError(
      place,
      `reply to '${message.type}': field ${field}: ${issue?.message ?? "invalid"}`,
      { cause: parsed.error },
    );
  }
  return parsed.data;
}
