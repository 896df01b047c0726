"""Product reviews for the classification part of notebook 04 (``data/reviews``).

The seeds ask learners to classify "actual reviews from the internet". Copying real reviews
raises licence and privacy questions, so the course ships 48 reviews it wrote itself, in the
style of an online shop, and never trains on them: they only evaluate.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from course_utils.data import SENTIMENT_LABELS
from course_utils.paths import data_dir

REVIEWS_FILE = "reviews/product_reviews.csv"


@dataclass(frozen=True)
class Review:
    product: str
    stars: int  # 1-5, as the reviewer rated it
    text: str
    label: int  # 0 = NEGATIVE, 1 = POSITIVE (the SST-2 model's ids)

    @property
    def label_name(self) -> str:
        return SENTIMENT_LABELS[self.label]


def load(root: Path | None = None) -> list[Review]:
    """All 48 reviews, balanced, one positive and one negative review per product."""
    with open((root or data_dir()) / REVIEWS_FILE, newline="", encoding="utf-8") as handle:
        return [
            Review(row["product"], int(row["stars"]), row["text"], int(row["label"] == "positive"))
            for row in csv.DictReader(handle)
        ]
