"""Theme, CSS and the one piece of browser JavaScript the UI needs. No external resources:
system fonts only, so the page renders fully offline."""

from __future__ import annotations

SYSTEM_FONTS = [
    "system-ui", "-apple-system", "Segoe UI", "Noto Sans CJK SC", "Noto Sans SC", "PingFang SC",
    "Microsoft YaHei", "WenQuanYi Micro Hei", "Helvetica Neue", "Arial", "sans-serif",
]
MONO_FONTS = ["ui-monospace", "SFMono-Regular", "Menlo", "Consolas", "DejaVu Sans Mono", "monospace"]


def theme():  # type: ignore[no-untyped-def]
    import gradio as gr

    return gr.themes.Default(primary_hue="blue", neutral_hue="slate", font=SYSTEM_FONTS, font_mono=MONO_FONTS)


# Clicking a [n] button (or a related passage) asks the server for that span; delegated to the
# chat element so it keeps working as the chat re-renders.
CHAT_JS = """
element.addEventListener('click', (event) => {
  const btn = event.target.closest('button.cite');
  if (!btn || !element.contains(btn)) return;
  event.preventDefault();
  element.querySelectorAll('button.cite.active').forEach((b) => b.classList.remove('active'));
  btn.classList.add('active');
  trigger('click', {doc_id: btn.dataset.doc, start: Number(btn.dataset.start),
                    end: Number(btn.dataset.end), n: Number(btn.dataset.n || 0)});
});
// When a new turn arrives, scroll the chat so the start of the newest turn is in view.
const scroller = element.closest('#chat-log') || element;
let turns = 0;
new MutationObserver(() => {
  const all = element.querySelectorAll('.turn');
  if (all.length === turns) return;
  turns = all.length;
  const last = all[all.length - 1];
  if (last) scroller.scrollTop += last.getBoundingClientRect().top - scroller.getBoundingClientRect().top - 8;
}).observe(element, {childList: true, subtree: true});
"""

CSS = """
#chat-log { min-height: 420px; max-height: 620px; overflow-y: auto !important; padding: 8px; }
#chat-log .chat-empty, #source-panel .source-empty { color: var(--body-text-color-subdued); padding: 24px 8px; }
#chat-log .turn { margin-bottom: 18px; }
#chat-log .msg.user { display: flex; justify-content: flex-end; margin-bottom: 6px; }
#chat-log .msg.user .bubble { background: var(--color-accent-soft); border-radius: 12px; padding: 8px 12px;
  max-width: 85%; white-space: pre-wrap; }
#chat-log .msg.bot { border: 1px solid var(--border-color-primary); border-radius: 12px; padding: 10px 14px;
  background: var(--background-fill-secondary); }
#chat-log .answer-text { white-space: pre-wrap; line-height: 1.7; }
#chat-log button.cite { display: inline; border: none; background: var(--color-accent-soft);
  color: var(--color-accent); font-weight: 600; border-radius: 4px; padding: 0 3px; margin: 0 1px;
  cursor: pointer; font-size: 0.9em; }
#chat-log button.cite:hover, #chat-log button.cite.active { background: var(--color-accent); color: white; }
#chat-log ol.sources, #chat-log ul.related { margin: 10px 0 0; padding-left: 4px; list-style: none;
  font-size: 0.88em; border-top: 1px dashed var(--border-color-primary); padding-top: 6px; }
#chat-log ol.sources li, #chat-log ul.related li { margin: 4px 0; }
#chat-log .where { color: var(--body-text-color-subdued); }
#chat-log .quote { color: var(--body-text-color); opacity: 0.85; margin: 2px 0 0 2.2em; white-space: pre-wrap; }
#chat-log .turn.refused .msg.bot { border: 2px dashed #d97706; background: rgba(217, 119, 6, 0.07); }
#chat-log .refusal-badge { display: inline-block; background: #d97706; color: white; font-weight: 700;
  border-radius: 999px; padding: 1px 10px; margin-bottom: 6px; font-size: 0.85em; }
#chat-log .related-title { margin-top: 8px; font-weight: 600; font-size: 0.88em; }
#chat-log .error { color: #b91c1c; margin: 4px 0 14px; }
#source-panel { max-height: 680px; overflow-y: auto !important; }
#source-panel .source-title { font-weight: 700; font-size: 1.02em; margin-bottom: 2px; }
#source-panel .district { background: var(--color-accent-soft); color: var(--color-accent); border-radius: 4px;
  padding: 0 6px; margin-right: 6px; font-size: 0.85em; }
#source-panel .source-meta { color: var(--body-text-color-subdued); font-size: 0.8em; }
#source-panel .source-path { margin: 8px 0; padding: 4px 8px; border-left: 3px solid var(--color-accent);
  font-size: 0.9em; }
#source-panel .source-text { white-space: pre-wrap; line-height: 1.75; font-size: 0.95em; }
#source-panel mark.cited { background: #fde68a; color: #111827; padding: 1px 0; border-radius: 2px;
  box-shadow: 0 0 0 2px #f59e0b; }
#documents-list details.doc { border: 1px solid var(--border-color-primary); border-radius: 8px;
  padding: 6px 10px; margin-bottom: 8px; }
#documents-list summary { cursor: pointer; }
#documents-list .doc-title { font-weight: 600; margin-right: 8px; }
#documents-list .doc-meta { color: var(--body-text-color-subdued); font-size: 0.85em; }
#documents-list .tree ul { margin: 2px 0 2px 1.1em; padding: 0; list-style: disc; }
"""
