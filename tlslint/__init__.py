"""tlslint: lint and fix TLS server configurations and the files they name."""

__version__ = "0.1.0"
