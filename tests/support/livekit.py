"""LiveKit as the tests configure it: keys that sign real tokens, a URL where no server answers."""

LIVEKIT = {"LIVEKIT_URL": "wss://lk.example.test", "LIVEKIT_API_KEY": "APIaurionTest", "LIVEKIT_API_SECRET": "s" * 43}
