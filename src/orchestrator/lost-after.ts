/**
 * How long a remote part may stay silent before what depends on it counts as lost: the server
 * (a run's `status` polls and progress, run-waiter.ts) and the relay (a result stream,
 * relay-session.ts). A cut link silences both at once, and an SSH tunnel or a laptop's Wi-Fi can
 * take tens of seconds to come back: both get the same patience, so a link that heals in time
 * loses nothing.
 */
export const DEFAULT_LOST_AFTER_MS = 60_000;

/** A server silent this long is reported (`onServerSilent`), well before it counts as lost. */
export const SERVER_SILENT_NOTICE_MS = 6000;
