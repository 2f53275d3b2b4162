"""Projections: feeds, the runner, the views, rebuilds.

Importing the package puts the compiled build of the hot modules in front of their sources
when it matches them (projections.compiled).
"""

from projections import compiled as _compiled

_compiled.install()
