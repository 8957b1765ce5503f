"""The Gradio Blocks UI: chat with clickable citations, a source panel, a district filter,
example questions, and a Documents tab with section trees and uploads."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from kernel.errors import PolicyQAError
from kernel.limits import MB
from surfaces import service
from surfaces.errors import classify
from surfaces.http.uploads import sanitize_filename
from surfaces.runtime import Runtime
from surfaces.service import DEFAULT_CONTEXT_CHARS
from surfaces.settings import UPLOAD_SUFFIXES, ServerSettings
from surfaces.ui import render
from surfaces.ui.assets import CHAT_JS

if TYPE_CHECKING:
    import gradio as gr

    from qa import PolicyQA

STARTING = "正在加载索引和模型，请稍后刷新页面。Loading the index and the model: reload the page in a moment."
PRIVATE = "private"  # gradio 6: hidden from the API page and from gradio_client (was api_name=False)

EXAMPLES = [
    "哪些区提出了2025年中医馆建设目标？",
    "家庭医生签约服务有哪些要求？",
    "Which districts mention hospice care?",
    "What does the plan say about elderly care and medical integration?",
]


def district_choices(qa: PolicyQA) -> list[str]:
    return sorted({d.district for d in qa.documents() if d.district})


class UiHandlers:
    """The UI's event handlers as plain methods over the engine, testable without a browser."""

    def __init__(self, runtime: Runtime, settings: ServerSettings) -> None:
        self.runtime = runtime
        self.settings = settings

    @property
    def qa(self) -> PolicyQA:
        """The engine; ``NotReadyError`` while the server is still loading it."""
        return self.runtime.engine()

    def refresh(self) -> tuple[str, Any]:
        """The documents list and the district choices, or a note while the index loads."""
        import gradio as gr

        if self.runtime.status != "ok":
            return render.source_placeholder(STARTING), gr.update(choices=[])
        return render.documents_html(self.qa.documents()), gr.update(choices=district_choices(self.qa))

    def ask(self, question: str, districts: Sequence[str] | None, turns: list[dict[str, Any]]) -> tuple[str, list, str]:
        """The chat: ask with the conversation so far; a mistake is a warning, the question stays."""
        import gradio as gr

        question = (question or "").strip()
        if not question:
            gr.Warning("请输入问题 / Please type a question.")
            return render.chat_html(turns), turns, ""
        history = [
            {"role": role, "content": text}
            for turn in turns
            for role, text in (("user", turn["question"]), ("assistant", turn["answer"]["answer"]))
        ]
        try:
            answer = service.ask(self.qa, question, districts=districts, history=history)
        except Exception as exc:  # a bad question, a server still starting, an engine failure
            gr.Warning(classify(exc).message)
            return render.chat_html(turns), turns, question
        turns = [*turns, {"question": question, "answer": answer.to_dict()}]
        return render.chat_html(turns), turns, ""

    def ask_api(
        self, question: str, districts: list[str] | None = None, history: list[dict[str, str]] | None = None
    ) -> dict[str, Any]:
        """Ask a question (Chinese or English); optional districts and earlier turns
        ({"role", "content"}). Returns the Answer: answer text with [n] markers, refused,
        citations (doc_id, start, end, quote, district, section) and passages."""
        return _api_call(lambda: service.ask(self.qa, question, districts=districts, history=history).to_dict())

    def document_span(self, doc_id: str, start: int, end: int, context: int = DEFAULT_CONTEXT_CHARS) -> dict[str, Any]:
        """The text of a document from start to end (a citation's offsets) with up to
        `context` characters either side and its section path."""
        return _api_call(lambda: service.document_span(self.qa, doc_id, start, end, context))

    def open_source(self, data: dict[str, Any]) -> str:
        """The source panel for a clicked [n] (the browser sends doc_id, start, end)."""
        try:
            start, end = int(data["start"]), int(data["end"])
        except (KeyError, TypeError, ValueError):
            return render.source_placeholder("无法打开引用：没有起止位置 / the citation has no offsets")
        try:
            span = service.document_span(self.qa, str(data.get("doc_id", "")), start, end)
        except Exception as exc:
            return render.source_placeholder(f"无法打开引用：{classify(exc).message}")
        return render.source_html(span)

    def upload(self, files: Sequence[str] | None, progress: Callable[..., Any]) -> str:
        if not files:
            return "请选择要上传的文件（.txt / .md / .docx / .pdf）。"
        tmp = Path(tempfile.mkdtemp(prefix="policyqa-ui-upload-"))
        try:
            paths = []
            for f in files:
                name = sanitize_filename(Path(f).name)
                if Path(name).suffix.lower() not in UPLOAD_SUFFIXES:
                    return f"不支持的文件类型：{name}（支持 {', '.join(UPLOAD_SUFFIXES)}）"
                if Path(f).stat().st_size > self.settings.limits.max_upload_bytes:
                    return f"文件过大：{name}"
                target = tmp / name
                shutil.copyfile(f, target)
                paths.append(target)
            doc_ids = self.qa.add_documents(paths, progress=lambda stage, frac: progress(frac, desc=str(stage)))
        except PolicyQAError as exc:
            return f"上传失败：{classify(exc).message}"
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        return "已加入索引 / indexed: " + ", ".join(f"`{d}`" for d in doc_ids)


T = TypeVar("T")


def _api_call(call: Callable[[], T]) -> T:
    """``call()``; a failure reaches gradio_client as ``AppError`` with the HTTP API's message."""
    import gradio as gr

    try:
        return call()
    except Exception as exc:
        raise gr.Error(classify(exc).message, print_exception=False) from None


def build_ui(runtime: Runtime, settings: ServerSettings) -> gr.Blocks:
    """The page; built before the engine is loaded, its documents and districts filled in when
    a browser opens it."""
    import gradio as gr

    h = UiHandlers(runtime, settings)
    with gr.Blocks(title="PolicyQA · 卫生健康规划问答", analytics_enabled=False) as demo:
        gr.Markdown("## PolicyQA · 卫生健康规划文件问答\n每个回答都标注 [n] 引用，点击即可查看原文句子。")
        with gr.Tab("问答 Chat"):
            with gr.Row(equal_height=False):
                with gr.Column(scale=3):
                    turns = gr.State([])
                    chat = gr.HTML(render.chat_html([]), elem_id="chat-log", js_on_load=CHAT_JS, autoscroll=True)
                    with gr.Row():
                        question = gr.Textbox(
                            placeholder="输入问题，回车发送 / Ask a question", show_label=False, scale=5,
                            max_lines=6, elem_id="question-box",
                        )
                        send = gr.Button("提问 Ask", variant="primary", scale=1, elem_id="ask-button")
                    districts = gr.Dropdown(
                        choices=[], multiselect=True, value=[],
                        label="按区筛选 District filter (空 = 全部)", elem_id="district-filter",
                    )
                    gr.Examples(examples=[[q] for q in EXAMPLES], inputs=[question], label="示例问题 Examples")
                    clear = gr.Button("清空对话 Clear", size="sm")
                with gr.Column(scale=2):
                    gr.Markdown("### 原文 Source")
                    source = gr.HTML(render.source_placeholder(), elem_id="source-panel", js_on_load=None)
        with gr.Tab("文件 Documents"):
            docs_html = gr.HTML(render.source_placeholder(STARTING), elem_id="documents-list", js_on_load=None)
            files = gr.File(
                label=f"上传文件 Upload (.txt .md .docx .pdf, ≤ {settings.limits.max_upload_bytes // MB} MB)",
                file_count="multiple",
                file_types=list(UPLOAD_SUFFIXES), elem_id="upload-box",
            )
            upload_btn = gr.Button("上传并建立索引 Upload & index", variant="primary", elem_id="upload-button")
            upload_status = gr.Markdown(elem_id="upload-status")

        # The page's own events are private (named ui_*, so the names programs use stay free):
        # a program sees only /ask, /upload and /document_span.
        ask_args = {"fn": h.ask, "inputs": [question, districts, turns], "outputs": [chat, turns, question],
                    "api_visibility": PRIVATE}
        send.click(**ask_args, api_name="ui_send")
        question.submit(**ask_args, api_name="ui_submit")
        clear.click(lambda: (render.chat_html([]), [], render.source_placeholder()), outputs=[chat, turns, source],
                    api_name="ui_clear", api_visibility=PRIVATE)

        def on_cite(evt: gr.EventData) -> str:
            return h.open_source(dict(evt._data or {}))

        # gradio finds the EventData parameter by its annotation; make it a real class, not a string
        on_cite.__annotations__ = {"evt": gr.EventData, "return": str}

        chat.click(on_cite, inputs=None, outputs=[source], api_name="ui_cite", api_visibility=PRIVATE)

        def upload(paths: list[str] | None, progress: gr.Progress = gr.Progress()) -> str:  # noqa: B008
            """Upload .txt/.md/.docx/.pdf files; they are ingested and indexed. Returns the status line."""
            return h.upload(paths, progress)

        upload_btn.click(upload, inputs=[files], outputs=[upload_status], api_name="upload").then(
            h.refresh, outputs=[docs_html, districts], api_name="ui_after_upload", api_visibility=PRIVATE
        )
        demo.load(h.refresh, outputs=[docs_html, districts], api_name="ui_load", api_visibility=PRIVATE)

        # Endpoints for programs (gradio_client): plain data in, the API's JSON out.
        gr.api(h.ask_api, api_name="ask")
        gr.api(h.document_span, api_name="document_span")
    return demo
