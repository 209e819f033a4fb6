"""Agent turns: run in the background (a visitor's POST returns at once), durable across
crashes and restarts, and answered once across workers and hosts.

A visitor's message in a conversation the agent owns makes its answer owed
(`agent_turn_due_at`, committed with the message). A worker answers only while it holds
the conversation's claim (`agent_turn_claimed_until`, a lease: `aurion.engines.leases`),
renewed in the background while it answers and checked before the answer is stored. Releasing
the claim settles the debt unless the visitor wrote again meanwhile: then the same
worker answers again (the newer message's own claim failed while the lease was held).

A turn lost to a crash stays owed: each process sweeps for owed conversations whose
claim is free or lapsed, at start (gunicorn's post_worker_init, or the first request)
and every `AURION_AGENT_SWEEP_SECONDS`, and a visitor who comes back to such a
conversation (opens its socket or reads its history) has it answered at once. Turns
run on a small pool per process (green threads under gunicorn's gevent worker; their
CPU-bound work goes to real threads, see `aurion.engines.cpu_pool`); the pool bounds
how many turns run at once.
"""

import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from datetime import datetime, timedelta

from flask import Flask, current_app
from sqlalchemy import case, or_

from aurion.agent.handoff import warm_up
from aurion.agent.turn import answer_visitor_safely, uses_model_endpoint
from aurion.engines import leases
from aurion.engines.background import BackgroundLoop
from aurion.extensions import db
from aurion.models import Conversation
from aurion.services.messages import Announced, visitor_message_stored, visitor_returned_unanswered
from aurion.timestamps import utcnow

log = logging.getLogger(__name__)

# Turns a worker runs at once unless AURION_AGENT_CONCURRENCY says. The built-in agent's
# turn is CPU work in the worker's one interpreter: more at once only interleave, and every
# request the worker serves waits behind them (bench/bench_load.py: with 8, POST p50 157 ms;
# with 2, 38 ms; with 1, 15 ms against 26 ms for 2, and the answers came no later). A model
# endpoint's turn mostly waits on the network.
KNOWLEDGE_BASE_TURNS = 1
MODEL_ENDPOINT_TURNS = 16


def concurrent_turns(settings) -> int:
    """How many agent turns one worker runs at once."""
    configured = settings.get("AURION_AGENT_CONCURRENCY") or 0
    if configured > 0:
        return configured
    return MODEL_ENDPOINT_TURNS if uses_model_endpoint(settings) else KNOWLEDGE_BASE_TURNS


class TurnClaim:
    """This worker's hold on one conversation's turn, renewed in the background while it answers."""

    def __init__(self, claim: leases.Claim, due_at: datetime):
        self.claim = claim
        self.due_at = due_at
        self._lost = False
        self._done = threading.Event()

    def held(self) -> bool:
        """Whether this worker still holds the turn: False once a renewal failed (the lease
        lapsed and another worker took the conversation) or the lease ran out unrenewed.
        The turn must then neither stream on nor store its answer."""
        return not self._lost and utcnow() < self.claim.until

    @contextmanager
    def kept(self, app: Flask):
        """Renew the lease every third of it while the block runs (a slow model, a cold start)."""
        keeper = threading.Thread(target=self._renew_until_done, args=(app,), name="aurion-agent-lease", daemon=True)
        keeper.start()
        try:
            yield self
        finally:
            self._done.set()
            keeper.join()

    def _renew_until_done(self, app: Flask) -> None:
        while not self._done.wait(self.claim.lease.total_seconds() / 3):
            with app.app_context():
                try:
                    renewed = leases.renew(self.claim)
                except Exception:  # a database hiccup: the next renewal may still be in time
                    log.exception("Renewing an agent turn's lease failed")
                    db.session.rollback()
                    continue
            if renewed is None:
                self._lost = True
                return
            self.claim = renewed

    def _settled(self):
        """`agent_turn_due_at` once this turn's debt is paid: None, unless the visitor wrote
        after the claim (then it moved on, and stays owed)."""
        due = Conversation.agent_turn_due_at
        return case((due == self.due_at, None), else_=due)

    def settle(self, conversation: Conversation) -> None:
        """Mark the debt paid with the answer's own commit: a crash after storing the
        answer must not leave it owed, to be given twice."""
        conversation.agent_turn_due_at = self._settled()

    def release(self) -> bool:
        """Free the conversation, its debt settled (an answer was given, a person was asked
        for, or there was nothing to answer). False when the claim was lost."""
        return leases.release(self.claim, agent_turn_due_at=self._settled())


def claim_turn(conversation_id: int, lease: timedelta) -> TurnClaim | None:
    """Claim the conversation's owed turn for this worker, or None when no answer is owed,
    the agent does not own it, or another worker is answering it."""
    due_at = db.session.execute(
        db.select(Conversation.agent_turn_due_at).where(Conversation.id == conversation_id, Conversation.status == "agent")
    ).scalar()
    db.session.commit()
    if due_at is None:
        return None
    claim = leases.try_claim(
        Conversation.agent_turn_claimed_until,
        conversation_id,
        Conversation.status == "agent",
        # The debt the claim settles: a visitor's newer message moves it, and survives the release.
        Conversation.agent_turn_due_at == due_at,
        lease=lease,
    )
    return None if claim is None else TurnClaim(claim, due_at)


def answer_owed(conversation_id: int, lease: timedelta) -> int:
    """Answer the conversation if an answer is owed and no other worker is answering it,
    again while the visitor wrote during the answer. How many turns this worker took."""
    turns = 0
    while (turn := claim_turn(conversation_id, lease)) is not None:
        turns += 1
        try:
            with turn.kept(current_app._get_current_object()):
                answer_visitor_safely(conversation_id, turn=turn)
        finally:
            db.session.rollback()
            released = turn.release()
        if not released:
            return turns
    return turns


def owed_conversations(limit: int) -> list[int]:
    """Conversations owed an answer that no worker is answering (oldest debt first)."""
    now = utcnow()
    claimed_until = Conversation.agent_turn_claimed_until
    return list(
        db.session.execute(
            db.select(Conversation.id)
            .where(
                Conversation.status == "agent",
                Conversation.agent_turn_due_at <= now,
                or_(claimed_until.is_(None), claimed_until <= now),
            )
            .order_by(Conversation.agent_turn_due_at)
            .limit(limit)
        ).scalars()
    )


class AgentDispatcher:
    """Submits agent turns to a pool, each inside the app's context."""

    def __init__(self, app: Flask):
        self._app = app
        self._concurrency = concurrent_turns(app.config)
        self._pool = ThreadPoolExecutor(max_workers=self._concurrency, thread_name_prefix="aurion-agent")
        self._pending: set[Future] = set()
        self._queued: set[int] = set()
        self._lock = threading.Lock()

    @property
    def lease(self) -> timedelta:
        return timedelta(seconds=self._app.config["AURION_AGENT_TURN_LEASE"])

    def submit(self, conversation_id: int) -> None:
        """Answer the conversation in the background, if it is owed an answer then."""
        with self._lock:
            if conversation_id in self._queued:
                return  # queued here already; that turn answers whatever is owed when it runs
            self._queued.add(conversation_id)
        future = self._pool.submit(self._run, conversation_id)
        self._pending.add(future)
        future.add_done_callback(self._pending.discard)

    def _run(self, conversation_id: int) -> None:
        with self._lock:
            self._queued.discard(conversation_id)
        with self._app.app_context():
            answer_owed(conversation_id, self.lease)

    def drain(self) -> None:
        """Wait for every submitted turn to finish (tests, graceful shutdown)."""
        while self._pending:
            for future in list(self._pending):
                future.result()

    def sweep(self) -> int:
        """Queue every owed turn that no worker is answering; how many were queued."""
        # No more than the pool can start now: the rest stay free for other workers.
        owed = owed_conversations(self._concurrency)
        db.session.commit()
        for conversation_id in owed:
            self.submit(conversation_id)
        return len(owed)


class TurnSweeper(BackgroundLoop):
    """This process's sweeps for owed turns: at start, then every `AURION_AGENT_SWEEP_SECONDS`.
    Before its first sweep it readies the agent's model, so that the first visitors' turns
    do not wait for it."""

    def __init__(self, app: Flask, dispatcher: AgentDispatcher):
        super().__init__(app, "aurion-agent-sweep", "AURION_AGENT_SWEEP", "AURION_AGENT_SWEEP_SECONDS")
        self._dispatcher = dispatcher
        self._warm = False

    def round(self) -> None:
        if not self._warm:
            self._warm = True  # once: a missing model fails the turns, not every round
            warm_up()
        self._dispatcher.sweep()


def init_app(app: Flask) -> None:
    """Give the app its turn pool, and have the agent answer each visitor message it owns.
    gunicorn starts the sweeps in each worker once forked (gunicorn.conf.py); any other
    server, at its first request."""
    dispatcher = app.extensions["aurion_agent"] = AgentDispatcher(app)
    sweeper = app.extensions["aurion_agent_sweep"] = TurnSweeper(app, dispatcher)
    app.before_request(sweeper.start)
    visitor_message_stored.connect(_answer_in_background, app)
    visitor_returned_unanswered.connect(_answer_owed_in_background, app)


def _answer_in_background(app: Flask, announced: Announced, answered_by_caller: bool) -> None:
    """When the agent owns the conversation, answer the visitor's new message in the
    background (unless the caller answers it itself): the answer streams over the sockets."""
    if not answered_by_caller and announced.conversation_status == "agent":
        app.extensions["aurion_agent"].submit(announced.conversation_id)


def _answer_owed_in_background(app: Flask, conversation_id: int) -> None:
    """The visitor came back to a conversation owed an answer since a crash: answer it now
    (the claim decides, so a turn already under way elsewhere is not given twice)."""
    app.extensions["aurion_agent"].submit(conversation_id)
