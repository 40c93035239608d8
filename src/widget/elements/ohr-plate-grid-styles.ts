/** Styles of `<ohr-plate-grid>`. */
import { css } from "lit";

export const plateGridStyles = css`
  :host {
    display: block;
    width: max-content;
    padding: 6px 8px;
    /* A layer of its own: a changed line in the header (10 a second while images arrive) must
       not repaint 384 thumbnails (frames at p95 209 ms → 68 ms while it changes). */
    contain: paint;
    will-change: transform;
  }
  .grid {
    display: grid;
    grid-template-columns: 1.6em repeat(var(--ohr-columns), var(--ohr-cell));
    gap: 2px;
    width: max-content;
    position: relative;
  }
  /* Under the cells (they come later and are positioned); sized and placed by the element. */
  .thumbs {
    position: absolute;
    left: 0;
    top: 0;
    pointer-events: none;
  }
  .row {
    display: contents;
  }
  .label {
    font-size: var(--jp-ui-font-size0, 10px);
    color: var(--jp-ui-font-color2, rgba(0, 0, 0, 0.54));
    text-align: center;
    align-self: center;
    line-height: 1;
    overflow: hidden;
  }
  .well {
    position: relative;
    box-sizing: border-box;
    width: var(--ohr-cell);
    height: var(--ohr-cell);
    border: 2px solid var(--ohr-state-color);
    border-radius: 3px;
    background: var(--jp-layout-color2, #eeeeee);
    overflow: hidden;
    cursor: pointer;
  }
  .well.absent {
    border: 1px dashed var(--jp-border-color1, #bdbdbd);
    background: var(--jp-layout-color1, #ffffff);
    cursor: default;
  }
  .well.selected {
    box-shadow: 0 0 0 2px var(--jp-ui-font-color0, #000000);
  }
  .well[data-thumb] {
    background: transparent;
  }
  .fill {
    position: absolute;
    left: 0;
    bottom: 0;
    height: 3px;
    background: var(--ohr-state-color);
  }
`;
