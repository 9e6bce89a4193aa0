"""The management system itself (ISO/IEC 42001 clauses 4 to 10): context, documents, reviews, ..."""
