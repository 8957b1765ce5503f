"""Learn the words people ask with that no plan uses, from the tune halves of the blind rounds.

    python eval/learn_question_register.py [--round blind-r1 ...] [--check]

"一共", "到底", "听说", "给出", "这块": a question is worded in the asker's register, the plans
in officialese. Such a word can never be found in the evidence, so as a key term it only
lowers every coverage alike, and through the thesaurus it can even match a wrong sentence
(一共 → 累计). Which words these are is learnt here, not listed by hand: a word of a Chinese
question (as ``qa.terms.key_terms`` cuts it) that

- no sentence of the corpus contains, in exactly that form;
- occurs in at least ``MIN_ANSWERABLE`` answerable questions, written in at least
  ``MIN_ROUNDS`` different rounds (different writers), so no single question decides;
- occurs in unanswerable questions at most half as often as in answerable ones (报销, 挂号费
  are what unanswerable questions ask about: a topic the plans lack, not a way of asking);
- says no topic: not a noun, or a noun the thesaurus links to no word of the plans (名字,
  口径; 大夫 is kept, since the plans say 医生).

The list is written to ``qa/question_register.tsv`` with the counts behind each word, and
``qa.terms`` drops its words from the key terms. ``--check`` relearns and fails unless the
committed list is reproduced. Only the tune halves are read; the test halves stay unseen.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from eval.bench_split import read_items, round_files, select  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
REGISTER_PATH = ROOT / "qa" / "question_register.tsv"
CORPUS_DIR = ROOT / "data" / "corpus"  # the five plans, not whatever a machine has uploaded
DEFAULT_ROUNDS = ("blind-r1", "blind-r2", "blind-r3", "blind-r4", "blind-r5")
MIN_ANSWERABLE = 2
MIN_ROUNDS = 2


def learn(rounds: tuple[str, ...]) -> list[tuple[str, int, int, int]]:
    """(word, answerable questions, unanswerable questions, rounds) for each learnt word."""
    from ingest.pipeline import load_corpus
    from qa.analysis import analyze
    from qa.lexicon import Lexicon, TextSet
    from qa.terms import key_terms, names_a_thing

    documents = load_corpus(CORPUS_DIR)
    texts = [f"{u.text} {u.context}" for doc in documents for u in (*doc.sentences, *doc.table_rows)]
    lexicon, text_set = Lexicon(texts), TextSet(texts)
    known = list(dict.fromkeys(d.district for d in documents if d.district))
    answerable: Counter[str] = Counter()
    unanswerable: Counter[str] = Counter()
    seen_in: defaultdict[str, set[str]] = defaultdict(set)
    for name in rounds:
        for item in select(read_items(round_files(name)), "tune"):
            asked = [item["question"], *(t["content"] for t in item.get("history", ()) if t["role"] == "user")]
            words: set[str] = set()
            for question in asked:
                analysis = analyze(question, known)
                if analysis.lang != "zh":
                    continue
                terms = key_terms(analysis.question, "zh", lexicon, analysis.places, register=False)
                words.update(t.text for t in terms if not text_set.containing(t.text))
            for word in words:
                (unanswerable if item["type"] == "unanswerable" else answerable)[word] += 1
                seen_in[word].add(name)
    learnt = []
    for word in sorted(answerable, key=lambda w: (-answerable[w], w)):
        if answerable[word] < MIN_ANSWERABLE or len(seen_in[word]) < MIN_ROUNDS:
            continue
        if 2 * unanswerable[word] > answerable[word]:
            continue
        if names_a_thing(word) and lexicon.variants(word):
            continue
        learnt.append((word, answerable[word], unanswerable[word], len(seen_in[word])))
    return learnt


def render(learnt: list[tuple[str, int, int, int]], rounds: tuple[str, ...]) -> str:
    head = (
        "# Words of the asker's register that no plan uses: dropped from questions' key terms.\n"
        f"# Learnt by eval/learn_question_register.py from the tune halves of {', '.join(rounds)}.\n"
        "# word\tanswerable questions\tunanswerable questions\trounds\n"
    )
    return head + "".join(f"{w}\t{a}\t{u}\t{r}\n" for w, a, u, r in learnt)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--round", action="append", dest="rounds", help="blind round folder (repeatable)")
    parser.add_argument("--check", action="store_true", help="fail unless the committed list is reproduced")
    args = parser.parse_args(argv)
    rounds = tuple(args.rounds or DEFAULT_ROUNDS)
    text = render(learn(rounds), rounds)
    if args.check:
        committed = REGISTER_PATH.read_text(encoding="utf-8") if REGISTER_PATH.exists() else ""
        if committed != text:
            print(f"{REGISTER_PATH} is not what the script learns now; rerun without --check", file=sys.stderr)
            return 1
        print(f"{REGISTER_PATH}: reproduced")
        return 0
    tmp = REGISTER_PATH.with_suffix(".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(REGISTER_PATH)
    print(f"wrote {REGISTER_PATH}: {text.count(chr(10)) - 3} words")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
