"""Ready-to-paste code that mints a visitor's email token, as the dashboard and README show it.

The widget id and identity secret come from environment variables so that the secret
never lands in source code; the dashboard shows the values to set beside the code.
A test checks that README.md carries these same examples.
"""

PYTHON = '''import base64, hashlib, hmac, json, os, time

def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

def mint_email_token(widget_id: str, identity_secret: str, email: str, ttl: int = 600) -> str:
    payload = b64url(json.dumps({"wid": widget_id, "email": email, "exp": int(time.time()) + ttl}).encode())
    signature = hmac.new(identity_secret.encode(), payload.encode(), hashlib.sha256).digest()
    return payload + "." + b64url(signature)

print(mint_email_token(os.environ["AURION_WIDGET_ID"], os.environ["AURION_IDENTITY_SECRET"], "jane@example.com"))
'''

NODE = '''const crypto = require("crypto");

function mintEmailToken(widgetId, identitySecret, email, ttl = 600) {
  const claims = { wid: widgetId, email, exp: Math.floor(Date.now() / 1000) + ttl };
  const payload = Buffer.from(JSON.stringify(claims)).toString("base64url");
  const signature = crypto.createHmac("sha256", identitySecret).update(payload).digest("base64url");
  return `${payload}.${signature}`;
}

console.log(mintEmailToken(process.env.AURION_WIDGET_ID, process.env.AURION_IDENTITY_SECRET, "jane@example.com"));
'''

PHP = '''<?php
function b64url(string $raw): string { return rtrim(strtr(base64_encode($raw), '+/', '-_'), '='); }

function mint_email_token(string $widgetId, string $identitySecret, string $email, int $ttl = 600): string {
    $payload = b64url(json_encode(['wid' => $widgetId, 'email' => $email, 'exp' => time() + $ttl]));
    return $payload . '.' . b64url(hash_hmac('sha256', $payload, $identitySecret, true));
}

echo mint_email_token(getenv('AURION_WIDGET_ID'), getenv('AURION_IDENTITY_SECRET'), 'jane@example.com'), "\\n";
'''

# (label, README marker, code), in the order the dashboard shows them.
EXAMPLES = (
    ("Python", "email-token-python", PYTHON),
    ("Node.js", "email-token-node", NODE),
    ("PHP", "email-token-php", PHP),
)
