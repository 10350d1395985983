"""The currencies Tropa records amounts in (support given and received).

Here rather than in ``cases``: an organization's default currency (``accounts``) names
them too, and ``accounts`` comes before ``cases``.
"""

from django.db import models


class Currency(models.TextChoices):
    KZT = "KZT", "KZT ₸"
    AMD = "AMD", "AMD ֏"
    GEL = "GEL", "GEL ₾"
    RUB = "RUB", "RUB ₽"
    EUR = "EUR", "EUR €"
    USD = "USD", "USD $"
