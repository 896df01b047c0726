"""Task helpers the notebooks share: named entities (``ner``), extractive QA (``qa``), summaries.

They run a model on a task and score it, on the data sets ``course_utils.data`` reads, in the
input formats of ``course_utils.task_formats`` that the offline stand-ins were trained in. The zoo
imports none of these modules, so editing a helper rebuilds no model.
"""
