"""The differences between a version and the one before: a pure function, no database."""

from datetime import date

from recovery_plans.diff import ADDED, CHANGED, REMOVED, ActionData, GoalData, PlanData, diff_versions

FLAT = GoalData("housing", "Find my own flat", (ActionData("Call the council housing team", "Me", date(2026, 3, 1)),))
DRINK = GoalData("substance_use", "Drink less on weekdays", (ActionData("Keep a drink diary", "Me"),))


def test_the_same_plan_has_no_differences():
    plan = PlanData("I want my kids back", (FLAT, DRINK), ("Prescribing",))
    assert diff_versions(plan, plan).is_empty


def test_a_first_version_is_all_additions():
    diff = diff_versions(None, PlanData("Words", (FLAT,)))
    assert [g.kind for g in diff.goals] == [ADDED]
    assert [a.kind for a in diff.goals[0].actions] == [ADDED]
    assert diff.own_words_changed


def test_goals_added_and_removed():
    job = GoalData("ete", "Start a college course", ())
    diff = diff_versions(PlanData(goals=(FLAT, DRINK)), PlanData(goals=(FLAT, job)))
    assert [(g.kind, g.goal.text) for g in diff.goals] == [(ADDED, job.text), (REMOVED, DRINK.text)]
    assert diff.counts == {ADDED: 1, REMOVED: 1, CHANGED: 0}


def test_a_reworded_goal_is_a_change_not_a_removal_and_an_addition():
    reworded = GoalData("housing", "Find my own flat near my kids", FLAT.actions)
    diff = diff_versions(PlanData(goals=(FLAT,)), PlanData(goals=(reworded,)))
    assert [(g.kind, g.fields) for g in diff.goals] == [(CHANGED, ("text",))]
    assert diff.goals[0].before.text == "Find my own flat"


def test_a_goal_moved_to_another_domain_is_a_change_of_domain():
    moved = GoalData("family", FLAT.text, FLAT.actions)
    diff = diff_versions(PlanData(goals=(FLAT,)), PlanData(goals=(moved,)))
    assert [(g.kind, g.fields) for g in diff.goals] == [(CHANGED, ("domain",))]
    assert diff.goals[0].domain_label == "Family and relationships"


def test_action_changes_name_the_fields_that_changed():
    done = ActionData("Call the council housing team", "Keyworker", date(2026, 3, 1), "done")
    extra = ActionData("Open a bank account", "Me")
    after = GoalData("housing", FLAT.text, (done, extra))
    diff = diff_versions(PlanData(goals=(FLAT,)), PlanData(goals=(after,)))
    (goal,) = diff.goals
    assert goal.kind == CHANGED
    assert goal.fields == ()
    assert [(a.kind, a.fields) for a in goal.actions] == [(CHANGED, ("who", "status")), (ADDED, ())]


def test_an_unrelated_goal_in_the_same_domain_is_not_paired():
    other = GoalData("housing", "Pay off rent arrears", ())
    diff = diff_versions(PlanData(goals=(FLAT,)), PlanData(goals=(other,)))
    assert sorted(g.kind for g in diff.goals) == [ADDED, REMOVED]
    removed = next(g for g in diff.goals if g.kind == REMOVED)
    assert [a.kind for a in removed.actions] == [REMOVED]


def test_planned_modalities_added_and_removed():
    diff = diff_versions(PlanData(modalities=("Prescribing", "Mutual aid")), PlanData(modalities=("CBT", "Mutual aid")))
    assert diff.modalities_added == ("CBT",)
    assert diff.modalities_removed == ("Prescribing",)
    assert not diff.own_words_changed


def test_duplicate_goals_pair_one_to_one():
    diff = diff_versions(PlanData(goals=(FLAT, FLAT)), PlanData(goals=(FLAT,)))
    assert [g.kind for g in diff.goals] == [REMOVED]
