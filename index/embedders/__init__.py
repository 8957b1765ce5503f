"""Embedding backends behind one ``Embedder`` protocol, chosen by a spec string."""

from index.embedders.base import Embedder, Role
from index.embedders.factory import available_specs, embedder_from_id, make_embedder

__all__ = ["Embedder", "Role", "available_specs", "embedder_from_id", "make_embedder"]
