/**
 * The events the elements dispatch. All bubble and are composed (they cross shadow roots), so the
 * adapter listens once on `<ohr-run-view>`; names are `ohr-`-prefixed and each has a typed detail.
 */
import type { PlaneView } from "../state/index.js";

/** A well was chosen (click, Enter or Space on the plate grid). */
export interface WellSelectDetail {
  /** As the run names it, e.g. `B03`. */
  readonly well: string;
  readonly row: string;
  /** 1-based. */
  readonly column: number;
}

/** The viewer moved to another site, z, timepoint or step. */
export interface ViewChangeDetail {
  readonly view: PlaneView;
}

/** A channel was shown or hidden in the stack viewer. */
export interface ChannelToggleDetail {
  readonly channel: number | null;
  readonly visible: boolean;
}

/** Contrast limits of a channel changed, in source units; `null` means automatic. */
export interface ContrastChangeDetail {
  readonly channel: number | null;
  readonly limits: readonly [number, number] | null;
}

/**
 * A well's thumbnail was drawn from previews up to `seq` (for latency measurements: the bench
 * listens for it; nothing in the widget does).
 */
export interface PreviewDrawnDetail {
  readonly well: string;
  readonly seq: number;
  /** The newest preview of the well held when drawn (the link bench: drawn after the last). */
  readonly newest: number;
}

/**
 * The viewer took a well into view whose previews the browser does not hold (it keeps only the
 * wells on screen): ask the kernel for them.
 */
export interface PreviewsRequestDetail {
  readonly well: string;
}

/** The plane canvas was zoomed (1 = the whole image fits). */
export interface ZoomChangeDetail {
  readonly zoom: number;
}

/** The user asked to cancel the run. */
export interface CancelRequestDetail {
  readonly executionId: string;
}

/** The user asked to re-run the wells the run did not finish. */
export interface RerunRequestDetail {
  readonly executionId: string;
  readonly wells: readonly string[];
}

export interface OhrEventMap {
  "ohr-well-select": WellSelectDetail;
  "ohr-view-change": ViewChangeDetail;
  "ohr-channel-toggle": ChannelToggleDetail;
  "ohr-contrast-change": ContrastChangeDetail;
  "ohr-cancel-request": CancelRequestDetail;
  "ohr-rerun-request": RerunRequestDetail;
  "ohr-preview-drawn": PreviewDrawnDetail;
  "ohr-previews-request": PreviewsRequestDetail;
  "ohr-zoom-change": ZoomChangeDetail;
}

/** The same list as DOM event types, so `addEventListener` knows each detail. */
type OhrCustomEvents = { [K in keyof OhrEventMap]: CustomEvent<OhrEventMap[K]> };

declare global {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- merges the list in
  interface HTMLElementEventMap extends OhrCustomEvents {}
}

/** Dispatch an `ohr-*` event from `target`, bubbling and composed. */
export function emit<K extends keyof OhrEventMap>(
  target: EventTarget,
  type: K,
  detail: OhrEventMap[K],
): void {
  target.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
}
