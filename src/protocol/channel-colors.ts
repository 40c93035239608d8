/**
 * The channel palette: distinct on black under additive blending, in the order channels usually
 * come (a nuclear stain first). The one table of it: the result store writes it into OME-Zarr, the
 * widget colours unlisted channels with it, and the sidecar's `ready` event hands it to the shim
 * for the widget's `channels` trait and the static contact sheet (docs/sidecar-protocol.md §4).
 */
export const CHANNEL_COLORS = [
  "#0000FF",
  "#00FF00",
  "#FF0000",
  "#FF00FF",
  "#00FFFF",
  "#FFFF00",
] as const;

/** A plate's only channel is shown in grey. */
export const SINGLE_CHANNEL_COLOR = "#FFFFFF";

/** The colour of the channel at `position` among the run's channels (0-based). */
export function channelColor(position: number): string {
  return CHANNEL_COLORS[position % CHANNEL_COLORS.length] ?? SINGLE_CHANNEL_COLOR;
}
