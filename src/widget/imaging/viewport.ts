/**
 * Zoom and pan as plain data. The centre is in normalised image coordinates (0–1), so the same
 * view holds when a preview is replaced by its full-resolution plane.
 */

/** `zoom` 1 shows the whole image; `cx`, `cy` is the image point at the canvas centre. */
export interface Viewport {
  readonly zoom: number;
  readonly cx: number;
  readonly cy: number;
}

export const FIT: Viewport = { zoom: 1, cx: 0.5, cy: 0.5 };
export const MAX_ZOOM = 64;
/** One zoom step (button, key, wheel notch). */
export const ZOOM_STEP = 1.5;

/** Keep the zoom in range and the visible region inside the image. */
export function clampViewport(v: Viewport): Viewport {
  const zoom = Math.min(MAX_ZOOM, Math.max(1, v.zoom));
  const half = 0.5 / zoom;
  const clamp = (c: number): number => Math.min(1 - half, Math.max(half, c));
  return { zoom, cx: clamp(v.cx), cy: clamp(v.cy) };
}

/**
 * Zoom by `factor`, keeping the image point under `at` (canvas position as a 0–1 fraction of the
 * canvas) where it is; the canvas centre by default.
 */
export function zoomBy(v: Viewport, factor: number, at = { x: 0.5, y: 0.5 }): Viewport {
  const zoom = Math.min(MAX_ZOOM, Math.max(1, v.zoom * factor));
  const px = v.cx + (at.x - 0.5) / v.zoom;
  const py = v.cy + (at.y - 0.5) / v.zoom;
  return clampViewport({ zoom, cx: px - (at.x - 0.5) / zoom, cy: py - (at.y - 0.5) / zoom });
}

/** Move the view by a fraction of the visible region (drag, arrow keys). */
export function panBy(v: Viewport, dx: number, dy: number): Viewport {
  return clampViewport({ zoom: v.zoom, cx: v.cx + dx / v.zoom, cy: v.cy + dy / v.zoom });
}

/** The region of a `width × height` image the viewport shows, in image pixels. */
export function visibleRegion(
  v: Viewport,
  width: number,
  height: number,
): { sx: number; sy: number; sw: number; sh: number } {
  const sw = width / v.zoom;
  const sh = height / v.zoom;
  return { sx: v.cx * width - sw / 2, sy: v.cy * height - sh / 2, sw, sh };
}
