"""The corpus generator (benchmarks/corpus.py) keeps working: a tiny corpus with every form and
every defect kind parses back to the values printed, and each injected defect's rule fires."""

from __future__ import annotations

from collections import Counter

from benchmarks.accuracy import measure
from benchmarks.corpus import DEFECTS, VARIANTS, generate


def test_tiny_corpus_round_trips_and_every_defect_is_found(tmp_path):
    truth = generate(tmp_path / "corpus", n=12, seed=3, rate=1.0)
    files = truth["files"].values()
    assert {(f["form"], f["variant"]) for f in files} == {(form, v) for form, vs in VARIANTS.items() for v in vs}
    assert set(Counter(d["kind"] for f in files for d in f["defects"])) == set(DEFECTS)

    result = measure(tmp_path / "corpus", tmp_path / "accuracy.db")

    assert sum(s.reports for s in result.forms.values()) == 12
    assert [w for s in result.forms.values() for w in s.wrong + s.identity_wrong] == []
    assert {rule: s.fns for rule, s in result.rules.items() if s.fns} == {}
    assert {rule: s.fps for rule, s in result.rules.items() if s.fps} == {}


def test_same_seed_same_corpus(tmp_path):
    first = generate(tmp_path / "a", n=4, seed=7, rate=0.5, forms=("text",))
    again = generate(tmp_path / "b", n=4, seed=7, rate=0.5, forms=("text",))
    assert first == again
    assert [p.read_bytes() for p in sorted((tmp_path / "a").glob("*.txt"))] == [
        p.read_bytes() for p in sorted((tmp_path / "b").glob("*.txt"))
    ]
