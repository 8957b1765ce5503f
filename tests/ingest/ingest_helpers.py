"""Ingest test helpers: corpus paths, a text-layer PDF built by hand, a .docx with a table."""

from __future__ import annotations

from pathlib import Path


def minimal_pdf(lines: list[str]) -> bytes:
    """A valid one-page PDF whose text layer holds ``lines`` (ASCII, Helvetica)."""
    ops = ["BT", "/F1 12 Tf", "72 720 Td", "14 TL"]
    for line in lines:
        escaped = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        ops.append(f"({escaped}) Tj T*")
    ops.append("ET")
    stream = "\n".join(ops).encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def write_docx(path: Path) -> Path:
    """A Word file: title, headings, a body paragraph, a 序号 table, then a closing paragraph."""
    import docx

    document = docx.Document()
    document.add_paragraph("测试区卫生健康工作方案")
    document.add_paragraph("一、总体要求")
    document.add_paragraph("到2025年，建成社区卫生服务中心5家。加强人才队伍建设；提升服务能力。")
    document.add_paragraph("主要指标表")
    table = document.add_table(rows=3, cols=4)
    for r, values in enumerate(
        [
            ("序号", "指标", "目标值", "责任部门"),
            ("1", "千人口医师数", "≥3.5", "区卫健委"),
            ("2", "床位数", "1200", "区财政局"),
        ]
    ):
        for c, value in enumerate(values):
            table.cell(r, c).text = value
    document.add_paragraph("二、保障措施")
    document.add_paragraph("加强组织领导。")
    document.save(path)
    return path


CORPUS = Path(__file__).resolve().parents[2] / "data" / "corpus"
CHANGNING = "changning-2023-health-development-action-plan"


def corpus_file(doc_id: str) -> Path:
    return CORPUS / f"{doc_id}.txt"
