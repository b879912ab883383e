"""One module per YAML service: ``build(ctx, root)`` maps a document's TLS
sections onto endpoints (tlslint.model.TlsEndpoint)."""
