"""The other programmes: villages, 四点半学校 and their sponsors, pairings with children and
their visits, 妇儿家园 homes, activities and classes, and selections.

Children are never named: a pairing carries the child's category and a pseudonymous reference
federation makes up; a visit the pairing's id and the date.
"""

from __future__ import annotations

from typing import Literal

from shared.events.base import EventData, register

ChildCategory = Literal["left_behind", "orphaned", "disabled"]
HomeFunction = Literal["education", "rights", "family", "relief", "employment", "culture"]
ActivityKind = Literal["home", "class", "themed"]
SelectionKind = Literal["best_family", "good_in_laws"]


@register
class VillageRegistered(EventData):
    """A village the programmes work in: poor (贫困村) or not, with left-behind children
    concentrated there or not."""

    type = "federation.village_registered"
    village_id: str
    county: str
    name: str
    poor: bool
    left_behind: bool


@register
class SchoolRegistered(EventData):
    """A 四点半学校 (after-school centre) in a village."""

    type = "federation.school_registered"
    school_id: str
    county: str
    village_id: str
    name: str


@register
class SchoolSponsored(EventData):
    """A sponsor (a city unit's women's committee, a woman entrepreneur, a 巾帼文明岗) donated
    to or paired with a school."""

    type = "federation.school_sponsored"
    sponsorship_id: str
    school_id: str
    county: str
    sponsor_kind: Literal["unit_committee", "entrepreneur", "civilised_post"]
    sponsor: str  # the organisation's name, public
    amount: int = 0  # yuan donated, 0 for a pairing only


@register
class PairingMade(EventData):
    """A woman cadre or volunteer paired with a child (结对帮扶); the child by reference only."""

    type = "federation.pairing_made"
    pairing_id: str
    county: str
    village_id: str
    child_ref: str
    child_category: ChildCategory
    volunteer_kind: Literal["cadre", "volunteer"]
    school_id: str | None = None


@register
class VisitLogged(EventData):
    """A paired volunteer visited the child."""

    type = "federation.visit_logged"
    visit_id: str
    pairing_id: str
    county: str
    visited_on: str  # ISO date


@register
class HomeRegistered(EventData):
    """A 妇儿家园 / 妇女之家 with the service functions it offers."""

    type = "federation.home_registered"
    home_id: str
    county: str
    village_id: str
    name: str
    functions: list[HomeFunction]


@register
class ActivityRecorded(EventData):
    """An activity held: at a home (one of its functions), a training class, or a themed
    activity (拒要彩礼, 孝老敬亲, 四德歌 square dance), with its attendance."""

    type = "federation.activity_recorded"
    activity_id: str
    county: str
    village_id: str
    kind: ActivityKind
    theme: str
    held_on: str  # ISO date
    attendance: int
    home_id: str | None = None
    function: HomeFunction | None = None


@register
class SelectionNominated(EventData):
    """A family or a mother- and daughter-in-law nominated for a selection."""

    type = "federation.selection_nominated"
    selection_id: str
    county: str
    village_id: str
    kind: SelectionKind
    year: int


@register
class SelectionReviewed(EventData):
    """The county federation reviewed a nomination."""

    type = "federation.selection_reviewed"
    selection_id: str
    county: str
    selected: bool


@register
class SelectionPublished(EventData):
    """A selected nomination published: `public_name` is what the public result shows."""

    type = "federation.selection_published"
    selection_id: str
    county: str
    village_id: str
    kind: SelectionKind
    year: int
    public_name: str
