"""The asker's-register word list is learnt by a script, and the script reproduces it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from qa.lexicon import Lexicon
from qa.terms import key_terms, question_register

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_learning_script_reproduces_the_committed_list() -> None:
    run = subprocess.run(
        [sys.executable, str(ROOT / "eval" / "learn_question_register.py"), "--check"],
        capture_output=True, text=True, timeout=600, cwd=ROOT,
    )
    assert run.returncode == 0, run.stdout + run.stderr[-2000:]
    assert "reproduced" in run.stdout


def test_register_words_name_no_topic_and_no_plan_uses_them() -> None:
    """Every learnt word is absent from the corpus, so as a key term it could only lower
    coverage; in a question it still counts, as a soft word that is never an anchor."""
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "data" / "corpus").glob("*.txt"))]
    register = question_register()
    assert register and not any(word in text for word in register for text in texts)
    lexicon = Lexicon(texts)
    terms = {t.text: t for t in key_terms("五个区的文件里，一共有哪几个区提到了儿童早期发展？", "zh", lexicon)}
    assert "一共" in register and terms["一共"].soft and not terms["一共"].hard
    plain = {t.text: t for t in key_terms("五个区的文件里，一共有哪几个区提到了儿童早期发展？", "zh", lexicon, register=False)}
    assert not plain["一共"].soft
