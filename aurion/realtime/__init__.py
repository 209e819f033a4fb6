"""Live delivery to widgets: the WebSocket (`socket`) and the broker that fans frames out (`broker`)."""
