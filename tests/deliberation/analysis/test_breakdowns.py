"""Public breakdowns by actor type: no group below the minimum can be read, on its own or by subtracting
the shown groups from the total."""

from deliberation.analysis.breakdowns import OTHER, make_up_fold, tallies_fold


def tally(agree=0, disagree=0, passed=0):
    return {"agree": agree, "disagree": disagree, "pass": passed}


def test_small_types_are_counted_together_and_large_ones_shown():
    folded = tallies_fold(
        {"citizen": tally(agree=4), "minister": tally(disagree=1), "academia": tally(agree=1, passed=1)},
        minimum=3,
    )
    assert folded == {"citizen": tally(agree=4), OTHER: tally(agree=1, disagree=1, passed=1)}


def test_a_small_remainder_takes_the_smallest_shown_type_so_subtraction_reveals_nobody():
    # "other" would be the minister alone, and total - citizens - academia would give their answer.
    folded = tallies_fold(
        {"citizen": tally(agree=5), "academia": tally(agree=3), "minister": tally(disagree=1)}, minimum=3
    )
    assert folded == {"citizen": tally(agree=5), OTHER: tally(agree=3, disagree=1)}


def test_too_few_answers_in_all_give_no_breakdown():
    assert tallies_fold({"minister": tally(agree=1), "citizen": tally(disagree=1)}, minimum=3) == {}


def test_opinion_group_make_up_folds_by_the_types_size_over_the_whole_map():
    folded = make_up_fold({0: {"citizen": 3, "minister": 1}, 1: {"citizen": 1, "academia": 2}}, minimum=3)
    assert folded == {0: {"citizen": 3, OTHER: 1}, 1: {"citizen": 1, OTHER: 2}}
