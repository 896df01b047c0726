"""One module per offline stand-in; each defines ``RECIPE`` (see ``course_utils.zoo.recipe``)."""
