/**
 * Resolve the requested view against the values that exist: a site, z or timepoint not seen (or
 * not chosen yet) becomes the first there is; a step becomes the last, the pipeline's output.
 */
import type { Axes, PlaneView } from "./run-state.js";

function pick<T>(wanted: T | null, values: readonly T[], fallback: T | undefined): T | null {
  if (wanted !== null && values.includes(wanted)) return wanted;
  return fallback ?? null;
}

export function resolveView(view: PlaneView, axes: Axes): PlaneView {
  return {
    site: pick(view.site, axes.sites, axes.sites[0]),
    z: pick(view.z, axes.z, axes.z[0]),
    timepoint: pick(view.timepoint, axes.timepoints, axes.timepoints[0]),
    step: pick(view.step, axes.steps, axes.steps[axes.steps.length - 1]),
  };
}
