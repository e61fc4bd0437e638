"""ipscore: rules-as-code for Chinese intellectual-property policy."""

__version__ = "0.1.0"
