"""The Milvus store: one collection per index generation, reached through an alias.

Dense vectors and BM25 (Milvus's own, over a jieba-analysed text field) are fused by
Milvus's hybrid search with RRF; districts and documents are scalar filters. ``pymilvus``
is imported only when this store is used (``pip install 'policyqa[milvus]'``).
"""
