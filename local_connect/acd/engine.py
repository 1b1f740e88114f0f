"""A discrete-event ACD: queues, routing profiles, agents and customers, on one heap of events.

How routing follows Amazon Connect (admin guide, "How routing works" and "Routing profiles"):
- A contact waits in one queue. Within a queue, lower queue priority is served first
  (Connect's "Set routing priority"), then the contact that has waited longest.
- An agent's routing profile lists queues per channel with a priority and a delay. A free
  agent takes work from the lowest-priority-number queues first; among queues of equal
  priority, the best head (contact priority, then time in queue) wins. A queue with a delay
  offers a contact to this profile only once it has waited that many seconds.
- When several agents could take a new contact, the one available longest gets it.
- Concurrency is per channel (voice 1, chat up to 10). Without cross-channel concurrency an
  agent busy on one channel is not offered another channel: one call, or up to N chats.
- A contact holds its agent's slot through talk, hold and after-contact work.
- Queued callbacks: a caller still waiting when the offer is made and who accepts leaves the
  line; a CALLBACK contact takes the caller's place in the queue (same priority, same position)
  and never abandons. An agent dials it; an unanswered attempt costs ring time and is retried
  after a delay, up to the flow's MaximumConnectionAttempts.
- Queue capacity (the queue's "maximum contacts in queue"): a contact arriving at a full queue
  is not queued. The entry flow's QueueAtCapacity branch then runs; ours offers a callback into
  the default queue, so a caller who takes callbacks gets one there (`overflow_queue`).
- Staffing changes by the hour: extra agents log in; agents over the new head count log out,
  idle ones at once and busy ones when they clear their last contact.

Simplifications, stated: an agent connects the moment a contact is routed (no ringing or
whisper time); the delay of a profile entry is checked against the head of its queue, so a
delayed head keeps an older, lower-priority contact behind it waiting until the head becomes
eligible; callbacks are routable at once (the flow's InitialCallDelaySeconds is not modelled).
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections.abc import Iterable, Mapping, Sequence

from local_connect.acd.model import (
    CallbackPolicy,
    ContactRequest,
    ContactResult,
    Outcome,
    QueueSample,
    RoutingProfile,
    SimulationResult,
    StaffingStep,
)

# Event kinds, in the order they are handled when two fall on the same instant: staffing first
# (an agent logging in at 08:00 can take the 08:00 caller), releases before arrivals.
_STAFF, _RELEASE, _ARRIVAL, _REQUEUE, _ELIGIBLE, _OFFER, _ABANDON, _SAMPLE = range(8)


class SimulationError(ValueError):
    """Inputs that cannot describe a contact center (unknown profile, negative times...)."""


class _Waiting:
    """A contact in a queue; `active` turns False when it leaves (served, abandoned, called back)."""

    __slots__ = ("active", "assigned", "key", "order", "request", "result")

    def __init__(
        self, request: ContactRequest, result: ContactResult, key: int, order: float
    ) -> None:
        self.request = request
        self.result = result
        self.key = key
        self.order = order
        self.active = True
        self.assigned = 0.0


class _Agent:
    __slots__ = (
        "busy_since",
        "channel",
        "count",
        "leaving",
        "login_at",
        "name",
        "online",
        "profile",
    )

    def __init__(self, name: str, profile: _Profile) -> None:
        self.name = name
        self.profile = profile
        self.online = False
        self.leaving = False
        self.channel: str | None = None
        self.count = 0
        self.login_at = 0.0
        self.busy_since = 0.0


class _Profile:
    __slots__ = ("agents", "available", "channels", "concurrency", "groups", "name")

    def __init__(self, spec: RoutingProfile, keys: dict[tuple[str, str], int]) -> None:
        self.name = spec.name
        self.concurrency = dict(spec.concurrency)
        self.channels = spec.channels()
        by_priority: dict[int, list[tuple[int, str, float]]] = {}
        for entry in spec.queues:
            key = keys[(entry.queue, entry.channel)]
            by_priority.setdefault(entry.priority, []).append((key, entry.channel, entry.delay))
        self.groups = [by_priority[p] for p in sorted(by_priority)]
        self.agents: list[_Agent] = []
        # Agents with a free slot -> (when, tie-break) they became available; dicts keep
        # insertion order, so the first capable agent found is the one available longest.
        self.available: dict[_Agent, tuple[float, int]] = {}


class Simulator:
    """Plays one day. Build it with the routing profiles and the staffing plan, then `run`."""

    def __init__(
        self,
        profiles: Sequence[RoutingProfile],
        staffing: Iterable[StaffingStep],
        *,
        callbacks: CallbackPolicy | None = None,
        capacity: Mapping[str, int] | None = None,
        overflow_queue: str | None = None,
        sample_every: float | None = 300.0,
    ) -> None:
        self._profile_specs = list(profiles)
        self._staffing = sorted(staffing, key=lambda step: step.start)
        self._callbacks = callbacks
        self._capacity = dict(capacity or {})
        self._overflow_queue = overflow_queue
        self._sample_every = sample_every
        known = {profile.name for profile in self._profile_specs}
        for step in self._staffing:
            if step.profile not in known:
                raise SimulationError(
                    f"staffing names routing profile '{step.profile}', which is not configured "
                    f"(known: {', '.join(sorted(known))})"
                )
            if step.agents < 0 or step.start < 0:
                raise SimulationError(f"staffing step {step} has a negative time or head count")

    def run(self, requests: Iterable[ContactRequest]) -> SimulationResult:
        day = _Day(self._profile_specs, self._staffing, self._callbacks, self._sample_every)
        day.capacity = self._capacity
        day.overflow_queue = self._overflow_queue
        return day.run(requests)


class _Day:
    """The state of one simulated day; used once."""

    def __init__(
        self,
        profiles: Sequence[RoutingProfile],
        staffing: Sequence[StaffingStep],
        callbacks: CallbackPolicy | None,
        sample_every: float | None,
    ) -> None:
        self.keys: dict[tuple[str, str], int] = {}
        for spec in profiles:
            for entry in spec.queues:
                self.keys.setdefault((entry.queue, entry.channel), len(self.keys))
        self.profiles = {spec.name: _Profile(spec, self.keys) for spec in profiles}
        # For each (queue, channel): the profiles that serve it and their delay.
        self.servers: list[list[tuple[_Profile, float]]] = [[] for _ in self.keys]
        for profile in self.profiles.values():
            for group in profile.groups:
                for key, _channel, delay in group:
                    self.servers[key].append((profile, delay))
        self.delayed = [[(p, d) for p, d in servers if d > 0] for servers in self.servers]
        self.key_names = {key: name for name, key in self.keys.items()}
        self.heaps: list[list[tuple[int, float, int, _Waiting]]] = [[] for _ in self.keys]
        self.waiting_count = [0] * len(self.keys)
        self.queue_of_key = [queue for (queue, _channel) in self.keys]
        self.queue_size: dict[str, int] = dict.fromkeys(self.queue_of_key, 0)
        self.capacity: dict[str, int] = {}
        self.overflow_queue: str | None = None
        self.staffing = staffing
        self.callbacks = callbacks
        self.sample_every = sample_every
        self.events: list[tuple[float, int, int, object]] = []
        self.sequence = itertools.count()
        self.pending = 0  # events other than samples still to come
        self.results: list[ContactResult] = []
        self.samples: list[QueueSample] = []
        self.staffed = {name: 0.0 for name in self.profiles}
        self.busy = {name: 0.0 for name in self.profiles}
        self.channel_busy: dict[str, float] = {}
        self.slot_seconds: dict[str, float] = {}
        self.handled_events = 0
        self.arrivals: list[ContactRequest] = []
        self.next_arrival = 0

    # -- the event loop ---------------------------------------------------------------------

    def push(self, at: float, kind: int, payload: object) -> None:
        heapq.heappush(self.events, (at, next(self.sequence), kind, payload))
        if kind != _SAMPLE:
            self.pending += 1

    def run(self, requests: Iterable[ContactRequest]) -> SimulationResult:
        for step in self.staffing:
            self.push(step.start, _STAFF, step)
        arrivals = sorted(requests, key=lambda request: request.arrival)
        for request in arrivals:
            if request.arrival < 0 or request.talk < 0:
                raise SimulationError(f"contact {request.contact_id} has a negative time")
            if (request.queue, request.channel) not in self.keys:
                raise SimulationError(
                    f"contact {request.contact_id}: no routing profile serves queue "
                    f"'{request.queue}' on {request.channel}"
                )
        # Arrivals are already in time order: they are merged with the heap instead of being
        # pushed onto it, which keeps the heap as small as the work in progress.
        self.arrivals = arrivals
        if self.sample_every:
            self.push(0.0, _SAMPLE, None)
        now = 0.0
        events = self.events
        pop = heapq.heappop
        count = len(arrivals)
        handled = 0
        while True:
            if self.next_arrival < count:
                request = arrivals[self.next_arrival]
                arrival_first = True
                if events:
                    top = events[0]
                    arrival_first = top[0] > request.arrival or (
                        top[0] == request.arrival and top[2] > _ARRIVAL
                    )
                if arrival_first:
                    self.next_arrival += 1
                    now = request.arrival
                    handled += 1
                    self.arrive(request, now)
                    continue
            elif not events:
                break
            now, _, kind, payload = pop(events)
            handled += 1
            if kind != _SAMPLE:
                self.pending -= 1
            if kind == _RELEASE:
                self.release(payload, now)  # type: ignore[arg-type]
            elif kind == _ABANDON:
                self.abandon(payload, now)  # type: ignore[arg-type]
            elif kind == _ELIGIBLE:
                eligible: tuple[_Profile, int] = payload  # type: ignore[assignment]
                self.offer_to_profile(*eligible, now)
            elif kind == _OFFER:
                self.offer_callback(payload, now)  # type: ignore[arg-type]
            elif kind == _REQUEUE:
                self.requeue(payload, now)  # type: ignore[arg-type]
            elif kind == _STAFF:
                self.staff(payload, now)  # type: ignore[arg-type]
            else:
                self.sample(now)
        self.handled_events = handled
        self.close(now)
        return SimulationResult(
            contacts=self.results,
            samples=self.samples,
            staffed_seconds=self.staffed,
            busy_seconds=self.busy,
            channel_busy_seconds=self.channel_busy,
            channel_slot_seconds=self.slot_seconds,
            events=self.handled_events,
        )

    def close(self, now: float) -> None:
        # Contacts still queued when the day ends (callbacks nobody was left to make) end now.
        for heap in self.heaps:
            for _priority, _order, _sequence, waiting in heap:
                if waiting.active:
                    waiting.result.ended = now
        for profile in self.profiles.values():
            for agent in profile.agents:
                if agent.online:
                    self.staffed[profile.name] += now - agent.login_at
                    if agent.count:
                        self.busy[profile.name] += now - agent.busy_since
                        channel = str(agent.channel)
                        self.channel_busy[channel] = (
                            self.channel_busy.get(channel, 0.0) + now - agent.busy_since
                        )

    def sample(self, now: float) -> None:
        names = self.key_names
        self.samples.append(
            QueueSample(
                at=now,
                waiting={names[key]: count for key, count in enumerate(self.waiting_count)},
            )
        )
        if (self.pending or self.next_arrival < len(self.arrivals)) and self.sample_every:
            self.push(now + self.sample_every, _SAMPLE, None)

    # -- contacts -----------------------------------------------------------------------------

    def arrive(self, request: ContactRequest, now: float) -> None:
        result = ContactResult(
            contact_id=request.contact_id,
            channel=request.channel,
            queue=request.queue,
            priority=request.priority,
            enqueued=now,
        )
        self.results.append(result)
        limit = self.capacity.get(request.queue)
        if limit is not None and self.queue_size[request.queue] >= limit:
            self.reject(request, result, now)
            return
        waiting = self.enqueue(request, result, order=now, now=now)
        if request.patience < math.inf:
            self.push(now + request.patience, _ABANDON, waiting)
        policy = self.callbacks
        if (
            policy is not None
            and request.accepts_callback
            and request.callback_contact_id
            and policy.offer_after < request.patience
        ):
            self.push(now + policy.offer_after, _OFFER, waiting)

    def reject(self, request: ContactRequest, result: ContactResult, now: float) -> None:
        result.outcome = Outcome.QUEUE_FULL
        result.ended = now
        overflow = self.overflow_queue
        if (
            overflow is None
            or self.callbacks is None
            or not request.accepts_callback
            or not request.callback_contact_id
            or (overflow, request.channel) not in self.keys
        ):
            return
        result.next_contact_id = request.callback_contact_id
        callback = ContactResult(
            contact_id=request.callback_contact_id,
            channel=request.channel,
            queue=overflow,
            priority=request.priority,
            enqueued=now,
            initiation_method="CALLBACK",
            previous_contact_id=request.contact_id,
        )
        self.results.append(callback)
        self.enqueue(request, callback, order=now, now=now, queue=overflow)

    def enqueue(
        self,
        request: ContactRequest,
        result: ContactResult,
        *,
        order: float,
        now: float,
        queue: str | None = None,
    ) -> _Waiting:
        key = self.keys[(queue or result.queue, request.channel)]
        waiting = _Waiting(request, result, key, order)
        heapq.heappush(self.heaps[key], (request.priority, order, next(self.sequence), waiting))
        self.waiting_count[key] += 1
        self.queue_size[self.queue_of_key[key]] += 1
        for profile, delay in self.delayed[key]:
            if now - order < delay:
                self.push(order + delay, _ELIGIBLE, (profile, key))
        self.offer(key, now)
        return waiting

    def abandon(self, waiting: _Waiting, now: float) -> None:
        if not waiting.active:
            return
        self.leave_queue(waiting)
        result = waiting.result
        result.outcome = Outcome.ABANDONED
        result.dequeued = now
        result.ended = now

    def offer_callback(self, waiting: _Waiting, now: float) -> None:
        if not waiting.active:
            return
        self.leave_queue(waiting)
        original = waiting.request
        callback_id = str(original.callback_contact_id)
        result = waiting.result
        result.outcome = Outcome.CALLBACK_REQUESTED
        result.dequeued = now
        result.ended = now
        result.next_contact_id = callback_id
        callback = ContactResult(
            contact_id=callback_id,
            channel=original.channel,
            queue=original.queue,
            priority=original.priority,
            enqueued=now,
            initiation_method="CALLBACK",
            previous_contact_id=original.contact_id,
        )
        self.results.append(callback)
        # The callback keeps the caller's place: same priority, ordered by the original time.
        self.enqueue(original, callback, order=waiting.order, now=now, queue=result.queue)

    def requeue(self, waiting: _Waiting, now: float) -> None:
        waiting.result.dequeued = None
        self.enqueue(
            waiting.request, waiting.result, order=now, now=now, queue=waiting.result.queue
        )

    def leave_queue(self, waiting: _Waiting) -> None:
        # The heap entry stays behind and is skipped when it reaches the head (lazy deletion).
        waiting.active = False
        self.waiting_count[waiting.key] -= 1
        self.queue_size[self.queue_of_key[waiting.key]] -= 1

    # -- routing ------------------------------------------------------------------------------

    def head(self, key: int) -> tuple[int, float, int, _Waiting] | None:
        heap = self.heaps[key]
        while heap and not heap[0][3].active:
            heapq.heappop(heap)
        return heap[0] if heap else None

    def offer(self, key: int, now: float) -> None:
        """Hands the head of a queue to the agent available longest, while both exist."""
        servers = self.servers[key]
        for profile, _delay in servers:
            if profile.available:
                break
        else:
            return  # nobody has a free slot: the usual case on a busy day
        channel = self.key_names[key][1]
        while True:
            head = self.head(key)
            if head is None:
                return
            chosen: _Agent | None = None
            chosen_since = (math.inf, 0)
            for profile, delay in self.servers[key]:
                if delay > 0 and now - head[1] < delay:
                    continue
                for agent, since in profile.available.items():
                    if _can_take(agent, channel):
                        if chosen is None or since < chosen_since:
                            chosen, chosen_since = agent, since
                        break
            if chosen is None or not self.seek(chosen, now):
                return

    def offer_to_profile(self, profile: _Profile, key: int, now: float) -> None:
        channel = self.key_names[key][1]
        for agent in list(profile.available):
            if self.head(key) is None:
                return
            if _can_take(agent, channel):
                self.seek(agent, now)

    def seek(self, agent: _Agent, now: float) -> bool:
        """The agent takes the best contacts its profile allows until its slots are full."""
        took = False
        profile = agent.profile
        concurrency = profile.concurrency
        heaps = self.heaps
        pop = heapq.heappop
        while agent.online and not agent.leaving:
            count = agent.count
            if count and count >= concurrency.get(str(agent.channel), 1):
                break
            best: tuple[int, float, int, _Waiting] | None = None
            for group in profile.groups:
                for key, channel, delay in group:
                    if count and channel != agent.channel:
                        continue
                    heap = heaps[key]
                    while heap and not heap[0][3].active:
                        pop(heap)
                    if not heap:
                        continue
                    head = heap[0]
                    if delay > 0 and now - head[1] < delay:
                        continue
                    # (priority, order, unique sequence): the tuple order is the routing order.
                    if best is None or head < best:
                        best = head
                if best is not None:
                    break
            if best is None:
                break
            self.assign(best[3], agent, now)
            took = True
        self.update_availability(agent, now)
        return took

    def assign(self, waiting: _Waiting, agent: _Agent, now: float) -> None:
        heap = self.heaps[waiting.key]
        popped = heapq.heappop(heap)
        assert popped[3] is waiting, "routing must take the head of a queue"
        self.leave_queue(waiting)
        request = waiting.request
        result = waiting.result
        result.dequeued = now
        result.agent = agent.name
        result.routing_profile = agent.profile.name
        waiting.assigned = now
        if agent.count == 0:
            agent.channel = request.channel
            agent.busy_since = now
        agent.count += 1
        if result.initiation_method == "CALLBACK" and self.callbacks is not None:
            result.attempts += 1
            answers = request.callback_answers
            answered = answers[result.attempts - 1] if result.attempts <= len(answers) else True
            if not answered:
                ring = self.callbacks.ring_seconds
                result.released = now + ring
                self.push(now + ring, _RELEASE, (agent, waiting))
                if result.attempts < self.callbacks.max_attempts:
                    self.push(now + ring + self.callbacks.retry_delay, _REQUEUE, waiting)
                else:
                    result.outcome = Outcome.CALLBACK_UNANSWERED
                    result.ended = now + ring
                return
        result.outcome = Outcome.HANDLED
        result.connected = now
        result.talk = request.talk
        result.hold = request.hold
        result.after_contact_work = request.after_contact_work
        result.ended = now + request.talk + request.hold
        result.released = result.ended + request.after_contact_work
        self.push(result.released, _RELEASE, (agent, waiting))

    def release(self, payload: tuple[_Agent, _Waiting], now: float) -> None:
        agent, waiting = payload
        agent.count -= 1
        profile = agent.profile
        channel = waiting.request.channel
        self.slot_seconds[channel] = self.slot_seconds.get(channel, 0.0) + now - waiting.assigned
        if agent.count == 0:
            agent.channel = None
            self.busy[profile.name] += now - agent.busy_since
            self.channel_busy[channel] = (
                self.channel_busy.get(channel, 0.0) + now - agent.busy_since
            )
            if agent.leaving:
                self.log_out(agent, now)
                return
        if agent.online and not agent.leaving:
            self.seek(agent, now)

    def update_availability(self, agent: _Agent, now: float) -> None:
        available = agent.profile.available
        if agent.online and not agent.leaving and _has_capacity(agent):
            if agent not in available:
                available[agent] = (now, next(self.sequence))
        else:
            available.pop(agent, None)

    # -- staffing -----------------------------------------------------------------------------

    def staff(self, step: StaffingStep, now: float) -> None:
        profile = self.profiles[step.profile]
        on_duty = [a for a in profile.agents if a.online and not a.leaving]
        if step.agents > len(on_duty):
            needed = step.agents - len(on_duty)
            for agent in profile.agents:
                if needed and agent.online and agent.leaving:
                    agent.leaving = False
                    needed -= 1
                    self.seek(agent, now)
            for agent in profile.agents:
                if needed and not agent.online:
                    self.log_in(agent, now)
                    needed -= 1
            while needed:
                agent = _Agent(f"{profile.name}-{len(profile.agents) + 1:03d}", profile)
                profile.agents.append(agent)
                self.log_in(agent, now)
                needed -= 1
        elif step.agents < len(on_duty):
            excess = len(on_duty) - step.agents
            # Idle agents leave first; busy ones finish what they hold, then log out.
            for agent in sorted(on_duty, key=lambda a: a.count > 0):
                if not excess:
                    break
                excess -= 1
                if agent.count == 0:
                    self.log_out(agent, now)
                else:
                    agent.leaving = True
                    profile.available.pop(agent, None)

    def log_in(self, agent: _Agent, now: float) -> None:
        agent.online = True
        agent.leaving = False
        agent.login_at = now
        self.seek(agent, now)

    def log_out(self, agent: _Agent, now: float) -> None:
        agent.online = False
        agent.leaving = False
        agent.profile.available.pop(agent, None)
        self.staffed[agent.profile.name] += now - agent.login_at


def _has_capacity(agent: _Agent) -> bool:
    if agent.count == 0:
        return True
    return agent.count < agent.profile.concurrency.get(str(agent.channel), 1)


def _can_take(agent: _Agent, channel: str) -> bool:
    if agent.count == 0:
        return channel in agent.profile.channels
    return agent.channel == channel and agent.count < agent.profile.concurrency.get(channel, 1)
