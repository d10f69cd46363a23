"""app.search.kept.Kept bounds what a search process keeps: the memory of every gunicorn worker depends on it."""

from app.search.kept import Kept


def test_the_least_recently_used_go_first_once_the_budget_is_passed():
    kept = Kept(budget=10)
    kept["a"], kept["b"] = [1] * 4, [2] * 4
    assert kept.get("a") == [1] * 4  # used: "b" is now the oldest
    kept["c"] = [3] * 4
    assert kept.get("b") is None and kept.get("a") and kept.get("c")
    assert kept.held == 8


def test_a_value_over_the_budget_alone_is_still_kept_and_replacing_a_key_counts_once():
    kept = Kept(budget=3)
    kept["big"] = [0] * 5
    assert kept.get("big") == [0] * 5 and kept.held == 5
    kept["big"] = [0] * 2
    assert kept.held == 2


def test_a_size_bounds_the_entries_and_weigh_says_what_counts():
    kept = Kept(size=2, weigh=lambda found: found[0])
    kept["a"], kept["b"], kept["c"] = (1,), (2,), (3,)
    assert kept.get("a") is None and kept.held == 5
    kept.clear()
    assert kept.get("b") is None and kept.held == 0
