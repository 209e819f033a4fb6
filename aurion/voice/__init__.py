"""Voice: the visitor talks, the same agent as chat answers aloud.

`pipeline.VoiceCall` is the one pipeline (speech detection, recognition, the agent,
synthesis, barge-in); `engines` picks recognition and synthesis; transports are the
embedded voice socket (`aurion.api.voice_socket`) and the LiveKit worker
(`livekit_worker`).
"""
