"""The one agent that answers visitors, in chat and in voice.

`turn.answer_visitor` runs a turn: it reads the conversation, retrieves from the
knowledge base, lets a backend write the reply (the built-in knowledge-base agent,
or an OpenAI-compatible model), streams it and stores it.
"""
