"""Live coaching over a WebSocket: the binary landmark protocol and the per-connection session."""
