/**
 * Styles shared by the elements. Colours come only from JupyterLab's theme variables (with
 * fallbacks for a plain page), so light, dark and high-contrast themes all work.
 */
import { css } from "lit";

export const themeStyles = css`
  :host {
    font-family: var(--jp-ui-font-family, system-ui, sans-serif);
    font-size: var(--jp-ui-font-size1, 13px);
    color: var(--jp-ui-font-color1, rgba(0, 0, 0, 0.87));
  }
  button {
    font: inherit;
    color: var(--jp-ui-font-color1, rgba(0, 0, 0, 0.87));
    background: var(--jp-layout-color2, #eeeeee);
    border: 1px solid var(--jp-border-color1, #bdbdbd);
    border-radius: var(--jp-border-radius, 2px);
    padding: 2px 8px;
    cursor: pointer;
  }
  button:disabled {
    color: var(--jp-ui-font-color3, rgba(0, 0, 0, 0.38));
    cursor: default;
  }
  :focus-visible {
    outline: 2px solid var(--jp-brand-color1, #1976d2);
    outline-offset: 1px;
  }
  .muted {
    color: var(--jp-ui-font-color2, rgba(0, 0, 0, 0.54));
  }
`;

/** Colour of each well state (plate grid, header summary). */
export const wellStateStyles = css`
  .state-pending {
    --ohr-state-color: var(--jp-layout-color4, #757575);
  }
  .state-compiling {
    --ohr-state-color: var(--jp-warn-color2, #ffb74d);
  }
  .state-running {
    --ohr-state-color: var(--jp-brand-color1, #1976d2);
  }
  .state-done {
    --ohr-state-color: var(--jp-success-color1, #388e3c);
  }
  .state-failed {
    --ohr-state-color: var(--jp-error-color1, #d32f2f);
  }
  .state-cancelled {
    --ohr-state-color: var(--jp-warn-color0, #e65100);
  }
`;
