"""Figure modules for tools/make_figures.py: each defines FIGURES = {stem: draw function}."""
