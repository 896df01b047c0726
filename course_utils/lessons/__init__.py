"""The code the notebooks teach, exported from their cells by ``make export``.

Each module here is generated from the cells tagged ``export`` in one notebook (its first line
says which): edit the notebook, run ``make export``, and ``tests/test_exports.py`` keeps the two
equal. Lesson code is kept as thin as the textbook it is: short ``assert``s and the libraries'
own errors, no input-checking machinery. Infrastructure (``setup()``, the zoo, the Hub, the chat
backends) never imports from here, so editing a lesson rebuilds no offline model.
"""
