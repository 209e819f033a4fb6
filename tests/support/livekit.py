"""LiveKit as the tests configure it: keys that sign real tokens, a URL where no server answers;
and `AgentDispatch`, a loopback stand-in for LiveKit's side of the agent worker protocol."""

import asyncio
import itertools
import threading
from dataclasses import dataclass, field

from aiohttp import WSMsgType, web
from livekit import api
from livekit.protocol import agent, models

LIVEKIT = {"LIVEKIT_URL": "wss://lk.example.test", "LIVEKIT_API_KEY": "APIaurionTest", "LIVEKIT_API_SECRET": "s" * 43}
OFFER_TIMEOUT = 10.0


@dataclass
class RegisteredWorker:
    id: str
    agent_name: str
    socket: web.WebSocketResponse
    load: float = 0.0
    available: bool = True
    jobs: int = 0
    offers: dict[str, asyncio.Future] = field(default_factory=dict)


@dataclass
class Assignment:
    room: str
    job_id: str
    worker_id: str
    identity: str
    token: str


class AgentDispatch:
    """LiveKit's dispatch of agents as a worker sees it, on a loopback port.

    Speaks the worker protocol's real wire format (a WebSocket at `/agent` carrying
    protobuf `WorkerMessage`s and `ServerMessage`s, authorised by an agent token), and
    dispatches as LiveKit does: `dispatch(room, agent_name)` offers the room's job to
    the registered workers of that agent name, least busy first, one at a time, and
    assigns it (with a join token) to the first that accepts. It records the workers'
    job status updates and every attempt to join a room (`/rtc`, answered 401: no media
    server here), by the assignment whose token was used.
    """

    def __init__(self, settings: dict = LIVEKIT):
        self._settings = settings
        self.workers: dict[str, RegisteredWorker] = {}
        self.assignments: list[Assignment] = []
        self.job_updates: list[tuple[str, str, int]] = []  # (worker id, job id, JobStatus)
        self.joins: list[Assignment] = []
        self._ids = itertools.count(1)
        self._loop = asyncio.new_event_loop()
        self._started = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="livekit-agent-dispatch", daemon=True)
        self._thread.start()
        self._started.wait(10)

    @property
    def settings(self) -> dict:
        """LiveKit settings that point at this server."""
        return {**self._settings, "LIVEKIT_URL": self.url}

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)
        app = web.Application()
        app.router.add_get("/agent", self._agent_socket)
        app.router.add_route("*", "/rtc{rest:.*}", self._join)
        self._runner = web.AppRunner(app)
        self._loop.run_until_complete(self._runner.setup())
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        self._loop.run_until_complete(site.start())
        self.url = f"ws://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"
        self._started.set()
        self._loop.run_forever()

    def close(self) -> None:
        asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()

    def wait_for_workers(self, count: int, timeout: float = 20.0) -> None:
        """Until `count` workers have registered."""
        asyncio.run_coroutine_threadsafe(self._until(lambda: len(self.workers) >= count, timeout), self._loop).result()

    def wait_for(self, condition, timeout: float = 20.0) -> None:
        asyncio.run_coroutine_threadsafe(self._until(condition, timeout), self._loop).result()

    async def _until(self, condition, timeout: float) -> None:
        async with asyncio.timeout(timeout):
            while not condition():
                await asyncio.sleep(0.05)

    def dispatch(self, room: str, agent_name: str) -> Assignment | None:
        """Dispatch `agent_name` into `room`: the assignment, or None if no worker took it."""
        return asyncio.run_coroutine_threadsafe(self._dispatch(room, agent_name), self._loop).result()

    async def _dispatch(self, room: str, agent_name: str) -> Assignment | None:
        number = next(self._ids)
        job = agent.Job(
            id=f"AJ_{number}",
            dispatch_id=f"AD_{number}",
            type=agent.JobType.JT_ROOM,
            room=models.Room(name=room, sid=f"RM_{number}"),
            agent_name=agent_name,
        )
        candidates = sorted(
            (w for w in self.workers.values() if w.agent_name == agent_name and w.available),
            key=lambda w: (w.jobs, w.load),
        )
        for worker in candidates:
            offer = self._loop.create_future()
            worker.offers[job.id] = offer
            await worker.socket.send_bytes(agent.ServerMessage(availability=agent.AvailabilityRequest(job=job)).SerializeToString())
            answer: agent.AvailabilityResponse = await asyncio.wait_for(offer, OFFER_TIMEOUT)
            if not answer.available:
                continue
            token = (
                api.AccessToken(self._settings["LIVEKIT_API_KEY"], self._settings["LIVEKIT_API_SECRET"])
                .with_identity(answer.participant_identity)
                .with_name(answer.participant_name)
                .with_kind("agent")
                .with_grants(api.VideoGrants(room_join=True, room=room, agent=True))
                .to_jwt()
            )
            assignment = Assignment(room, job.id, worker.id, answer.participant_identity, token)
            self.assignments.append(assignment)
            worker.jobs += 1
            await worker.socket.send_bytes(
                agent.ServerMessage(assignment=agent.JobAssignment(job=job, url=self.url, token=token)).SerializeToString()
            )
            return assignment
        return None

    async def _agent_socket(self, request: web.Request) -> web.WebSocketResponse:
        bearer = request.headers.get("Authorization", "").removeprefix("Bearer ")
        try:
            grants = api.TokenVerifier(self._settings["LIVEKIT_API_KEY"], self._settings["LIVEKIT_API_SECRET"]).verify(bearer)
        except Exception:
            raise web.HTTPUnauthorized() from None
        if not grants.video.agent:
            raise web.HTTPForbidden()
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        worker = None
        async for frame in socket:
            if frame.type != WSMsgType.BINARY:
                continue
            message = agent.WorkerMessage.FromString(frame.data)
            kind = message.WhichOneof("message")
            if kind == "register":
                worker = RegisteredWorker(f"AW_{next(self._ids)}", message.register.agent_name, socket)
                self.workers[worker.id] = worker
                reply = agent.ServerMessage(register=agent.RegisterWorkerResponse(worker_id=worker.id))
                await socket.send_bytes(reply.SerializeToString())
            elif worker is None:
                break  # the protocol starts with registration
            elif kind == "availability":
                offer = worker.offers.pop(message.availability.job_id, None)
                if offer is not None and not offer.done():
                    offer.set_result(message.availability)
            elif kind == "update_worker":
                worker.load = message.update_worker.load
                worker.available = message.update_worker.status == agent.WorkerStatus.WS_AVAILABLE
            elif kind == "update_job":
                self.job_updates.append((worker.id, message.update_job.job_id, message.update_job.status))
            elif kind == "ping":
                reply = agent.ServerMessage(pong=agent.WorkerPong(last_timestamp=message.ping.timestamp))
                await socket.send_bytes(reply.SerializeToString())
        if worker is not None:
            self.workers.pop(worker.id, None)
        return socket

    async def _join(self, request: web.Request) -> web.Response:
        token = request.query.get("access_token") or request.headers.get("Authorization", "").removeprefix("Bearer ")
        for assignment in self.assignments:
            if assignment.token == token and assignment not in self.joins:
                self.joins.append(assignment)
        raise web.HTTPUnauthorized()
