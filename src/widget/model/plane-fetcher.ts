/**
 * The `fetch_plane` command as a {@link PlaneFetcher}, with the last few planes kept so that
 * flipping back to a plane (or toggling a channel) does not fetch it again.
 */
import type { AnyModel } from "./anywidget-types.js";
import { decodeFullPlane, type FullPlane, type PlaneFetcher, planeKey } from "../imaging/index.js";
import { FETCH_TIMEOUT_MS, invoke } from "./invoke.js";

/** Planes kept: enough for 4 channels of the current and the previous plane. */
export const KEPT_FULL_PLANES = 8;

/** A fetcher that asks the shim behind `model`. */
export function planeFetcher(model: AnyModel<object>, kept = KEPT_FULL_PLANES): PlaneFetcher {
  const planes = new Map<string, FullPlane>();
  return async (request, signal) => {
    const key = planeKey(request);
    const hit = planes.get(key);
    if (hit !== undefined) {
      planes.delete(key); // re-insert: Map order is our least-recently-used order
      planes.set(key, hit);
      return hit;
    }
    const reply = await invoke(
      model,
      "fetch_plane",
      {
        well: request.well,
        site: request.site,
        channel: request.channel,
        z: request.z,
        timepoint: request.timepoint,
        step: request.step,
      },
      { signal, timeoutMs: FETCH_TIMEOUT_MS },
    );
    const plane = decodeFullPlane(reply.result, reply.buffers, request);
    planes.set(key, plane);
    for (const oldest of planes.keys()) {
      if (planes.size <= kept) break;
      planes.delete(oldest);
    }
    return plane;
  };
}
