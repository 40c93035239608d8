/**
 * `npm run bench -- control`: control-channel latency of our client against OpenHCS's own Python
 * client, on one real execution server, interleaved call by call so both see the same load.
 *
 * Measures: ping round trip; submit-to-accepted (an `execute` that the server queues). Prints
 * medians and p95, and last `control_latency_ratio <ours / theirs>`: the larger of the two
 * median ratios (goal: at most 1.0).
 */
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { join } from "node:path";
import { RemoteOrchestrator } from "../src/orchestrator/index.js";
import { startOpenhcsServer } from "../test/helpers/openhcs-server.js";
import { PYTHON, REPO_ROOT } from "../test/helpers/python.js";
import { describeMs, median } from "./stats.js";

const PINGS = Number(process.env.OHR_BENCH_PINGS ?? 300);
const SUBMITS = Number(process.env.OHR_BENCH_SUBMITS ?? 60);

/** A long-lived Python process timing OpenHCS's client: one command per line, and its stop. */
interface Baseline {
  call(command: string): Promise<number>;
  /** Close its stdin (it exits at end of input), kill it if it lingers, wait for it. */
  stop(): Promise<void>;
}

async function startBaseline(host: string, port: number): Promise<Baseline> {
  const child = spawn(
    PYTHON,
    [join(REPO_ROOT, "bench", "python", "control_baseline.py"), host, String(port)],
    {
      stdio: ["pipe", "pipe", "inherit"],
    },
  );
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const first = await lines.next();
  if (first.done === true || !first.value.includes("ready"))
    throw new Error("baseline did not start");
  const exited = new Promise<void>((resolve) =>
    child.once("exit", () => {
      resolve();
    }),
  );
  return {
    async call(command) {
      child.stdin.write(`${command}\n`);
      const next = await lines.next();
      if (next.done === true) throw new Error("baseline exited");
      const reply = JSON.parse(next.value) as { ms: number; ok: boolean };
      if (!reply.ok) throw new Error(`baseline ${command} failed`);
      return reply.ms;
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.stdin.end();
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export async function benchControl(): Promise<void> {
  process.stderr.write("starting the OpenHCS execution server …\n");
  const server = await startOpenhcsServer();
  const orch = new RemoteOrchestrator({ serverHost: server.host, serverPort: server.port });
  let baseline: Baseline | null = null;
  try {
    await orch.connect();
    baseline = await startBaseline(server.host, server.port);
    const theirs = baseline.call.bind(baseline);
    const ours = { ping: [] as number[], submit: [] as number[] };
    const base = { ping: [] as number[], submit: [] as number[] };
    const request = {
      plateId: "/nonexistent-plate",
      pipelineCode: "pipeline_steps = []\n",
      configCode: "config = None\n",
    };

    for (let i = 0; i < 10; i += 1) {
      await orch.ping(); // warm-up, both sides
      await theirs("ping");
    }
    for (let i = 0; i < PINGS; i += 1) {
      const start = performance.now();
      await orch.ping();
      ours.ping.push(performance.now() - start);
      base.ping.push(await theirs("ping"));
      if (i % 50 === 0) process.stderr.write(`ping ${i}/${PINGS}\r`);
    }
    for (let i = 0; i < SUBMITS; i += 1) {
      // Alternate who goes first: queued runs fail at once but load the server for a moment.
      if (i % 2 === 0) {
        const start = performance.now();
        await orch.executeRemote(request);
        ours.submit.push(performance.now() - start);
        base.submit.push(await theirs("submit"));
      } else {
        base.submit.push(await theirs("submit"));
        const start = performance.now();
        await orch.executeRemote(request);
        ours.submit.push(performance.now() - start);
      }
      if (i % 10 === 0) process.stderr.write(`submit ${i}/${SUBMITS}\r`);
    }

    const pingRatio = median(ours.ping) / median(base.ping);
    const submitRatio = median(ours.submit) / median(base.submit);
    console.log(`ping round trip      ours   ${describeMs(ours.ping)}`);
    console.log(`ping round trip      openhcs ${describeMs(base.ping)}`);
    console.log(`submit to accepted   ours   ${describeMs(ours.submit)}`);
    console.log(`submit to accepted   openhcs ${describeMs(base.submit)}`);
    console.log(`ping_latency_ratio ${pingRatio.toFixed(3)}`);
    console.log(`submit_latency_ratio ${submitRatio.toFixed(3)}`);
    console.log(`control_latency_ratio ${Math.max(pingRatio, submitRatio).toFixed(3)}`);
  } finally {
    await baseline?.stop();
    orch.close();
    await server.stop();
  }
}
