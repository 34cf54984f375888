"""Every reading of a query name written in another script, for ``compare``.

The index holds a list name written in Arabic or Cyrillic script once per romanisation scheme
(``index.indexed_names``). ``compare`` gives its query the same treatment: a name in another
script is also compared as written in each further scheme (the first is how the name itself
is read), and the explanation says which reading met the candidate.
"""

from __future__ import annotations

from typing import Any

from screening.transliterate import detect_script, romanise

Query = str | dict[str, Any]


def with_readings(query: Query) -> tuple[Query, dict[str, str]]:
    """``query`` with the further romanisations of its names added as names of its own, and
    each added reading -> the name it was read from. A query without such names is returned
    as it is."""
    props: dict[str, Any] = (
        {"name": query} if isinstance(query, str) else dict(query.get("properties", query))
    )
    raw = props.get("name")
    names = [str(n) for n in (raw if isinstance(raw, list | tuple) else [raw]) if n]
    readings: dict[str, str] = {}
    for name in names:
        if detect_script(name) not in ("Latin", "Common"):
            for form in romanise(name)[1:]:
                readings.setdefault(form, name)
    if not readings:
        return query, {}
    props["name"] = [*names, *(r for r in readings if r not in names)]
    if isinstance(query, str):
        return props, readings
    if "properties" in query:
        return {**query, "properties": props}, readings
    return props, readings


def explained(explanation: str, readings: dict[str, str]) -> str:
    """The explanation of a hit met through an added reading names the query's own name."""
    for reading, name in readings.items():
        opening = f"Query name '{reading}' "
        if explanation.startswith(opening):
            return f"Query name '{name}' (read as '{reading}') " + explanation[len(opening):]
    return explanation
