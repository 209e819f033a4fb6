"""Request and response models of the API: each field and its limit declared once.

The API validates what clients send with these models (`aurion.api.operations`)
and builds its OpenAPI document from them (`aurion.api.openapi`); the services, the
dashboard's forms and templates, and the database columns read their limits from
here. One module per area; `fields` holds the building blocks they share.

Nothing here imports from Aurion above `aurion.config` and `aurion.problems`.
"""
