/**
 * `<ohr-progress-bar>`: a thin determinate bar with an accessible value. Used for the run as a
 * whole; wells draw their own fill in the plate grid.
 */
import { LitElement, css, html } from "lit";
import { property } from "lit/decorators.js";
import { styleMap } from "lit/directives/style-map.js";
import { defineElement } from "./define-element.js";
import { formatPercent } from "./format.js";

export class OhrProgressBar extends LitElement {
  static override styles = css`
    :host {
      display: block;
      height: 8px;
      border-radius: 4px;
      overflow: hidden;
      background: var(--jp-layout-color3, #bdbdbd);
    }
    .fill {
      height: 100%;
      background: var(--ohr-progress-color, var(--jp-brand-color1, #1976d2));
      /* A transform, not the width, moves: the compositor animates it without a layout, paint
         and commit of the whole JupyterLab page on the main thread for every frame. */
      transform-origin: left;
      transition: transform 0.3s ease-out;
    }
  `;

  /** 0–1. */
  @property({ type: Number }) value = 0;
  /** Accessible name, e.g. "Run progress". */
  @property() label = "Progress";

  override willUpdate(): void {
    const clamped = Math.min(1, Math.max(0, this.value));
    this.setAttribute("role", "progressbar");
    this.setAttribute("aria-label", this.label);
    this.setAttribute("aria-valuemin", "0");
    this.setAttribute("aria-valuemax", "100");
    this.setAttribute("aria-valuenow", String(Math.floor(clamped * 100)));
    this.setAttribute("aria-valuetext", formatPercent(clamped));
  }

  override render(): unknown {
    const clamped = Math.min(1, Math.max(0, this.value));
    return html`<div class="fill" style=${styleMap({ transform: `scaleX(${clamped})` })}></div>`;
  }
}

defineElement("ohr-progress-bar", OhrProgressBar);

declare global {
  interface HTMLElementTagNameMap {
    "ohr-progress-bar": OhrProgressBar;
  }
}
