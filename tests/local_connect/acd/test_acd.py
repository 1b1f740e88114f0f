"""ACD behaviours, each on a small day whose right answer can be worked out by hand."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from config import ContactCenterConfig
from local_connect.acd import (
    CHAT,
    VOICE,
    CallbackPolicy,
    ContactRequest,
    Outcome,
    ProfileQueue,
    RoutingProfile,
    SimulationError,
    SimulationResult,
    Simulator,
    StaffingStep,
    profiles_from_config,
)

ONE_QUEUE = RoutingProfile("solo", (ProfileQueue("q", VOICE),))


def call(
    contact_id: str, at: float, talk: float = 100.0, queue: str = "q", **fields: object
) -> ContactRequest:
    return ContactRequest(
        contact_id=contact_id, channel=VOICE, queue=queue, arrival=at, talk=talk, **fields
    )


def chat(contact_id: str, at: float, talk: float = 100.0, queue: str = "q") -> ContactRequest:
    return ContactRequest(contact_id=contact_id, channel=CHAT, queue=queue, arrival=at, talk=talk)


def run(
    requests: Sequence[ContactRequest],
    profiles: Sequence[RoutingProfile] = (ONE_QUEUE,),
    agents: dict[str, int] | None = None,
    **options: object,
) -> SimulationResult:
    staffing = [StaffingStep(0.0, name, count) for name, count in (agents or {"solo": 1}).items()]
    return Simulator(profiles, staffing, **options).run(requests)  # type: ignore[arg-type]


def served_order(result: SimulationResult) -> list[str]:
    handled = [c for c in result.contacts if c.outcome is Outcome.HANDLED]
    return [c.contact_id for c in sorted(handled, key=lambda c: c.connected or 0.0)]


def test_lower_priority_number_is_served_first_then_longest_waiting() -> None:
    # The agent is busy with "first" until 100 s; four callers queue behind it.
    result = run(
        [
            call("first", 0.0),
            call("p5-early", 10.0, priority=5),
            call("p5-late", 20.0, priority=5),
            call("p1", 30.0, priority=1),
            call("p3", 40.0, priority=3),
        ]
    )
    assert served_order(result) == ["first", "p1", "p3", "p5-early", "p5-late"]
    waits = {c.contact_id: c.queue_wait for c in result.contacts}
    assert waits["p1"] == pytest.approx(70.0)  # answered the moment "first" ends at 100 s


def test_profile_queue_priority_beats_an_older_contact_in_a_lower_queue() -> None:
    profile = RoutingProfile(
        "frontline", (ProfileQueue("billing", VOICE, 1), ProfileQueue("general", VOICE, 2))
    )
    result = run(
        [
            call("busy", 0.0, queue="billing"),
            call("general-old", 5.0, queue="general"),
            call("billing-new", 50.0, queue="billing"),
        ],
        profiles=[profile],
        agents={"frontline": 1},
    )
    assert served_order(result) == ["busy", "billing-new", "general-old"]


def test_a_delayed_profile_takes_a_contact_only_after_the_delay() -> None:
    primary = RoutingProfile("primary", (ProfileQueue("q", VOICE),))
    overflow = RoutingProfile("overflow", (ProfileQueue("q", VOICE, delay=30.0),))
    result = run(
        [call("a", 0.0, talk=500.0), call("b", 10.0, talk=500.0)],
        profiles=[primary, overflow],
        agents={"primary": 1, "overflow": 1},
    )
    contacts = result.by_id()
    assert contacts["a"].routing_profile == "primary"
    assert contacts["a"].queue_wait == 0.0
    # The idle overflow agent may take "b" only once it has waited 30 s.
    assert contacts["b"].routing_profile == "overflow"
    assert contacts["b"].queue_wait == pytest.approx(30.0)


def test_an_agent_takes_up_to_its_chat_concurrency_and_no_call_meanwhile() -> None:
    both = RoutingProfile(
        "blended",
        (ProfileQueue("q", CHAT), ProfileQueue("q", VOICE)),
        concurrency={VOICE: 1, CHAT: 3},
    )
    result = run(
        [chat("c1", 0.0), chat("c2", 1.0), chat("c3", 2.0), chat("c4", 3.0), call("v1", 4.0)],
        profiles=[both],
        agents={"blended": 1},
    )
    contacts = result.by_id()
    assert [contacts[c].queue_wait for c in ("c1", "c2", "c3")] == [0.0, 0.0, 0.0]
    # Chats c1-c3 end at 100, 101 and 102 s. c4 takes c1's slot at 100 s; the call waits
    # until the agent holds no chat at all: after c4 ends at 200 s.
    assert contacts["c4"].connected == pytest.approx(100.0)
    assert contacts["v1"].connected == pytest.approx(200.0)


def test_impatient_callers_abandon_when_their_patience_runs_out() -> None:
    result = run(
        [call("busy", 0.0, talk=300.0), call("leaves", 10.0, patience=60.0), call("stays", 20.0)]
    )
    contacts = result.by_id()
    assert contacts["leaves"].outcome is Outcome.ABANDONED
    assert contacts["leaves"].dequeued == pytest.approx(70.0)
    assert contacts["leaves"].agent is None
    assert contacts["stays"].connected == pytest.approx(300.0)


def test_hold_and_after_contact_work_keep_the_agent_busy() -> None:
    result = run([call("a", 0.0, talk=100.0, hold=20.0, after_contact_work=30.0), call("b", 1.0)])
    contacts = result.by_id()
    assert contacts["a"].ended == pytest.approx(120.0)  # customer leaves after talk + hold
    assert contacts["a"].released == pytest.approx(150.0)  # agent free after wrap-up
    assert contacts["b"].connected == pytest.approx(150.0)
    assert result.busy_seconds["solo"] == pytest.approx(250.0)


POLICY = CallbackPolicy(offer_after=120.0, ring_seconds=20.0, retry_delay=600.0, max_attempts=2)


def test_a_callback_keeps_the_callers_place_and_never_abandons() -> None:
    result = run(
        [
            call("busy", 0.0, talk=1000.0),
            call(
                "asks-callback",
                10.0,
                patience=300.0,
                accepts_callback=True,
                callback_contact_id="cb-1",
                callback_answers=(True,),
            ),
            call("holds", 20.0),
        ],
        callbacks=POLICY,
    )
    contacts = result.by_id()
    original = contacts["asks-callback"]
    assert original.outcome is Outcome.CALLBACK_REQUESTED
    assert original.dequeued == pytest.approx(130.0)  # the offer comes after 120 s in queue
    assert original.next_contact_id == "cb-1"
    callback = contacts["cb-1"]
    assert callback.initiation_method == "CALLBACK"
    assert callback.previous_contact_id == "asks-callback"
    # Its patience (300 s) would have run out at 310 s; off the line, it waits until 1000 s
    # and is served before "holds", who arrived later.
    assert callback.outcome is Outcome.HANDLED
    assert callback.connected == pytest.approx(1000.0)
    assert served_order(result) == ["busy", "cb-1", "holds"]


def test_an_unanswered_callback_is_retried_then_given_up() -> None:
    result = run(
        [
            call("busy", 0.0, talk=200.0),
            call(
                "never-answers",
                1.0,
                accepts_callback=True,
                callback_contact_id="cb",
                callback_answers=(False, False),
            ),
        ],
        callbacks=POLICY,
    )
    callback = result.by_id()["cb"]
    assert callback.outcome is Outcome.CALLBACK_UNANSWERED
    assert callback.attempts == 2
    # Dialled at 200 s, rang 20 s, retried 600 s later at 820 s, rang 20 s.
    assert callback.ended == pytest.approx(840.0)


def test_a_full_queue_rejects_and_books_a_callback_in_the_overflow_queue() -> None:
    profile = RoutingProfile("p", (ProfileQueue("small", VOICE), ProfileQueue("general", VOICE, 2)))
    result = run(
        [
            call("busy", 0.0, queue="small", talk=500.0),
            call("waits", 1.0, queue="small"),
            call("rejected", 2.0, queue="small"),
            call(
                "rejected-callback",
                3.0,
                queue="small",
                accepts_callback=True,
                callback_contact_id="cb",
                callback_answers=(True,),
            ),
        ],
        profiles=[profile],
        agents={"p": 1},
        callbacks=POLICY,
        capacity={"small": 1},
        overflow_queue="general",
    )
    contacts = result.by_id()
    assert contacts["waits"].outcome is Outcome.HANDLED
    assert contacts["rejected"].outcome is Outcome.QUEUE_FULL
    assert contacts["rejected"].next_contact_id is None
    assert contacts["rejected-callback"].outcome is Outcome.QUEUE_FULL
    assert contacts["cb"].queue == "general"
    assert contacts["cb"].outcome is Outcome.HANDLED


def test_staffing_changes_by_the_hour_and_busy_agents_finish_before_leaving() -> None:
    result = Simulator(
        [ONE_QUEUE],
        [
            StaffingStep(0.0, "solo", 0),
            StaffingStep(100.0, "solo", 1),
            StaffingStep(200.0, "solo", 0),
        ],
        sample_every=None,
    ).run([call("early", 50.0, talk=150.0), call("late", 210.0, patience=100.0)])
    contacts = result.by_id()
    assert contacts["early"].connected == pytest.approx(100.0)  # first agent logs in at 100 s
    assert contacts["early"].released == pytest.approx(250.0)  # finishes after 200 s logout
    assert contacts["late"].outcome is Outcome.ABANDONED  # nobody is left to answer
    assert result.staffed_seconds["solo"] == pytest.approx(150.0)


def test_the_same_inputs_play_the_same_day() -> None:
    requests = [call(str(i), i * 7.0, talk=50.0 + (i * 37) % 90, patience=80.0) for i in range(200)]

    def signature(result: SimulationResult) -> list[tuple[str, Outcome, float | None]]:
        return [(c.contact_id, c.outcome, c.dequeued) for c in result.contacts]

    first = run(requests, agents={"solo": 3})
    second = run(requests, agents={"solo": 3})
    assert signature(first) == signature(second)
    assert {c.outcome for c in first.contacts} == {Outcome.HANDLED, Outcome.ABANDONED}


def test_queue_length_is_sampled_through_the_day() -> None:
    result = run(
        [call("a", 0.0, talk=1000.0), call("b", 10.0), call("c", 20.0)], sample_every=100.0
    )
    waiting = [sample.waiting[("q", VOICE)] for sample in result.samples]
    assert waiting[:3] == [0, 2, 2]  # at 0, 100 and 200 s
    assert waiting[-1] == 0


def test_inputs_naming_unknown_things_are_rejected() -> None:
    with pytest.raises(SimulationError, match="routing profile 'ghost'"):
        Simulator([ONE_QUEUE], [StaffingStep(0.0, "ghost", 1)])
    with pytest.raises(SimulationError, match="no routing profile serves queue 'elsewhere'"):
        run([call("x", 0.0, queue="elsewhere")])


def test_profiles_from_config_expand_channels_priorities_delays(
    dev_config: ContactCenterConfig,
) -> None:
    profiles = {profile.name: profile for profile in profiles_from_config(dev_config)}
    frontline = profiles["frontline"]
    appointments = [e for e in frontline.queues if e.queue == "appointments"]
    assert {(e.channel, e.priority, e.delay) for e in appointments} == {
        (VOICE, 3, 30.0),
        (CHAT, 3, 30.0),
    }
    assert frontline.concurrency[CHAT] == 3
    assert profiles["field_support"].concurrency[CHAT] == 2


def test_concurrency_used_measures_how_full_the_chat_slots_were() -> None:
    blended = RoutingProfile("chat", (ProfileQueue("q", CHAT),), concurrency={CHAT: 3})
    result = run(
        [chat("a", 0.0, talk=100.0), chat("b", 50.0, talk=100.0)],
        profiles=[blended],
        agents={"chat": 1},
    )
    # The agent holds chats from 0 to 150 s; two chats of 100 s: 200 contact-seconds.
    assert result.channel_busy_seconds[CHAT] == pytest.approx(150.0)
    assert result.concurrency_used(CHAT) == pytest.approx(200 / 150)
    assert result.concurrency_used(VOICE) is None
