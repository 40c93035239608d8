/** Reaching into shadow roots, waiting for Lit, reading canvas pixels, saving screenshots. */
import { page } from "vitest/browser";

/** Follow `selectors` through nested shadow roots: `deep(view, "ohr-stack-viewer", "canvas")`. */
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the caller names the element it expects, as with querySelector<T>
export function deep<T extends Element = HTMLElement>(root: Element, ...selectors: string[]): T {
  let node: Element = root;
  for (const selector of selectors) {
    const next: Element | null = (node.shadowRoot ?? node).querySelector(selector);
    if (next === null) throw new Error(`no ${selector} under <${node.localName}>`);
    node = next;
  }
  return node as T;
}

/** Every match of `selector` in the shadow root of `root`. */
export function all<T extends Element = HTMLElement>(root: Element, selector: string): T[] {
  return [...(root.shadowRoot ?? root).querySelectorAll<T>(selector)];
}

function litElements(root: Element): { updateComplete: Promise<unknown> }[] {
  const found: { updateComplete: Promise<unknown> }[] = [];
  const visit = (node: Element): void => {
    if ("updateComplete" in node)
      found.push(node as unknown as { updateComplete: Promise<unknown> });
    for (const child of node.shadowRoot?.querySelectorAll("*") ?? []) visit(child);
    for (const child of node.children) visit(child);
  };
  visit(root);
  return found;
}

/** Let animation frames run and every Lit element under `root` finish updating. */
export async function settle(root: Element): Promise<void> {
  for (let i = 0; i < 3; i++) {
    await new Promise((resolve) => requestAnimationFrame(resolve));
    await Promise.all(litElements(root).map((e) => e.updateComplete));
  }
}

/** `[r, g, b, a]` of one canvas pixel. */
export function pixel(canvas: HTMLCanvasElement, x: number, y: number): number[] {
  const ctx = canvas.getContext("2d");
  if (ctx === null) throw new Error("canvas has no 2d context");
  return [...ctx.getImageData(Math.round(x), Math.round(y), 1, 1).data];
}

/** `[r, g, b]` at a fraction of the canvas (0–1 each way). */
export function rgbAt(canvas: HTMLCanvasElement, fx: number, fy: number): number[] {
  return pixel(canvas, fx * (canvas.width - 1), fy * (canvas.height - 1)).slice(0, 3);
}

/** What {@link thumbPixel} needs of `<ohr-plate-grid>` (kept structural: no element import). */
interface ThumbnailGrid {
  readonly thumbnailCanvas: HTMLCanvasElement | null;
  thumbnailRect(well: string): { x: number; y: number; width: number; height: number } | null;
}

/** `[r, g, b, a]` of a well's thumbnail in the grid's one canvas, at a fraction of its cell. */
export function thumbPixel(grid: ThumbnailGrid, well: string, fx: number, fy: number): number[] {
  const canvas = grid.thumbnailCanvas;
  const rect = grid.thumbnailRect(well);
  if (canvas === null || rect === null) throw new Error(`no thumbnail rectangle for ${well}`);
  return pixel(canvas, rect.x + fx * (rect.width - 1), rect.y + fy * (rect.height - 1));
}

/** Save a screenshot of `element` (or the page) under test-results/widget/. */
export async function screenshot(name: string, element?: Element): Promise<void> {
  // Paths are relative to the test file; every browser test sits in test/browser/.
  const path = `../../test-results/widget/${name}.png`;
  await (element === undefined ? page.screenshot({ path }) : page.screenshot({ path, element }));
}

/** Remove everything the previous test mounted. */
export function clearBody(): void {
  document.body.replaceChildren();
  document.getElementById("ohr-test-theme")?.remove();
}
