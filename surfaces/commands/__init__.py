"""The command-line surfaces: ``policyqa ask`` and ``policyqa answer`` (``serve`` is ``app.py``,
``mcp`` is ``surfaces.mcp.command``)."""
