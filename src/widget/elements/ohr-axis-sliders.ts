/**
 * `<ohr-axis-sliders>`: a slider for each of site, z, timepoint and step that has more than one
 * value, each labelled with the value it shows. Moving one fires `ohr-view-change` with the whole
 * new view.
 */
import { LitElement, css, html, nothing } from "lit";
import { property } from "lit/decorators.js";
import { defineElement } from "./define-element.js";
import { emit } from "./events.js";
import { TRAITS, type Axes, type PlaneView } from "../state/index.js";
import { themeStyles } from "./theme-styles.js";

type AxisKey = "site" | "z" | "timepoint" | "step";
const AXES: readonly {
  key: AxisKey;
  values: (a: Axes) => readonly (number | string)[];
  label: string;
}[] = [
  { key: "site", values: (a) => a.sites, label: "Site" },
  { key: "z", values: (a) => a.z, label: "Z" },
  { key: "timepoint", values: (a) => a.timepoints, label: "Time" },
  { key: "step", values: (a) => a.steps, label: "Step" },
];

export class OhrAxisSliders extends LitElement {
  static override styles = [
    themeStyles,
    css`
      :host {
        display: grid;
        grid-template-columns: auto 1fr auto;
        gap: 2px 8px;
        align-items: center;
      }
      output {
        min-width: 3em;
        font-variant-numeric: tabular-nums;
      }
    `,
  ];

  @property({ attribute: false }) axes: Axes = TRAITS.axes.empty;
  /** The view shown, with every axis resolved to a value that exists. */
  @property({ attribute: false }) view: PlaneView = TRAITS.view.empty;

  override render(): unknown {
    return AXES.map(({ key, values, label }) => {
      const all = values(this.axes);
      if (all.length < 2) return nothing;
      const index = Math.max(0, all.indexOf(this.view[key] as never));
      const id = `axis-${key}`;
      return html`
        <label for=${id}>${label}</label>
        <input
          id=${id}
          class="axis"
          data-axis=${key}
          type="range"
          min="0"
          max=${all.length - 1}
          step="1"
          .value=${String(index)}
          aria-valuetext=${`${label} ${String(all[index])}`}
          @input=${(e: Event) => {
            const value = all[Number((e.target as HTMLInputElement).value)];
            emit(this, "ohr-view-change", { view: { ...this.view, [key]: value } });
          }}
        />
        <output
          >${all[index]}${key === "step" ? nothing : html`<span class="muted">/${all.length}</span>`}</output
        >
      `;
    });
  }
}

defineElement("ohr-axis-sliders", OhrAxisSliders);

declare global {
  interface HTMLElementTagNameMap {
    "ohr-axis-sliders": OhrAxisSliders;
  }
}
