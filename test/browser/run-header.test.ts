import { afterEach, describe, expect, it } from "vitest";
import { userEvent } from "vitest/browser";
import "../../src/widget/elements/ohr-run-header.js";
import type { OhrRunHeader } from "../../src/widget/elements/ohr-run-header.js";
import { TRAITS } from "../../src/widget/state/run-state.js";
import { all, clearBody, deep, screenshot, settle } from "./helpers/dom.js";
import { runningState } from "./helpers/scenes.js";

async function mountHeader(props: Partial<OhrRunHeader> = {}): Promise<OhrRunHeader> {
  const s = runningState();
  const header = document.createElement("ohr-run-header");
  Object.assign(header, {
    server: s.server,
    executionId: s.execution_id,
    status: s.status,
    progress: s.progress,
    wells: s.wells,
    imagesReceived: s.images_received,
    ...props,
  });
  document.body.append(header);
  await settle(header);
  return header;
}

const text = (header: OhrRunHeader, selector: string): string =>
  deep(header, selector).textContent.replace(/\s+/g, " ").trim();

describe("<ohr-run-header>", () => {
  afterEach(clearBody);

  it("shows the server, the state, the overall progress, the ETA and wells by state", async () => {
    const header = await mountHeader();
    expect(text(header, ".status")).toBe("Running");
    expect(text(header, ".where")).toBe("127.0.0.1:7777 run 3f2a9c1e");
    expect(text(header, ".percent")).toBe("42%");
    const bar = deep(header, "ohr-progress-bar");
    expect(bar.getAttribute("aria-valuenow")).toBe("42");
    expect(deep(bar, ".fill").getBoundingClientRect().width).toBeCloseTo(
      bar.getBoundingClientRect().width * 0.42,
      0,
    );
    expect(text(header, ".figures")).toContain("2/8 wells done");
    expect(text(header, ".eta")).toBe("ETA 3 min 20 s");
    expect(all(header, ".wells li").map((li) => li.textContent.trim())).toEqual([
      "2 pending",
      "1 compiling",
      "1 running",
      "2 done",
      "1 failed",
      "1 cancelled",
    ]);
    await screenshot("run-header-running", header);
  });

  it("ticks the elapsed time and counts the ETA down while the run goes on", async () => {
    const header = await mountHeader();
    expect(text(header, ".elapsed")).toBe("elapsed 1 min 02 s");
    await expect.poll(() => text(header, ".elapsed"), { timeout: 4000 }).toBe("elapsed 1 min 04 s");
    expect(text(header, ".eta")).toBe("ETA 3 min 18 s");
  });

  it("stops the clock and hides the ETA once the run is over", async () => {
    const header = await mountHeader({
      status: "complete",
      progress: { ...TRAITS.progress.empty, fraction: 1, elapsed_ms: 90_000 },
    });
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await settle(header);
    expect(text(header, ".elapsed")).toBe("elapsed 1 min 30 s");
    expect(all(header, ".eta")).toHaveLength(0);
    expect(text(header, ".percent")).toBe("100%");
  });

  it("shows a failure's code and message, with the server's traceback folded until asked for", async () => {
    const traceback =
      'Traceback (most recent call last):\n  File "worker.py", line 12\nValueError: empty stack';
    const header = await mountHeader({
      status: "failed",
      error: { code: "ERR_RUN_FAILED", message: "1 well failed", traceback },
    });
    const details = deep<HTMLDetailsElement>(header, "details.error");
    expect(details.open).toBe(false);
    expect(text(header, "details.error summary")).toBe("ERR_RUN_FAILED 1 well failed");
    expect(deep(details, "pre").checkVisibility()).toBe(false); // folded
    await userEvent.click(deep(details, "summary"));
    expect(details.open).toBe(true);
    expect(deep(details, "pre").textContent).toBe(traceback);
    expect(deep(details, "pre").checkVisibility()).toBe(true);
    expect(text(header, "details.failed-wells summary")).toBe("1 well failed");
    expect(text(header, ".failed-well")).toContain("D05 in normalize ValueError: empty stack");
    await screenshot("run-header-failed", header);
  });

  it("asks to cancel with ohr-cancel-request and shows the request pending", async () => {
    const header = await mountHeader();
    const requests: string[] = [];
    document.body.addEventListener("ohr-cancel-request", (e) =>
      requests.push(e.detail.executionId),
    );
    const button = deep<HTMLButtonElement>(header, ".cancel button");
    expect(button.disabled).toBe(false);
    await userEvent.click(button);
    expect(requests).toEqual(["3f2a9c1e"]);
    header.cancelState = { kind: "pending" };
    await settle(header);
    expect(button.disabled).toBe(true);
    expect(button.textContent.trim()).toBe("Cancelling…");
    expect(button.getAttribute("aria-busy")).toBe("true");
    header.cancelState = { kind: "waiting" };
    await settle(header);
    expect(text(header, ".cancel-note")).toContain("kernel is busy");
  });

  it("disables cancel once the run is over", async () => {
    for (const status of ["complete", "failed", "cancelled", "lost", "error"] as const) {
      const header = await mountHeader({ status });
      expect(deep<HTMLButtonElement>(header, ".cancel button").disabled).toBe(true);
      header.remove();
    }
  });

  it("offers to re-run the wells a finished run left undone, and names them in its request", async () => {
    const wells = {
      A01: { state: "done", fraction: 1, step: "" },
      A02: { state: "failed", fraction: 0.5, step: "count", error: "boom" },
      B01: { state: "cancelled", fraction: 0, step: "" },
    } as const;
    const running = await mountHeader({ wells });
    expect(all(running, ".rerun button")).toHaveLength(0); // not while the run goes on
    running.remove();
    const header = await mountHeader({ status: "failed", wells });
    const button = deep<HTMLButtonElement>(header, ".rerun button");
    expect(button.textContent.trim()).toBe("Re-run 2 unfinished wells");
    const asked: unknown[] = [];
    document.body.addEventListener("ohr-rerun-request", (e) => asked.push(e.detail), {
      once: true,
    });
    button.click();
    expect(asked).toEqual([{ executionId: "3f2a9c1e", wells: ["A02", "B01"] }]);
    header.rerunState = { kind: "pending" };
    await settle(header);
    expect(button.disabled).toBe(true);
    expect(button.textContent.trim()).toBe("Starting re-run…");
    header.rerunState = {
      kind: "failed",
      code: "ERR_OPENHCS_REMOTE",
      message: "not submitted here",
    };
    await settle(header);
    expect(text(header, ".rerun-note")).toBe(
      "Re-run failed: ERR_OPENHCS_REMOTE: not submitted here",
    );
  });

  it("names the re-run whose wells the grid now shows", async () => {
    const header = await mountHeader({
      status: "running",
      rerun: { execution_id: "5b7c0d2e", wells: ["A02", "B01"] },
    });
    expect(text(header, ".rerun-of")).toBe("re-run 5b7c0d2e of 2 wells: A02, B01");
  });

  it("says how many images the relay could not deliver, and which", async () => {
    const header = await mountHeader({
      gaps: [
        { from_seq: 100, to_seq: 111, reason: "evicted" },
        { from_seq: 140, to_seq: 140, reason: "lost" },
      ],
    });
    expect(text(header, ".gaps")).toBe(
      "13 images the relay could not deliver: #100–111 (evicted), #140 (lost)",
    );
  });
});
