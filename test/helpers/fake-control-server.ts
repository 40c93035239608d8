/**
 * A fake execution-server control socket, for faults the real OpenHCS server will not produce:
 * never replying, replying garbage, unsafe pickles, wrong shapes, dropping the connection.
 * It is a ROUTER, so it can also stay silent to one request and still serve the next.
 */
import { Router } from "zeromq";
import { freePortPair } from "./ports.js";
import { decodePickle, encodePickle, isPickleDict } from "../../src/protocol/index.js";

/** What the fake does with one request: reply these bytes, stay silent, or drop the connection. */
export type FakeAction =
  { readonly reply: Uint8Array } | { readonly silent: true } | { readonly disconnect: true };

/** Decides the action for each decoded request. */
export type FakeBehaviour = (request: Record<string, unknown>) => FakeAction;

/** Reply with a pickled value. */
export function replyWith(value: unknown): FakeAction {
  return { reply: encodePickle(value) };
}

/** A running fake. */
export interface FakeControlServer {
  /** The data port to give RemoteOrchestrator (the fake listens on port + 1000). */
  readonly port: number;
  /** Every request received, decoded. */
  readonly requests: Record<string, unknown>[];
  behaviour: FakeBehaviour;
  /** Resolves once the fake listens again after dropping its connections. */
  listening: Promise<void>;
  close(): Promise<void>;
}

/** Start a fake on 127.0.0.1 with the given behaviour. */
export async function startFakeControlServer(behaviour: FakeBehaviour): Promise<FakeControlServer> {
  const port = await freePortPair();
  let router = new Router({ linger: 0 });
  await router.bind(`tcp://127.0.0.1:${port + 1000}`);
  const fake: FakeControlServer = {
    port,
    requests: [],
    behaviour,
    listening: Promise.resolve(),
    async close() {
      router.close();
      await Promise.resolve();
    },
  };
  const serve = async (socket: Router): Promise<void> => {
    try {
      for await (const [identity, empty, payload] of socket) {
        if (identity === undefined || empty === undefined || payload === undefined) continue;
        const decoded = decodePickle(payload);
        const request = isPickleDict(decoded) ? (decoded as Record<string, unknown>) : {};
        fake.requests.push(request);
        const action = fake.behaviour(request);
        if ("reply" in action) {
          await socket.send([identity, empty, action.reply]);
        } else if ("disconnect" in action) {
          // Drop every connection by closing and re-binding the socket.
          socket.close();
          router = new Router({ linger: 0 });
          fake.listening = bindWhenFree(router, `tcp://127.0.0.1:${port + 1000}`);
          await fake.listening;
          void serve(router);
          return;
        }
      }
    } catch {
      // Closed by the test.
    }
  };
  void serve(router);
  return fake;
}

/** Bind, retrying while the port is still held: zeromq.js closes a socket in the background. */
async function bindWhenFree(socket: Router, url: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await socket.bind(url);
      return;
    } catch (error) {
      if (attempt >= 100 || (error as { code?: string }).code !== "EADDRINUSE") throw error;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}
