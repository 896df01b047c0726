"""Task helpers the encoder notebooks share: named entities (``ner``) and extractive QA (``qa``).

Each module keeps one task's data loader, its input/label conventions, its inference helper
and its score together, so the notebooks, the offline stand-ins and the tests use one
definition of the task.
"""
