"""pilot: explore the cities of China's pilot programme for opening up services."""

__version__ = "0.1.0"
