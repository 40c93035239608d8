"""Client sessions: subscriptions, cursors and credit; what to send next.

A session never holds data: it holds a cursor per run and reads the spool when
it has credit. So a client that stops reading costs the relay its cursors and
at most its credit window in ZeroMQ's queue, never more.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from openhcs_remote.server.relay import stream_frames as frames
from openhcs_remote.server.relay.preview_delivery import PreviewFrames
from openhcs_remote.server.relay.spool import Spool

MAX_SUBSCRIPTIONS = 64


@dataclass
class Subscription:
    """Where one session stands in one run."""

    execution_id: str
    cursor: int
    end_sent: bool = False
    #: ``"full"`` (every plane's pixels) or ``"previews"`` (an 8-bit preview per image).
    delivery: str = "full"
    #: How a preview's pixels travel in ``previews`` delivery: ``"raw"`` or ``"blosc"`` (§4.2).
    preview_encoding: str = "raw"


@dataclass
class Outgoing:
    """One message ready to send, and how to advance the cursor once it is sent."""

    frames: list[bytes]
    subscription: Subscription
    next_cursor: int
    ends_run: bool = False

    @property
    def size(self) -> int:
        """Bytes of all frames (what the message costs in byte credit)."""
        return sum(len(frame) for frame in self.frames)

    def commit(self) -> None:
        """Advance the subscription past this message."""
        self.subscription.cursor = self.next_cursor
        self.subscription.end_sent = self.subscription.end_sent or self.ends_run


@dataclass
class Session:
    """One connected client (one ZeroMQ routing id)."""

    identity: bytes
    client_name: str
    last_heard: float = field(default_factory=time.monotonic)
    last_sent: float = field(default_factory=time.monotonic)
    credit_items: int = 0
    credit_bytes: int = 0
    subscriptions: dict[str, Subscription] = field(default_factory=dict)
    turn: int = 0

    @property
    def can_send(self) -> bool:
        """Whether credit allows one more item, gap or end."""
        return self.credit_items >= 1 and self.credit_bytes > 0

    def add_credit(self, items: int, credit_bytes: int, max_items: int, max_bytes: int) -> None:
        """Add credit, clipped to the relay's maximum window."""
        self.credit_items = min(self.credit_items + items, max_items)
        self.credit_bytes = min(self.credit_bytes + credit_bytes, max_bytes)

    def charge(self, message: Outgoing) -> None:
        """Spend credit on a sent message."""
        self.credit_items -= 1
        self.credit_bytes -= message.size

    def next_message(self, spool: Spool, previews: PreviewFrames) -> Outgoing | None:
        """Return the next item, gap or end for this session, taking runs in turn.

        Runs in ``previews`` delivery go first, and while one of them waits for a preview being
        made nothing at full resolution goes either: a backlog of full-resolution planes never
        queues ahead of a preview on the client's connection.
        """
        subscriptions = list(self.subscriptions.values())
        count = len(subscriptions)
        # Stable: round-robin order within each kind, previews before full resolution.
        order = sorted(
            range(count),
            key=lambda step: subscriptions[(self.turn + step) % count].delivery != "previews",
        )
        pending = False
        for step in order:
            subscription = subscriptions[(self.turn + step) % count]
            if pending and subscription.delivery != "previews":
                return None
            message = _next_in_run(spool, subscription, previews)
            if message is PREVIEW_PENDING:
                pending = True
                continue
            if message is not None:
                self.turn = (self.turn + step + 1) % count
                return message
        return None


#: What :func:`_next_in_run` returns while the preview at a previews cursor is being made.
PREVIEW_PENDING = Outgoing([], Subscription("", 0), 0)
#: Previews made ahead of a previews cursor, so the worker is busy while the last one is sent.
PREVIEW_LOOKAHEAD = 4


def _next_in_run(
    spool: Spool, subscription: Subscription, previews: PreviewFrames
) -> Outgoing | None:
    run = spool.run(subscription.execution_id)
    if run is None or subscription.end_sent:
        return None
    found = spool.lookup(run, subscription.cursor)
    if found.kind == "item" and subscription.delivery == "previews":
        encoding = subscription.preview_encoding
        parts = previews.frames(
            run.execution_id, subscription.cursor, found.header, found.payload, encoding
        )
        for seq in range(subscription.cursor + 1, subscription.cursor + 1 + PREVIEW_LOOKAHEAD):
            ahead = spool.lookup(run, seq)
            if ahead.kind != "item":
                break
            previews.frames(run.execution_id, seq, ahead.header, ahead.payload, encoding)
        if parts is None:
            return PREVIEW_PENDING
        return Outgoing(parts, subscription, subscription.cursor + 1)
    if found.kind == "item":
        parts = [found.header, found.payload] if found.payload else [found.header]
        return Outgoing(parts, subscription, subscription.cursor + 1)
    if found.kind == "gap":
        message = frames.gap(run.execution_id, subscription.cursor, found.to_seq, found.reason)
        return Outgoing([frames.encode_json(message)], subscription, found.to_seq + 1)
    if run.ended and subscription.cursor > run.committed_through:
        message = frames.end(run.execution_id, run.committed_through, run.status or "unknown")
        return Outgoing([frames.encode_json(message)], subscription, subscription.cursor, True)
    return None
