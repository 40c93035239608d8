/**
 * Where an OpenHCS execution server listens. OpenHCS derives the control port from the data
 * port (+1000) and, over IPC, the socket file from the port.
 */
import { homedir } from "node:os";
import { join } from "node:path";

/** OpenHCS's `ZMQConfig.control_port_offset`. */
export const CONTROL_PORT_OFFSET = 1000;

/** How to reach the server. */
export interface ServerEndpointOptions {
  readonly serverHost: string;
  /** The data (progress) port; control is this + 1000. */
  readonly serverPort: number;
  /** `tcp` (default) or `ipc` for a server on this host started in OpenHCS's IPC mode. */
  readonly transport?: "tcp" | "ipc" | undefined;
  /** Directory of OpenHCS's IPC sockets; default `~/.openhcs/ipc`. */
  readonly ipcDirectory?: string | undefined;
}

/** The two sockets of one execution server. */
export interface ServerEndpoint {
  readonly controlUrl: string;
  readonly dataUrl: string;
  /** `host:port` of the control socket, as errors show it. */
  readonly controlAddress: string;
  /** `host:port` of the progress socket. */
  readonly dataAddress: string;
}

/** Resolve the URLs of a server's control and progress sockets. */
export function serverEndpoint(options: ServerEndpointOptions): ServerEndpoint {
  const { serverHost, serverPort } = options;
  if (!Number.isInteger(serverPort) || serverPort < 1 || serverPort + CONTROL_PORT_OFFSET > 65535) {
    throw new RangeError(
      `serverPort must be an integer in 1..${65535 - CONTROL_PORT_OFFSET} (control is port + ${CONTROL_PORT_OFFSET}), got ${serverPort}`,
    );
  }
  const controlPort = serverPort + CONTROL_PORT_OFFSET;
  if (options.transport === "ipc") {
    const dir = options.ipcDirectory ?? join(homedir(), ".openhcs", "ipc");
    const socket = (port: number): string => join(dir, `openhcs-zmq-${port}.sock`);
    return {
      controlUrl: `ipc://${socket(controlPort)}`,
      dataUrl: `ipc://${socket(serverPort)}`,
      controlAddress: socket(controlPort),
      dataAddress: socket(serverPort),
    };
  }
  const host = serverHost.includes(":") ? `[${serverHost}]` : serverHost;
  return {
    controlUrl: `tcp://${host}:${controlPort}`,
    dataUrl: `tcp://${host}:${serverPort}`,
    controlAddress: `${serverHost}:${controlPort}`,
    dataAddress: `${serverHost}:${serverPort}`,
  };
}
