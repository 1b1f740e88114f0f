"""Connect's bulk user CSV and the people model: whatever people a stage holds, writing them as
the CSV and reading it back gives the same people (names with commas, quotes and accents,
desk phones, several security profiles, hierarchy paths)."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from config import load_stage
from config.people import HierarchyConfig, PeopleConfig, SecurityProfile
from config.people_csv import COLUMNS, read_roster, write_roster

DEV = load_stage("dev")
HIERARCHY = HierarchyConfig.model_validate(
    {"levels": ["site", "team"], "groups": {"riverside_hq": {"groups": {"billing_team": {}}}}}
)
GROUPS = sorted(HIERARCHY.parents())

# Names as people have them: letters of any script, spaces inside, and the characters a CSV
# must quote (commas, quotes, apostrophes).
name = (
    st.text(alphabet=st.sampled_from("AbcÉéñØøŁłß O'-,\"çÜü李"), min_size=1, max_size=20)
    .map(str.strip)
    .filter(bool)
)
login = st.from_regex(r"[a-z][a-z0-9_.@-]{0,15}", fullmatch=True)


@st.composite
def person(draw: st.DrawFn, login_text: str) -> dict[str, Any]:
    desk = draw(st.booleans())
    return {
        "login": login_text,
        "first_name": draw(name),
        "last_name": draw(name),
        "email": draw(st.none() | st.just(f"{login_text.replace('@', '.')}@example.org")),
        "routing_profile": draw(st.sampled_from(sorted(DEV.routing_profiles))),
        "security_profiles": draw(
            st.lists(st.sampled_from(list(SecurityProfile)), min_size=1, max_size=2, unique=True)
        ),
        "hierarchy_group": draw(st.none() | st.sampled_from(GROUPS)),
        "phone_type": "DESK_PHONE" if desk else "SOFT_PHONE",
        "desk_phone_number": "+13125550177" if desk else None,
        "auto_accept": draw(st.booleans()),
        "after_contact_work_seconds": draw(st.integers(0, 2_000_000)),
    }


@st.composite
def people(draw: st.DrawFn) -> PeopleConfig:
    logins = draw(st.lists(login, min_size=1, max_size=6, unique_by=str.lower))
    users = [draw(person(text)) for text in logins]
    return PeopleConfig.model_validate({"users": users, "hierarchy": HIERARCHY.model_dump()})


@settings(max_examples=60, deadline=None)
@given(people())
def test_writing_then_reading_the_csv_gives_the_same_people(stage_people: PeopleConfig) -> None:
    text = write_roster(stage_people)
    roster = read_roster(text, routing_profiles=DEV.routing_profiles, hierarchy=HIERARCHY)
    assert roster.users == stage_people.users
    assert roster.lines == list(range(2, len(stage_people.users) + 2))


def test_a_bare_group_name_or_its_path_name_the_same_group() -> None:
    header = ",".join(COLUMNS)
    row = "A,B,a@example.org,,,,ab,,frontline,Agent,{},soft,,no,0,"
    for cell in ("billing_team", "riverside_hq|billing_team", "riverside_hq / billing_team"):
        roster = read_roster(
            f"{header}\n{row.format(cell)}\n",
            routing_profiles=DEV.routing_profiles,
            hierarchy=HIERARCHY,
        )
        assert [user.hierarchy_group for user in roster.users] == ["billing_team"]
