"""Amazon Connect's bulk user CSV <-> the users of a stage's `people:` section.

The columns are the ones of the template the Connect admin website offers under Users, User
management, Add new users, "Import users using a .csv template", in the order the admin guide
lists them (https://docs.aws.amazon.com/connect/latest/adminguide/user-management.html, "Add
users in bulk from a .csv file"). Security profiles are written `name_1|name_2`, and the
hierarchy as the path of group names from the top level down, `site|team`, the way the
template's `user_hierarchy_1|user_hierarchy_2` header spells it; a bare group name is accepted
too, since group names are unique in a stage.

What the CSV holds that `people:` does not is dropped with a note, never silently: passwords
(the deploy generates each first password), secondary emails, mobile numbers and tags.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from config.people import HierarchyConfig, PeopleConfig, PersonConfig, PhoneType, SecurityProfile

FIRST_NAME = "first name"
LAST_NAME = "last name"
EMAIL = "email address"
SECONDARY_EMAIL = "secondary email address"
MOBILE = "mobile"
PASSWORD = "password"
LOGIN = "user login"
AGENT_HIERARCHY = "agent hierarchy"
ROUTING_PROFILE = "routing profile name"
SECURITY_PROFILES = "security_profile_name_1|security_profile_name_2"
HIERARCHY = "user_hierarchy_1|user_hierarchy_2"
PHONE_TYPE = "phone type (soft/desk)"
PHONE_NUMBER = "phone number"
AUTO_ACCEPT = "soft phone auto accept (yes/no)"
ACW_TIMEOUT = "ACW timeout (seconds)"
TAGS = "tags"

COLUMNS = (
    FIRST_NAME,
    LAST_NAME,
    EMAIL,
    SECONDARY_EMAIL,
    MOBILE,
    PASSWORD,
    LOGIN,
    AGENT_HIERARCHY,
    ROUTING_PROFILE,
    SECURITY_PROFILES,
    HIERARCHY,
    PHONE_TYPE,
    PHONE_NUMBER,
    AUTO_ACCEPT,
    ACW_TIMEOUT,
    TAGS,
)
# Older templates had no email column (SAML instances) and no hierarchy or tags: only what
# every version of the template holds is required.
REQUIRED = (FIRST_NAME, LAST_NAME, LOGIN, ROUTING_PROFILE, SECURITY_PROFILES, PHONE_TYPE)
# Held by the CSV, not by `people:`: a value there is dropped with a note.
NOT_KEPT = (SECONDARY_EMAIL, MOBILE, TAGS)
# The column each PersonConfig field comes from, to name it in a row's error.
FIELD_COLUMNS = {
    "login": LOGIN,
    "first_name": FIRST_NAME,
    "last_name": LAST_NAME,
    "email": EMAIL,
    "routing_profile": ROUTING_PROFILE,
    "security_profiles": SECURITY_PROFILES,
    "hierarchy_group": HIERARCHY,
    "phone_type": PHONE_TYPE,
    "desk_phone_number": PHONE_NUMBER,
    "auto_accept": AUTO_ACCEPT,
    "after_contact_work_seconds": ACW_TIMEOUT,
}

# Connect's default security profiles (Admin, Agent, CallCenterManager, QualityAnalyst:
# https://docs.aws.amazon.com/connect/latest/adminguide/connect-security-profiles.html) and the
# stage's own, by what they may do. A stage defines only agent and supervisor: every profile
# that sees metrics or recordings (a manager, an admin, a quality analyst) becomes supervisor.
PROFILE_ROLES = {
    "agent": SecurityProfile.AGENT,
    "supervisor": SecurityProfile.SUPERVISOR,
    "callcentermanager": SecurityProfile.SUPERVISOR,
    "admin": SecurityProfile.SUPERVISOR,
    "qualityanalyst": SecurityProfile.SUPERVISOR,
    **{profile.connect_name.lower(): profile for profile in SecurityProfile},
}
PHONE_TYPES = {
    "soft": PhoneType.SOFT_PHONE,
    "soft_phone": PhoneType.SOFT_PHONE,
    "desk": PhoneType.DESK_PHONE,
    "desk_phone": PhoneType.DESK_PHONE,
}
YES_NO = {"yes": True, "y": True, "true": True, "no": False, "n": False, "false": False}
HIERARCHY_SEPARATORS = ("|", "/")


class RosterError(Exception):
    """A CSV that cannot become `people.users`: one `line N: column: reason` per problem."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass
class Roster:
    """The users a CSV holds, the CSV line of each, and what was dropped on the way."""

    users: list[PersonConfig]
    lines: list[int]
    notes: list[str] = field(default_factory=list)

    def line_of(self, index: int) -> int:
        return self.lines[index]


def read_roster(
    text: str, *, routing_profiles: Collection[str], hierarchy: HierarchyConfig | None
) -> Roster:
    """Every row of the CSV as a person; RosterError lists every bad row, not just the first."""
    reader = csv.DictReader(io.StringIO(text.removeprefix("\ufeff")))
    columns = _columns(reader.fieldnames)
    problems: list[str] = []
    users: list[PersonConfig] = []
    lines: list[int] = []
    dropped: dict[str, int] = {}
    seen: dict[str, int] = {}
    for line, row in _rows(reader, columns):
        for column in (PASSWORD, *NOT_KEPT):
            if row.get(column):
                dropped[column] = dropped.get(column, 0) + 1
        person, row_problems = _person(row, routing_profiles=routing_profiles, hierarchy=hierarchy)
        problems.extend(f"line {line}: {problem}" for problem in row_problems)
        if person is None:
            continue
        login = person.login.lower()
        if login in seen:
            problems.append(
                f"line {line}: {LOGIN}: '{person.login}' is also on line {seen[login]} "
                "(logins are unique, ignoring case)"
            )
            continue
        seen[login] = line
        users.append(person)
        lines.append(line)
    if not users and not problems:
        problems.append("line 2: no users: the file holds the header row only")
    if problems:
        raise RosterError(problems)
    return Roster(users, lines, _notes(dropped, has_passwords=PASSWORD in columns.values()))


def write_roster(people: PeopleConfig) -> str:
    """The users as Connect's template, password column empty: the console's upload, or
    `read_roster`, reads it back to the same people."""
    parents = people.hierarchy.parents() if people.hierarchy else {}
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for user in people.users:
        writer.writerow(
            {
                FIRST_NAME: user.first_name,
                LAST_NAME: user.last_name,
                EMAIL: user.email or "",
                LOGIN: user.login,
                ROUTING_PROFILE: user.routing_profile,
                SECURITY_PROFILES: "|".join(p.connect_name for p in user.security_profiles),
                HIERARCHY: "|".join(_path(user.hierarchy_group, parents)),
                PHONE_TYPE: "desk" if user.phone_type is PhoneType.DESK_PHONE else "soft",
                PHONE_NUMBER: user.desk_phone_number or "",
                AUTO_ACCEPT: "yes" if user.auto_accept else "no",
                ACW_TIMEOUT: str(user.after_contact_work_seconds),
            }
        )
    return out.getvalue()


def _columns(header: Collection[str] | None) -> dict[str, str]:
    """The file's header -> the template's column names (matched ignoring case and spaces)."""
    if not header:
        raise RosterError(["line 1: no header row (expected Connect's template columns)"])
    known = {column.lower(): column for column in COLUMNS}
    columns: dict[str, str] = {}
    unknown = []
    for name in header:
        column = known.get(" ".join((name or "").split()).lower())
        if column is None:
            unknown.append(name)
        else:
            columns[name] = column
    problems = [
        f"line 1: unknown column '{name}' (Connect's template has: {', '.join(COLUMNS)})"
        for name in unknown
    ]
    missing = [column for column in REQUIRED if column not in columns.values()]
    if missing:
        problems.append(f"line 1: missing column(s) {', '.join(repr(c) for c in missing)}")
    if problems:
        raise RosterError(problems)
    return columns


def _rows(
    reader: csv.DictReader[str], columns: Mapping[str, str]
) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, template column -> stripped value) for each row that is not blank."""
    for raw in reader:
        row = {columns[name]: (value or "").strip() for name, value in raw.items() if name}
        if any(row.values()):
            yield reader.line_num, row


def _person(
    row: Mapping[str, str], *, routing_profiles: Collection[str], hierarchy: HierarchyConfig | None
) -> tuple[PersonConfig | None, list[str]]:
    problems: list[str] = []
    fields: dict[str, Any] = {
        "login": row.get(LOGIN, ""),
        "first_name": row.get(FIRST_NAME, ""),
        "last_name": row.get(LAST_NAME, ""),
        "email": row.get(EMAIL) or None,
        "routing_profile": row.get(ROUTING_PROFILE, ""),
        "desk_phone_number": row.get(PHONE_NUMBER) or None,
    }
    if fields["routing_profile"] not in routing_profiles:
        problems.append(
            f"{ROUTING_PROFILE}: '{fields['routing_profile']}' is not a routing profile of the "
            f"stage (known: {', '.join(sorted(routing_profiles))})"
        )
    profiles, unknown = _security_profiles(row.get(SECURITY_PROFILES, ""))
    problems.extend(unknown)
    if profiles:
        fields["security_profiles"] = profiles
    phone_type = row.get(PHONE_TYPE, "").lower() or "soft"
    if phone_type in PHONE_TYPES:
        fields["phone_type"] = PHONE_TYPES[phone_type]
    else:
        problems.append(f"{PHONE_TYPE}: '{row[PHONE_TYPE]}' is not soft or desk")
    auto_accept = row.get(AUTO_ACCEPT, "").lower() or "no"
    if auto_accept in YES_NO:
        fields["auto_accept"] = YES_NO[auto_accept]
    else:
        problems.append(f"{AUTO_ACCEPT}: '{row[AUTO_ACCEPT]}' is not yes or no")
    fields["after_contact_work_seconds"] = row.get(ACW_TIMEOUT) or 0
    group, hierarchy_problem = _hierarchy_group(row, hierarchy)
    fields["hierarchy_group"] = group
    if hierarchy_problem:
        problems.append(hierarchy_problem)
    try:
        person = PersonConfig.model_validate(fields)
    except ValidationError as error:
        for detail in error.errors(include_url=False):
            # The one rule with no field of its own pairs the phone type with its number.
            name = str(detail["loc"][0]) if detail["loc"] else "desk_phone_number"
            column = FIELD_COLUMNS[name]
            problems.append(f"{column}: {detail['msg'].removeprefix('Value error, ')}")
        return None, problems
    return (None if problems else person), problems


def _security_profiles(cell: str) -> tuple[list[SecurityProfile], list[str]]:
    names = [name.strip() for name in cell.split("|") if name.strip()]
    if not names:
        return [], [f"{SECURITY_PROFILES}: no security profile (e.g. Agent or CallCenterManager)"]
    profiles: list[SecurityProfile] = []
    problems = []
    for name in names:
        profile = PROFILE_ROLES.get(name.lower())
        if profile is None:
            problems.append(
                f"{SECURITY_PROFILES}: unknown security profile '{name}' (the stage has agent "
                "and supervisor; Connect's Agent becomes agent, CallCenterManager, Admin and "
                "QualityAnalyst become supervisor)"
            )
        elif profile not in profiles:
            profiles.append(profile)
    return profiles, problems


def _hierarchy_group(
    row: Mapping[str, str], hierarchy: HierarchyConfig | None
) -> tuple[str | None, str | None]:
    """The group a row names (its path's last part), checked against the stage's hierarchy."""
    path_text = row.get(HIERARCHY) or row.get(AGENT_HIERARCHY) or ""
    if not path_text:
        return None, None
    separator = next((s for s in HIERARCHY_SEPARATORS if s in path_text), "|")
    path = [part.strip() for part in path_text.split(separator)]
    group = path[-1]
    parents = hierarchy.parents() if hierarchy else {}
    if group not in parents:
        known = ", ".join(sorted(parents)) or "none: define people.hierarchy first"
        return None, f"{HIERARCHY}: unknown hierarchy group '{group}' (known: {known})"
    expected = _path(group, parents)
    if len(path) > 1 and path != expected:
        return None, (
            f"{HIERARCHY}: '{path_text}' is not where {group} sits in people.hierarchy "
            f"({'|'.join(expected)})"
        )
    return group, None


def _path(group: str | None, parents: Mapping[str, str | None]) -> list[str]:
    """A group's names from the top level down to it (empty for no group)."""
    path: list[str] = []
    while group is not None:
        path.insert(0, group)
        group = parents.get(group)
    return path


def _notes(dropped: Mapping[str, int], *, has_passwords: bool) -> list[str]:
    notes = []
    if has_passwords:
        notes.append(
            f"the {PASSWORD} column is ignored ({dropped.get(PASSWORD, 0)} row(s) had one): "
            "passwords never go into the config; the deploy generates each first password"
        )
    kept_out = [f"{column} ({dropped[column]})" for column in NOT_KEPT if dropped.get(column)]
    if kept_out:
        notes.append(f"not part of people: and dropped: {', '.join(kept_out)}")
    return notes
