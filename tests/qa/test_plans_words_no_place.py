"""A district's short name inside the plans' own word names no place, wherever qa/ looks for
districts: the citation check of a generated answer reads them through the same finder as the
question's analysis (``ingest.regions.district_mentions``) with the plans' word table.

Real documents (the five plans, the 昆明市五华区 test plan) and the real word table.
"""

from __future__ import annotations

from pathlib import Path

from ingest import load_corpus, settings
from qa.generator import SourceSentence
from qa.grounding import ground_generated
from qa.lexicon import Lexicon

WUHUA = Path(__file__).resolve().parent.parent / "fixtures" / "regions" / "wuhua-2025-health-work-plan.txt"
CHANGNING = "changning-2023-health-development-action-plan"


def test_a_generated_clause_on_hospice_care_is_not_read_as_naming_anning() -> None:
    docs = {d.doc_id: d for d in [*load_corpus(settings.corpus_dir()), *load_corpus(WUHUA.parent)]}
    assert docs["wuhua-2025-health-work-plan"].district == "五华区"  # 昆明市: 安宁(市) is its sibling
    lexicon = Lexicon([d.text for d in docs.values()])
    plan = docs[CHANGNING]
    sentence = next(s for s in plan.sentences if "安宁疗护服务网络" in s.text)
    source = SourceSentence(1, CHANGNING, sentence.start, sentence.end, sentence.text, "长宁区")
    reply = "将建成安宁疗护服务网络，提升安宁疗护服务质量[1]。"

    kept = ground_generated(reply, [source], docs, lexicon)
    assert kept.kept == 1 and kept.dropped == () and kept.citations[0].doc_id == CHANGNING, kept
    # read without the plans' words, 安宁疗护 names 昆明市安宁市, which the cited plan is not about
    dropped = ground_generated(reply, [source], docs)
    assert dropped.kept == 0 and "names 安宁市" in dropped.reasons[0], dropped
