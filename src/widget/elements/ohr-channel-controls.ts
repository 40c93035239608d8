/**
 * `<ohr-channel-controls>`: one row per channel — a toggle with the channel's name and colour,
 * and its contrast limits in source units (automatic from the preview's range, or typed in).
 * Reports changes as `ohr-channel-toggle` and `ohr-contrast-change`; holds no state of its own.
 */
import { LitElement, css, html } from "lit";
import { property } from "lit/decorators.js";
import { styleMap } from "lit/directives/style-map.js";
import { defineElement } from "./define-element.js";
import { emit } from "./events.js";
import type { ViewerChannel } from "../imaging/index.js";
import { themeStyles } from "./theme-styles.js";

/** One channel's row. */
export interface ChannelControl {
  readonly channel: ViewerChannel;
  readonly visible: boolean;
  /** Limits in use, in source units; `null` while the plane has no data for the channel. */
  readonly limits: readonly [number, number] | null;
  /** Whether `limits` are automatic. */
  readonly auto: boolean;
  /** The source dtype (integers step by 1). */
  readonly dtype: string;
}

/** Short form for the inputs: integers as they are, others to 4 significant digits. */
function show(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(4)));
}

export class OhrChannelControls extends LitElement {
  static override styles = [
    themeStyles,
    css`
      :host {
        display: block;
      }
      .channel {
        display: grid;
        grid-template-columns: minmax(8em, auto) 6em 6em auto;
        gap: 4px;
        align-items: center;
        margin-bottom: 4px;
      }
      .swatch {
        display: inline-block;
        width: 10px;
        height: 10px;
        margin: 0 4px;
        border: 1px solid var(--jp-border-color1, #bdbdbd);
      }
      input[type="number"] {
        width: 100%;
        box-sizing: border-box;
        font: inherit;
        color: var(--jp-ui-font-color1, rgba(0, 0, 0, 0.87));
        background: var(--jp-input-background, var(--jp-layout-color1, #ffffff));
        border: 1px solid var(--jp-border-color1, #bdbdbd);
      }
    `,
  ];

  @property({ attribute: false }) controls: readonly ChannelControl[] = [];

  override render(): unknown {
    return this.controls.map((c) => {
      const id = c.channel.index ?? "none";
      const step = c.dtype.startsWith("float") ? "any" : "1";
      return html`<div class="channel" data-channel=${id}>
        <label>
          <input
            type="checkbox"
            class="toggle"
            .checked=${c.visible}
            @change=${(e: Event) => {
              emit(this, "ohr-channel-toggle", {
                channel: c.channel.index,
                visible: (e.target as HTMLInputElement).checked,
              });
            }}
          /><span class="swatch" style=${styleMap({ background: c.channel.color })}></span
          >${c.channel.name}
        </label>
        <input
          type="number"
          class="min"
          aria-label="${c.channel.name} minimum"
          step=${step}
          .value=${c.limits === null ? "" : show(c.limits[0])}
          ?disabled=${c.limits === null}
          @change=${(e: Event) => {
            this.#onLimit(c, e);
          }}
          @keydown=${(e: KeyboardEvent) => {
            this.#onLimitKey(c, e);
          }}
        />
        <input
          type="number"
          class="max"
          aria-label="${c.channel.name} maximum"
          step=${step}
          .value=${c.limits === null ? "" : show(c.limits[1])}
          ?disabled=${c.limits === null}
          @change=${(e: Event) => {
            this.#onLimit(c, e);
          }}
          @keydown=${(e: KeyboardEvent) => {
            this.#onLimitKey(c, e);
          }}
        />
        ${
          c.auto
            ? html`<span class="muted">auto</span>`
            : html`<button
                class="auto"
                @click=${() => {
                  emit(this, "ohr-contrast-change", { channel: c.channel.index, limits: null });
                }}
              >
                Auto
              </button>`
        }
      </div>`;
    });
  }

  /**
   * Enter applies the limits at once. Browsers do that through `change`, but inside JupyterLab
   * the notebook swallows Enter's default action in an output, so `change` came only on blur.
   */
  #onLimitKey(control: ChannelControl, event: KeyboardEvent): void {
    if (event.key === "Enter") this.#onLimit(control, event);
  }

  #onLimit(control: ChannelControl, event: Event): void {
    const row = (event.target as HTMLElement).closest(".channel");
    const min = Number(row?.querySelector<HTMLInputElement>(".min")?.value);
    const max = Number(row?.querySelector<HTMLInputElement>(".max")?.value);
    if (!Number.isFinite(min) || !Number.isFinite(max)) return;
    emit(this, "ohr-contrast-change", { channel: control.channel.index, limits: [min, max] });
  }
}

defineElement("ohr-channel-controls", OhrChannelControls);

declare global {
  interface HTMLElementTagNameMap {
    "ohr-channel-controls": OhrChannelControls;
  }
}
