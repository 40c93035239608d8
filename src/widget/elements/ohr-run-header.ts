/**
 * `<ohr-run-header>`: what the run is doing. Server and state (and the relay while it is away),
 * overall progress, wells by state, ETA and a ticking elapsed time, cancel, re-running the wells
 * that did not finish (the re-run's wells then show in this run's grid), and every problem in
 * full: the server's traceback (folded), failed wells with their errors, and relay gaps (images
 * that will never arrive).
 */
import { LitElement, html, nothing } from "lit";
import { property } from "lit/decorators.js";
import { formatDuration } from "../../protocol/index.js";
import {
  CANCEL_IDLE,
  type CancelState,
  RERUN_IDLE,
  type RerunInfo,
  type RerunState,
  RUN_OVER_STATUSES,
  TRAITS,
  WELL_STATES,
  type RelayGap,
  type RelayLink,
  type RunError,
  type RunProgress,
  type RunStatus,
  type WellProgress,
  type WellState,
} from "../state/index.js";
import { ClockController } from "./clock-controller.js";
import { emit } from "./events.js";
import { defineElement } from "./define-element.js";
import { formatPercent, plural } from "./format.js";
import "./ohr-progress-bar.js";
import "./ohr-relay-status.js";
import { headerStyles } from "./ohr-run-header-styles.js";
import { wellStateStyles, themeStyles } from "./theme-styles.js";

const STATUS_TEXT: Readonly<Record<RunStatus, string>> = {
  connecting: "Connecting",
  queued: "Queued",
  compiling: "Compiling",
  running: "Running",
  complete: "Complete",
  failed: "Failed",
  cancelled: "Cancelled",
  lost: "Lost contact",
  error: "Error",
};

export class OhrRunHeader extends LitElement {
  static override styles = [themeStyles, wellStateStyles, headerStyles];

  @property() server = "";
  @property({ attribute: "execution-id" }) executionId = "";
  @property() status: RunStatus = "connecting";
  @property({ attribute: false }) progress: RunProgress = TRAITS.progress.empty;
  @property({ attribute: false }) wells: Readonly<Record<string, WellProgress>> = {};
  @property({ attribute: false }) error: RunError | null = null;
  @property({ attribute: false }) gaps: readonly RelayGap[] = [];
  /** The relay while it is away (`reconnecting`) or given up; `null` while it answers. */
  @property({ attribute: false }) relayLink: RelayLink | null = null;
  @property({ type: Number, attribute: "images-received" }) imagesReceived = 0;
  @property({ attribute: false }) cancelState: CancelState = CANCEL_IDLE;
  /** The run re-running this one's unfinished wells, once there is one. */
  @property({ attribute: false }) rerun: RerunInfo | null = null;
  @property({ attribute: false }) rerunState: RerunState = RERUN_IDLE;
  /** A line about the widget itself (e.g. earlier images could not be replayed). */
  @property() notice = "";

  /** When the current `progress` arrived; elapsed time and ETA count from here. */
  #progressAt = Date.now();
  readonly #clock = new ClockController(this, () => !this.over);

  /** The wells the run did not finish (failed, cancelled, never done), as the shim counts them. */
  get unfinishedWells(): string[] {
    return Object.entries(this.wells)
      .filter(([, w]) => w.state !== "done")
      .map(([name]) => name)
      .sort();
  }

  /** Whether the run has ended (cancel is pointless). */
  get over(): boolean {
    return RUN_OVER_STATUSES.has(this.status);
  }

  override willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (changed.has("progress")) this.#progressAt = Date.now();
  }

  override render(): unknown {
    const p = this.progress;
    const since = this.over ? 0 : Math.max(0, this.#clock.now - this.#progressAt);
    const eta = p.eta_ms === null || this.over ? null : Math.max(0, p.eta_ms - since);
    return html`
      <div class="top">
        <span class="status status-${this.status}" role="status">${STATUS_TEXT[this.status]}</span>
        <ohr-relay-status .link=${this.relayLink}></ohr-relay-status>
        <span class="where">
          ${this.server === "" ? nothing : html`<span title="execution server">${this.server}</span>`}
          ${this.executionId === "" ? nothing : html`<span class="muted">run ${this.executionId}</span>`}
        </span>
        ${this.#renderRerun()} ${this.#renderCancel()}
      </div>
      ${
        this.rerun === null
          ? nothing
          : html`<div class="rerun-of muted">
              re-run ${this.rerun.execution_id} of ${plural(this.rerun.wells.length, "well")}:
              ${this.rerun.wells.join(", ")}
            </div>`
      }
      <div class="progress">
        <ohr-progress-bar .value=${p.fraction} label="Run progress"></ohr-progress-bar>
        <span class="percent">${formatPercent(p.fraction)}</span>
      </div>
      <div class="figures">
        <span>${p.wells_done}/${p.wells_total} wells done</span>
        ${eta === null ? nothing : html`<span class="eta">ETA ${formatDuration(eta)}</span>`}
        <span class="elapsed">elapsed ${formatDuration(p.elapsed_ms + since)}</span>
        <span class="muted">${plural(this.imagesReceived, "image")} received</span>
      </div>
      ${this.#renderWellSummary()} ${this.#renderGaps()} ${this.#renderError()}
      ${this.#renderFailedWells()}
      ${this.notice === "" ? nothing : html`<div class="notice">${this.notice}</div>`}
    `;
  }

  #renderCancel(): unknown {
    const c = this.cancelState;
    const pending = c.kind === "pending";
    const disabled = this.over || pending || c.kind === "requested";
    const label = pending ? "Cancelling…" : "Cancel run";
    const note =
      c.kind === "waiting"
        ? "No answer yet: the kernel is busy with a cell and will cancel when it is free."
        : c.kind === "requested"
          ? c.message || "Cancel requested."
          : c.kind === "failed"
            ? `Cancel failed: ${c.code}: ${c.message}`
            : "";
    return html`
      <span class="cancel">
        <button
          ?disabled=${disabled}
          aria-busy=${pending || c.kind === "waiting"}
          @click=${this.#onCancel}
        >
          ${label}
        </button>
        ${note === "" ? nothing : html`<span class="cancel-note ${c.kind}">${note}</span>`}
      </span>
    `;
  }

  #renderRerun(): unknown {
    const r = this.rerunState;
    const unfinished = this.over ? this.unfinishedWells : [];
    if (unfinished.length === 0 && r.kind !== "failed" && r.kind !== "waiting") return nothing;
    const busy = r.kind === "pending" || r.kind === "waiting";
    const note =
      r.kind === "waiting"
        ? "No answer yet: the kernel is busy with a cell and will start the re-run when it is free."
        : r.kind === "failed"
          ? `Re-run failed: ${r.code}: ${r.message}`
          : "";
    return html`
      <span class="rerun">
        ${
          unfinished.length === 0
            ? nothing
            : html`<button ?disabled=${busy} aria-busy=${busy} @click=${this.#onRerun}>
                ${
                  r.kind === "pending"
                    ? "Starting re-run…"
                    : `Re-run ${plural(unfinished.length, "unfinished well")}`
                }
              </button>`
        }
        ${note === "" ? nothing : html`<span class="rerun-note ${r.kind}">${note}</span>`}
      </span>
    `;
  }

  #renderWellSummary(): unknown {
    const counts = new Map<WellState, number>(WELL_STATES.map((s) => [s, 0]));
    let seen = 0;
    for (const well of Object.values(this.wells)) {
      counts.set(well.state, (counts.get(well.state) ?? 0) + 1);
      seen += 1;
    }
    counts.set(
      "pending",
      (counts.get("pending") ?? 0) + Math.max(0, this.progress.wells_total - seen),
    );
    const shown = WELL_STATES.filter((s) => (counts.get(s) ?? 0) > 0);
    if (shown.length === 0) return nothing;
    return html`<ul class="wells" aria-label="Wells by state">
      ${shown.map((s) => html`<li class="state-${s}"><span class="dot"></span>${counts.get(s)} ${s}</li>`)}
    </ul>`;
  }

  #renderGaps(): unknown {
    if (this.gaps.length === 0) return nothing;
    const missing = this.gaps.reduce((n, g) => n + Math.max(0, g.to_seq - g.from_seq + 1), 0);
    return html`<div class="gaps" role="alert">
      ${plural(missing, "image")} the relay could not deliver:
      ${this.gaps.map(
        (g, i) =>
          html`${i === 0 ? "" : ", "}<span class="gap"
              >#${g.from_seq === g.to_seq ? g.from_seq : `${g.from_seq}–${g.to_seq}`}
              (${g.reason})</span
            >`,
      )}
    </div>`;
  }

  #renderError(): unknown {
    const e = this.error;
    if (e === null) return nothing;
    const headline = html`<span class="code">${e.code}</span> ${e.message}`;
    if (e.traceback == null || e.traceback === "")
      return html`<div class="error" role="alert">${headline}</div>`;
    return html`<details class="error" role="alert">
      <summary>${headline}</summary>
      <pre class="traceback">${e.traceback}</pre>
    </details>`;
  }

  #renderFailedWells(): unknown {
    const failed = Object.entries(this.wells).filter(([, w]) => w.state === "failed");
    if (failed.length === 0) return nothing;
    return html`<details class="failed-wells">
      <summary>${plural(failed.length, "well")} failed</summary>
      ${failed.map(
        ([name, w]) =>
          html`<div class="failed-well">
            <b>${name}</b
            >${w.step === "" ? nothing : html` <span class="muted">in ${w.step}</span>`}
            ${w.error == null ? nothing : html`<pre class="traceback">${w.error}</pre>`}
          </div>`,
      )}
    </details>`;
  }

  #onRerun(): void {
    emit(this, "ohr-rerun-request", { executionId: this.executionId, wells: this.unfinishedWells });
  }

  #onCancel(): void {
    emit(this, "ohr-cancel-request", { executionId: this.executionId });
  }
}

defineElement("ohr-run-header", OhrRunHeader);

declare global {
  interface HTMLElementTagNameMap {
    "ohr-run-header": OhrRunHeader;
  }
}
