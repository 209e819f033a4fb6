"""The engines below the services: the broker that fans frames out to sockets (and the
frames themselves), the search index with its embedding model, and the rate budget.

They know nothing of requests, views or use cases; services and the agent drive them.
"""
