/** Free loopback ports for fakes and servers a test starts itself. */
import { connect, createServer } from "node:net";

/**
 * A data port whose control port (+1000, OpenHCS's offset) is in range: bind port 0, note the
 * port, release it. Nothing listens there afterwards (until the test binds it).
 */
export async function freePortPair(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve) => {
      const probe = createServer();
      probe.listen(0, "127.0.0.1", () => {
        const address = probe.address();
        probe.close(() => {
          resolve(typeof address === "object" && address !== null ? address.port : 0);
        });
      });
    });
    if (port > 0 && port + 1000 <= 65535) return port;
  }
}

/** Whether something accepts a TCP connection at `host:port` right now. */
export async function canConnectTcp(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => {
      resolve(false);
    });
  });
}
