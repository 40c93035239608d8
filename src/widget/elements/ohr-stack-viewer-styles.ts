/** Styles of `<ohr-stack-viewer>`. */
import { css } from "lit";

export const stackViewerStyles = css`
  :host {
    display: block;
    padding: 6px 8px;
  }
  .head {
    display: flex;
    flex-wrap: wrap;
    gap: 10px;
    align-items: center;
    margin-bottom: 6px;
  }
  .info {
    flex: 1;
  }
  .body {
    display: flex;
    flex-wrap: wrap;
    gap: 12px;
    align-items: flex-start;
  }
  .side {
    display: flex;
    flex-direction: column;
    gap: 10px;
    min-width: 16em;
  }
  .fetch-error,
  .well-error {
    color: var(--jp-error-color1, #d32f2f);
  }
  .well-error {
    font-family: var(--jp-code-font-family, monospace);
    white-space: pre-wrap;
    max-height: 12em;
    overflow: auto;
  }
  .empty {
    margin: 12px 0;
  }
`;
