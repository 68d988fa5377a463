"""What changed between two versions of a plan: goals and actions added, removed or changed.

Versions are copies (a new version copies the signed one's rows), so goals are matched by what they say,
not by id: the same domain and text first, then the most similar text. `diff_versions` is pure; `snapshot`
only reads a version's prefetched rows.
"""

from dataclasses import dataclass, field
from datetime import date
from difflib import SequenceMatcher

from recovery_plans.models import ActionStatus, LifeDomain

# Below this similarity two goals (or actions) are a removal and an addition, not one change.
SIMILAR = 0.6

ADDED, REMOVED, CHANGED = "added", "removed", "changed"


@dataclass(frozen=True)
class ActionData:
    what: str
    who: str
    by_when: date | None = None
    status: str = ActionStatus.NOT_STARTED

    @property
    def status_label(self) -> str:
        return ActionStatus(self.status).label


@dataclass(frozen=True)
class GoalData:
    domain: str
    text: str
    actions: tuple[ActionData, ...] = ()


@dataclass(frozen=True)
class PlanData:
    own_words: str = ""
    goals: tuple[GoalData, ...] = ()
    modalities: tuple[str, ...] = ()


@dataclass(frozen=True)
class ActionChange:
    kind: str
    before: ActionData | None
    after: ActionData | None
    fields: tuple[str, ...] = ()

    @property
    def action(self) -> ActionData:
        return self.after or self.before


@dataclass(frozen=True)
class GoalChange:
    kind: str
    before: GoalData | None
    after: GoalData | None
    fields: tuple[str, ...] = ()
    actions: tuple[ActionChange, ...] = ()

    @property
    def goal(self) -> GoalData:
        return self.after or self.before

    @property
    def domain_label(self) -> str:
        return LifeDomain(self.goal.domain).label


@dataclass(frozen=True)
class PlanDiff:
    own_words_changed: bool = False
    goals: tuple[GoalChange, ...] = ()
    modalities_added: tuple[str, ...] = ()
    modalities_removed: tuple[str, ...] = ()
    counts: dict = field(default_factory=dict)

    @property
    def is_empty(self) -> bool:
        return not (self.own_words_changed or self.goals or self.modalities_added or self.modalities_removed)


def _similarity(a: str, b: str) -> float:
    return SequenceMatcher(None, a.casefold(), b.casefold()).ratio()


def _pair(before: list, after: list, *, key, same, bonus=None) -> tuple[list[tuple[int, int]], list[int], list[int]]:
    """Pairs of (before index, after index): the same first, then the most similar above SIMILAR."""
    pairs, free_before, free_after = [], list(range(len(before))), list(range(len(after)))
    for j in list(free_after):
        match = next((i for i in free_before if same(before[i]) == same(after[j])), None)
        if match is not None:
            pairs.append((match, j))
            free_before.remove(match)
            free_after.remove(j)
    candidates = sorted(
        (
            (_similarity(key(before[i]), key(after[j])) + (bonus(before[i], after[j]) if bonus else 0.0), i, j)
            for i in free_before
            for j in free_after
        ),
        key=lambda c: (-c[0], c[1], c[2]),
    )
    for score, i, j in candidates:
        if score >= SIMILAR and i in free_before and j in free_after:
            pairs.append((i, j))
            free_before.remove(i)
            free_after.remove(j)
    return pairs, free_before, free_after


def _action_changes(before: tuple[ActionData, ...], after: tuple[ActionData, ...]) -> tuple[ActionChange, ...]:
    pairs, removed, added = _pair(list(before), list(after), key=lambda a: a.what, same=lambda a: a)
    changes = []
    for i, j in sorted(pairs, key=lambda p: p[1]):
        fields = tuple(f for f in ("what", "who", "by_when", "status") if getattr(before[i], f) != getattr(after[j], f))
        if fields:
            changes.append(ActionChange(CHANGED, before[i], after[j], fields))
    changes += [ActionChange(ADDED, None, after[j]) for j in added]
    changes += [ActionChange(REMOVED, before[i], None) for i in removed]
    return tuple(changes)


def diff_versions(before: PlanData | None, after: PlanData) -> PlanDiff:
    """The changes from `before` (the version before; None for a first version) to `after`."""
    before = before or PlanData()
    old, new = list(before.goals), list(after.goals)
    pairs, removed, added = _pair(
        old,
        new,
        key=lambda g: g.text,
        same=lambda g: (g.domain, g.text),
        # A goal kept in its domain is more likely the same goal reworded.
        bonus=lambda a, b: 0.1 if a.domain == b.domain else 0.0,
    )
    goals = []
    for i, j in sorted(pairs + [(None, j) for j in added], key=lambda p: p[1]):
        if i is None:
            actions = tuple(ActionChange(ADDED, None, a) for a in new[j].actions)
            goals.append(GoalChange(ADDED, None, new[j], actions=actions))
            continue
        fields = tuple(f for f in ("domain", "text") if getattr(old[i], f) != getattr(new[j], f))
        actions = _action_changes(old[i].actions, new[j].actions)
        if fields or actions:
            goals.append(GoalChange(CHANGED, old[i], new[j], fields, actions))
    goals += [
        GoalChange(REMOVED, old[i], None, actions=tuple(ActionChange(REMOVED, a, None) for a in old[i].actions))
        for i in removed
    ]
    kinds = [g.kind for g in goals]
    return PlanDiff(
        own_words_changed=before.own_words.strip() != after.own_words.strip(),
        goals=tuple(goals),
        modalities_added=tuple(m for m in after.modalities if m not in before.modalities),
        modalities_removed=tuple(m for m in before.modalities if m not in after.modalities),
        counts={kind: kinds.count(kind) for kind in (ADDED, REMOVED, CHANGED)},
    )


def snapshot(version) -> PlanData:
    """A version as plain data; reads `goals__actions` and `planned_modalities__intervention` as prefetched."""
    return PlanData(
        own_words=version.own_words,
        goals=tuple(
            GoalData(
                domain=goal.domain,
                text=goal.text,
                actions=tuple(ActionData(a.what, a.who, a.by_when, a.status) for a in goal.actions.all()),
            )
            for goal in version.goals.all()
        ),
        modalities=tuple(str(p.intervention) for p in version.planned_modalities.all()),
    )
