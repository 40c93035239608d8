/**
 * Resolve the requested view against the values that exist: a site, z or timepoint not seen (or
 * not chosen yet) becomes the first there is; a step becomes the last, the pipeline's output.
 */
import type { PlaneCoordinates, Axes, PlaneView } from "../state/index.js";

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

/** `null` (the axis does not apply) sorts before every value. */
const rank = (v: number | null): number => v ?? -Infinity;

/**
 * Move a resolved view onto a plane the well has at that step, if the one asked for is not
 * there. Axes are plate-wide, but a step that flattens an axis (a z-projection) has only planes
 * with `z` null: "the first z" would show an empty frame there. Keeps the step; prefers a plane
 * at the same site, then timepoint, then z; among equals, the lowest site, timepoint and z.
 */
export function fitViewToPlanes(view: PlaneView, planes: Iterable<PlaneCoordinates>): PlaneView {
  let best: PlaneCoordinates | undefined;
  let bestKey: number[] = [];
  for (const p of planes) {
    if (p.step !== view.step) continue;
    if (p.site === view.site && p.z === view.z && p.timepoint === view.timepoint) return view;
    const key = [
      p.site === view.site ? 0 : 1,
      p.timepoint === view.timepoint ? 0 : 1,
      p.z === view.z ? 0 : 1,
      rank(p.site),
      rank(p.timepoint),
      rank(p.z),
    ];
    const i = key.findIndex((v, k) => v !== bestKey[k]);
    if (best === undefined || (i >= 0 && (key[i] ?? 0) < (bestKey[i] ?? 0))) {
      best = p;
      bestKey = key;
    }
  }
  if (best === undefined) return view;
  return { site: best.site, z: best.z, timepoint: best.timepoint, step: view.step };
}

/**
 * The axes as they are at one step of one well: the sites, z-planes and timepoints its planes
 * have there. A step that flattens z has no z at all, so the z slider disappears for it instead
 * of moving through planes that do not exist. Before any plane of the step arrived, the plate's
 * axes stand in.
 */
export function axesAtStep(
  axes: Axes,
  planes: Iterable<PlaneCoordinates>,
  step: string | null,
): Axes {
  const sites = new Set<number>();
  const z = new Set<number>();
  const timepoints = new Set<number>();
  let seen = false;
  for (const p of planes) {
    if (p.step !== step) continue;
    seen = true;
    if (p.site !== null) sites.add(p.site);
    if (p.z !== null) z.add(p.z);
    if (p.timepoint !== null) timepoints.add(p.timepoint);
  }
  if (!seen) return axes;
  const sorted = (values: Set<number>): number[] => [...values].sort((a, b) => a - b);
  return { ...axes, sites: sorted(sites), z: sorted(z), timepoints: sorted(timepoints) };
}
