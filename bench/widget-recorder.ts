/**
 * What the widget benchmark records in the page, from before JupyterLab loads: when our widget
 * drew a thumbnail (`ohr-preview-drawn`), and when an `<img>` of the IPython.display baseline
 * was decoded (a MutationObserver, then `img.decode()`). Times are `Date.now()`: wall-clock
 * milliseconds, the same clock as the relay's `time.time()` on this host.
 */

/**
 * Our widget drew a well's thumbnail from previews up to `seq` of run `exec`, the well's newest
 * preview then being `newest`.
 */
export interface DrawnRecord {
  readonly exec: string;
  readonly well: string;
  readonly seq: number;
  readonly newest: number;
  readonly t: number;
}

/** A baseline `<img>` labelled `<execution id>:<seq>` (its PNG's tEXt chunk) was decoded. */
export interface ShownRecord {
  readonly label: string;
  readonly t: number;
}

export interface BenchRecords {
  drawn: DrawnRecord[];
  shown: ShownRecord[];
  /**
   * When the page's script saw each `ohr-preview` comm message arrive on a websocket, by seq
   * (the first `message` listener, ahead of JupyterLab's): what is before is the kernel,
   * jupyter_server and the network; what is after is the page.
   */
  arrived: Record<number, number>;
  /** `<img>`s whose decode failed (replaced before they were decoded). */
  failed: number;
}

declare global {
  interface Window {
    ohrBench?: BenchRecords;
  }
}

/**
 * Install the recorders (`page.addInitScript(installRecorder)`). Serialised by Playwright: it
 * must not refer to anything outside itself.
 */
export function installRecorder(): void {
  const records: BenchRecords = { drawn: [], shown: [], arrived: {}, failed: 0 };
  window.ohrBench = records;

  // JupyterLab reads the WebSocket class when it connects, after this script has run.
  const seqField = /"seq":\s*(\d+)/;
  const latin1 = new TextDecoder("latin1");
  const NativeWebSocket = window.WebSocket;
  window.WebSocket = class extends NativeWebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      this.addEventListener("message", (event: MessageEvent<unknown>) => {
        const t = Date.now();
        const { data } = event;
        // The message's JSON parts come before its buffers; 16 KiB holds them.
        const text =
          typeof data === "string"
            ? data
            : data instanceof ArrayBuffer
              ? latin1.decode(new Uint8Array(data, 0, Math.min(data.byteLength, 16384)))
              : "";
        if (!text.includes("ohr-preview")) return;
        const seq = seqField.exec(text)?.[1];
        if (seq !== undefined) records.arrived[Number(seq)] ??= t;
      });
    }
  };

  document.addEventListener(
    "ohr-preview-drawn",
    (event) => {
      const t = Date.now();
      const { well, seq, newest } = (
        event as CustomEvent<{ well: string; seq: number; newest: number }>
      ).detail;
      // Seen from the document, the event's target is the outermost host: <ohr-run-view>.
      const view = event.target as { executionId?: string } | null;
      records.drawn.push({ exec: view?.executionId ?? "", well, seq, newest, t });
    },
    true,
  );

  /** The `ohr` tEXt chunk of a PNG data URL (it sits right after IHDR), or `null`. */
  const labelOf = (src: string): string | null => {
    const prefix = "data:image/png;base64,";
    if (!src.startsWith(prefix)) return null;
    const bytes = atob(src.slice(prefix.length, prefix.length + 400));
    for (let at = 8; at + 8 <= bytes.length;) {
      const length =
        ((bytes.charCodeAt(at) << 24) |
          (bytes.charCodeAt(at + 1) << 16) |
          (bytes.charCodeAt(at + 2) << 8) |
          bytes.charCodeAt(at + 3)) >>>
        0;
      const kind = bytes.slice(at + 4, at + 8);
      if (kind === "tEXt") {
        const text = bytes.slice(at + 8, at + 8 + length);
        return text.startsWith("ohr\0") ? text.slice(4) : null;
      }
      if (kind === "IDAT") return null;
      at += 12 + length;
    }
    return null;
  };

  const handled = new WeakMap<HTMLImageElement, string>();
  const watch = (img: HTMLImageElement): void => {
    const src = img.getAttribute("src") ?? "";
    if (handled.get(img) === src) return;
    handled.set(img, src);
    const label = labelOf(src);
    if (label === null) return;
    img.decode().then(
      () => records.shown.push({ label, t: Date.now() }),
      () => (records.failed += 1),
    );
  };

  new MutationObserver((mutations) => {
    for (const mutation of mutations) {
      if (mutation.target instanceof HTMLImageElement) watch(mutation.target);
      for (const node of mutation.addedNodes) {
        if (node instanceof HTMLImageElement) watch(node);
        else if (node instanceof Element) node.querySelectorAll("img").forEach(watch);
      }
    }
  }).observe(document, {
    subtree: true,
    childList: true,
    attributes: true,
    attributeFilter: ["src"],
  });
}
