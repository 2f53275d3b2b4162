"""Score rows written once in a staged rebuild of both the scores and the indicators view.

The indicators view keeps its own copy of the score rows (so that it rebuilds and swaps on
its own): ScoreRows under the same model book, in other tables, hence the very same rows.
When a staged rebuild applies both, the indicators view skips them (`score_rows=False`)
and the load fills `ind_points` inside PostgreSQL from the loaded `score_contribution`.
Its subjects table (`ind_score`) it still keeps, for the kinds its counters need.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

from projections.view import View

# (view, table) -> (view, table) it equals.
TWINS = {("indicators", "ind_points"): ("scores", "score_contribution")}


def twinned(targets: Sequence[View]) -> bool:
    """Both registered views are rebuilt, under the same model book."""
    from projections.views import indicators, scores

    return (indicators.VIEW in targets and scores.VIEW in targets
            and indicators.VIEW.scores.book is scores.VIEW.rows.book)


def stage_view(view: View, twins: bool) -> View:
    """The view to apply in the stage: the indicators view without its score rows if twins."""
    from projections.views import indicators

    if twins and view is indicators.VIEW:
        variant = indicators.IndicatorsView(indicators.VIEW.scores.book, score_rows=False)
        return cast(View, variant)  # a View as VIEW is (its `indexes` is a list)
    return view
