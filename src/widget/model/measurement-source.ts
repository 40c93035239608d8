/** The `measurements` and `well_rows` commands as a {@link MeasurementSource}. */
import type { AnyModel } from "./anywidget-types.js";
import * as z from "../state/index.js";
import {
  MeasurementSummarySchema,
  RoiRepliesSchema,
  WidgetMessageError,
  WellRowsSchema,
  type MeasurementSource,
} from "../state/index.js";
import { FETCH_TIMEOUT_MS, invoke } from "./invoke.js";

export function measurementSource(model: AnyModel<object>): MeasurementSource {
  return {
    async summary(table, signal) {
      const reply = await invoke(
        model,
        "measurements",
        { table },
        { signal, timeoutMs: FETCH_TIMEOUT_MS },
      );
      const parsed = MeasurementSummarySchema.safeParse(reply.result);
      if (!parsed.success)
        throw new WidgetMessageError("measurements reply", z.prettifyError(parsed.error));
      return parsed.data;
    },
    async wellRows(table, well, signal) {
      const reply = await invoke(
        model,
        "well_rows",
        { table, well, limit: 1000 },
        { signal, timeoutMs: FETCH_TIMEOUT_MS },
      );
      const parsed = WellRowsSchema.safeParse(reply.result);
      if (!parsed.success)
        throw new WidgetMessageError("well_rows reply", z.prettifyError(parsed.error));
      return parsed.data;
    },
    async rois(well, site, channels, signal) {
      const reply = await invoke(
        model,
        "rois",
        { well, site, channels },
        { signal, timeoutMs: FETCH_TIMEOUT_MS },
      );
      const parsed = RoiRepliesSchema.safeParse(reply.result);
      if (!parsed.success)
        throw new WidgetMessageError("rois reply", z.prettifyError(parsed.error));
      return parsed.data.rois;
    },
  };
}
