"""The ways in: everything that turns a request into a call on ``qa.PolicyQA`` and its answer
back into a reply. The HTTP API (``http``), the OpenAI-compatible API (``openai_compat``), the
MCP tools (``mcp``), the Gradio UI (``ui``), the LangChain retriever and the surfaces' commands
(``cli``, ``commands``) all call the engine through ``service``, map failures through
``errors.classify``, and write citations as text through ``citations``; ``runtime`` holds the
engine a server serves and whether it is ready; ``settings`` is the server's configuration.
"""
