/** Styles of `<ohr-run-header>`, kept apart so the element file reads as behaviour. */
import { css } from "lit";

export const headerStyles = css`
  :host {
    display: block;
    padding: 6px 8px;
    border-bottom: 1px solid var(--jp-border-color2, #e0e0e0);
  }
  .top,
  .progress,
  .figures {
    display: flex;
    align-items: center;
    gap: 10px;
    flex-wrap: wrap;
  }
  .where {
    display: flex;
    gap: 8px;
    flex: 1;
    font-family: var(--jp-code-font-family, monospace);
  }
  .status {
    font-weight: 600;
    padding: 1px 8px;
    border-radius: 10px;
    background: var(--jp-layout-color2, #eeeeee);
    border: 1px solid var(--ohr-status-color, var(--jp-border-color1, #bdbdbd));
  }
  .status-running,
  .status-compiling,
  .status-queued {
    --ohr-status-color: var(--jp-brand-color1, #1976d2);
  }
  .status-complete {
    --ohr-status-color: var(--jp-success-color1, #388e3c);
  }
  .status-failed,
  .status-error,
  .status-lost {
    --ohr-status-color: var(--jp-error-color1, #d32f2f);
  }
  .status-cancelled {
    --ohr-status-color: var(--jp-warn-color0, #e65100);
  }
  .progress {
    margin: 6px 0 2px;
  }
  ohr-progress-bar {
    flex: 1;
  }
  .percent {
    min-width: 3em;
    text-align: right;
    font-variant-numeric: tabular-nums;
  }
  .figures {
    font-variant-numeric: tabular-nums;
  }
  .cancel,
  .rerun {
    display: flex;
    align-items: center;
    gap: 6px;
  }
  .cancel-note,
  .rerun-note {
    font-size: var(--jp-ui-font-size0, 11px);
    color: var(--jp-ui-font-color2, rgba(0, 0, 0, 0.54));
  }
  .cancel-note.failed,
  .rerun-note.failed {
    color: var(--jp-error-color1, #d32f2f);
  }
  .wells {
    display: flex;
    gap: 12px;
    list-style: none;
    margin: 4px 0 0;
    padding: 0;
  }
  .dot {
    display: inline-block;
    width: 8px;
    height: 8px;
    margin-right: 4px;
    border-radius: 50%;
    background: var(--ohr-state-color);
  }
  .gaps,
  .notice {
    margin-top: 4px;
    color: var(--jp-warn-color0, #e65100);
  }
  .gap {
    margin-left: 6px;
    font-family: var(--jp-code-font-family, monospace);
  }
  .error,
  .failed-wells {
    margin-top: 6px;
    padding: 4px 6px;
    border-left: 3px solid var(--jp-error-color1, #d32f2f);
    background: var(--jp-rendermime-error-background, var(--jp-layout-color2, #fdd));
  }
  .code {
    font-family: var(--jp-code-font-family, monospace);
    font-weight: 600;
  }
  summary {
    cursor: pointer;
  }
  .traceback {
    margin: 4px 0 0;
    max-height: 20em;
    overflow: auto;
    font-family: var(--jp-code-font-family, monospace);
    font-size: var(--jp-code-font-size, 12px);
    white-space: pre;
  }
`;
