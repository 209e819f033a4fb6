"""Live delivery to widgets: the WebSocket and the broker that fans frames out."""
