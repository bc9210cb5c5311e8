"""The PHI guard against the labelled corpus: recall and precision per kind of identifier.

Run with the project's Python: ``python bench/phi_corpus.py``. The corpus (tests/data/phi_corpus.toml)
holds realistic QI sentences with and without patient identifiers. PASS needs recall 100% (no
identifier missed) and overall precision of at least 95%. Exits 1 on FAIL. The scan time per
sentence is printed against a plain `str.split` of the same sentences, the cheapest pass over the
text there is.
"""

from __future__ import annotations

import sys
import time
import tomllib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.core.phi import KINDS, scan  # noqa: E402

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "data" / "phi_corpus.toml"


@dataclass
class Score:
    cases: int
    tp: Counter[str]
    fp: Counter[str]
    fn: Counter[str]
    misses: list[str]

    @property
    def precision(self) -> float:
        found = sum(self.tp.values()) + sum(self.fp.values())
        return sum(self.tp.values()) / found if found else 1.0

    @property
    def recall(self) -> float:
        labelled = sum(self.tp.values()) + sum(self.fn.values())
        return sum(self.tp.values()) / labelled if labelled else 1.0

    def table(self) -> str:
        def ratio(num: int, den: int) -> str:
            return f"{num / den:.0%}" if den else "-"

        lines = [f"PHI corpus: {self.cases} cases",
                 f"  {'kind':<14}{'TP':>4}{'FP':>4}{'FN':>4}{'precision':>11}{'recall':>8}"]
        for kind in KINDS:
            tp, fp, fn = self.tp[kind], self.fp[kind], self.fn[kind]
            lines.append(f"  {kind:<14}{tp:>4}{fp:>4}{fn:>4}{ratio(tp, tp + fp):>11}{ratio(tp, tp + fn):>8}")
        lines.append(f"  overall: recall {self.recall:.1%}, precision {self.precision:.1%}")
        return "\n".join(lines + self.misses)


def load_corpus() -> tuple[list[dict], list[str]]:
    corpus = tomllib.loads(CORPUS.read_text(encoding="utf-8"))
    return corpus["case"], corpus["staff_domains"]


def score(cases: list[dict], staff_domains: list[str]) -> Score:
    result = Score(len(cases), Counter(), Counter(), Counter(), [])
    for case in cases:
        labelled = set(case["kinds"])
        hits = scan(case["text"], staff_domains)
        for hit in hits:
            (result.tp if hit.kind in labelled else result.fp)[hit.kind] += 1
        found = {hit.kind for hit in hits}
        for kind in labelled - found:
            result.fn[kind] += 1
        if found != labelled:
            result.misses.append(f"  expected {sorted(labelled)}, found {sorted(found)}: {case['text']}")
    return result


def main() -> int:
    cases, staff = load_corpus()
    result = score(cases, staff)
    print(result.table())
    texts = [case["text"] for case in cases] * 20
    start = time.perf_counter()
    for text in texts:
        text.split()
    baseline = time.perf_counter() - start
    start = time.perf_counter()
    for text in texts:
        scan(text, staff)
    scanning = time.perf_counter() - start
    print(f"  scan: {scanning / len(texts) * 1e6:.0f} µs per sentence, {scanning / baseline:.0f}x a str.split")
    ok = result.recall == 1.0 and result.precision >= 0.95
    print("PASS" if ok else "FAIL: recall must be 100% and precision at least 95%")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
