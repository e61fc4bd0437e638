"""What it would take: paths to high-value per patent, risks, and projections."""

from ipscore.advise.advice import Advice, advise

__all__ = ["Advice", "advise"]
