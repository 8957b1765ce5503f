"""The shared kernel every stage speaks: the types (documents, units, citations, answers), the
error hierarchy, the limits, and the offline setup each entry point calls first.

``kernel`` imports nothing heavy and has no side effects: ``go_offline()`` is called explicitly
by each entry point (the ``policyqa`` command, ``app.py``, the test session, the scripts).
"""
