"""Item pipelines, one module per stage: normalize, extract, language, dedup, classify, store."""
