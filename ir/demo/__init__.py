"""A fictional university and its research output, for ``make demo`` and for the benchmarks.

``generate(out_dir)`` writes the institution's dictionaries (organisations, people, journal lists), export
files from Web of Science, Engineering Village and CNKI with the noise real exports carry, and the truth
behind them (which work and which person each record and byline position really is)::

    from ir.demo import generate
    summary = generate(Path("var/demo"), works=300, people=200, seed=7)

The same seed gives byte-identical files. See :mod:`ir.demo.institution`, :mod:`ir.demo.works` and
:mod:`ir.demo.exports` for what is generated and how.
"""

from ir.demo.build import DEFAULT_PEOPLE, DEFAULT_SEED, DEFAULT_WORKS, GeneratedSummary, generate, write_dictionaries

__all__ = ["DEFAULT_PEOPLE", "DEFAULT_SEED", "DEFAULT_WORKS", "GeneratedSummary", "generate", "write_dictionaries"]
