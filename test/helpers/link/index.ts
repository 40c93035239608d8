/**
 * The shaped-link harness (docs/link-harness.md): a server and a user network namespace joined by
 * a rate-limited veth pair, a delay proxy for RTT, real measurements of both.
 */
export {
  createShapedLink,
  type DeviceBytes,
  type LinkMeasurement,
  type ShapedLink,
  type ShapedLinkOptions,
} from "./shaped-link.js";
export { linkAvailable, requireLink, type LinkAvailability } from "./link-available.js";
export { listNamespaces, namespacePids, SERVER_PREFIX, USER_PREFIX } from "./namespaces.js";
export type { NamespaceProcess } from "./namespace-process.js";
export {
  linesOf,
  startServerAcrossLink,
  type BesideRun,
  type ChildEvent,
  type FetchedPlane,
  type FollowedItem,
  type LinkChild,
  type ServerAcrossLink,
  type ServerAcrossLinkOptions,
} from "./server-across-link.js";
