/**
 * A one-line progress bar with ETA for a terminal; on a pipe (no TTY) it prints a line per
 * finished well instead of redrawing.
 */
import type { RunProgressSnapshot } from "../orchestrator/index.js";
import { formatDuration } from "../protocol/index.js";

const WIDTH = 28;

/** Render one snapshot as text: `[#####-----]  40%  2/5 wells  ETA 1 min 03 s`. */
export function renderProgressLine(snapshot: RunProgressSnapshot): string {
  const filled = Math.round(snapshot.fraction * WIDTH);
  const bar = `${"#".repeat(filled)}${"-".repeat(WIDTH - filled)}`;
  const percent = `${Math.floor(snapshot.fraction * 100)}%`.padStart(4);
  const wells = `${snapshot.wellsDone}/${snapshot.wellsTotal} wells`;
  const failed = snapshot.wellsFailed > 0 ? `, ${snapshot.wellsFailed} failed` : "";
  const eta =
    snapshot.phase === "compiling" || snapshot.phase === "waiting"
      ? snapshot.phase
      : snapshot.etaMs === null
        ? "ETA …"
        : `ETA ${formatDuration(snapshot.etaMs)}`;
  return `[${bar}] ${percent}  ${wells}${failed}  ${eta}`;
}

/** Draws snapshots on a stream. */
export class ProgressBar {
  private lastLine = "";
  private lastDone = -1;

  constructor(private readonly stream: NodeJS.WriteStream = process.stderr) {}

  update(snapshot: RunProgressSnapshot): void {
    const line = renderProgressLine(snapshot);
    if (this.stream.isTTY) {
      if (line !== this.lastLine) this.stream.write(`\r${line}\u001b[K`);
    } else if (snapshot.wellsDone !== this.lastDone) {
      this.stream.write(`${line}\n`);
      this.lastDone = snapshot.wellsDone;
    }
    this.lastLine = line;
  }

  /** End the bar's line so later output starts clean. */
  finish(): void {
    if (this.stream.isTTY && this.lastLine !== "") this.stream.write("\n");
    this.lastLine = "";
  }
}
