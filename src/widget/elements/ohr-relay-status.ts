/**
 * `<ohr-relay-status>`: the line that says the relay is away. While the sidecar waits for a relay
 * that went quiet (a partition, a restart) it reads "reconnecting to relay HOST:PORT… (12 s)",
 * counting on; when the stream gave up it says no more images will arrive; while the relay
 * answers it shows nothing. The seconds count from the shim's `silent_ms` on the browser's own
 * clock, so a kernel host whose clock differs does not skew them.
 */
import { LitElement, css, html, nothing, type PropertyValues } from "lit";
import { property } from "lit/decorators.js";
import { formatDuration } from "../../protocol/index.js";
import type { RelayLink } from "../state/index.js";
import { ClockController } from "./clock-controller.js";
import { defineElement } from "./define-element.js";
import { themeStyles } from "./theme-styles.js";

export class OhrRelayStatus extends LitElement {
  static override styles = [
    themeStyles,
    css`
      :host {
        display: contents;
      }
      .relay {
        padding: 1px 8px;
        border-radius: 10px;
        border: 1px dashed var(--ohr-relay-color);
        color: var(--ohr-relay-color);
        font-variant-numeric: tabular-nums;
      }
      .reconnecting {
        --ohr-relay-color: var(--jp-warn-color0, #e65100);
      }
      .lost {
        --ohr-relay-color: var(--jp-error-color1, #d32f2f);
      }
    `,
  ];

  /** The `relay_link` trait: `null` while the relay answers. */
  @property({ attribute: false }) link: RelayLink | null = null;

  /** When the current `link` arrived; the silence counts on from its `silent_ms` here. */
  #linkAt = Date.now();
  readonly #clock = new ClockController(this, () => this.link?.state === "reconnecting");

  /** How long the relay has been silent, as shown now (ms). */
  get silentMs(): number {
    const link = this.link;
    if (link === null) return 0;
    return link.silent_ms + Math.max(0, this.#clock.now - this.#linkAt);
  }

  override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has("link")) {
      this.#linkAt = Date.now();
      this.#clock.now = this.#linkAt;
    }
  }

  override render(): unknown {
    const link = this.link;
    if (link === null) return nothing;
    if (link.state === "lost") {
      return html`<span class="relay lost" role="alert"
        >lost the relay ${link.address}; no more images will arrive</span
      >`;
    }
    return html`<span class="relay reconnecting" role="status"
      >reconnecting to relay ${link.address}… (${formatDuration(this.silentMs)})</span
    >`;
  }
}

defineElement("ohr-relay-status", OhrRelayStatus);

declare global {
  interface HTMLElementTagNameMap {
    "ohr-relay-status": OhrRelayStatus;
  }
}
