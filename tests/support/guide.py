"""Run the public guide's curl requests exactly as written, with the host replaced."""

import json
import subprocess
from dataclasses import dataclass

GUIDE_HOST = "https://apps.aurionai.net"


@dataclass
class CurlResult:
    status: int
    body: str

    def json(self):
        return json.loads(self.body)


def run_guide_request(
    command: str, base_url: str, replacements: dict[str, str] | None = None, cwd: str | None = None
) -> CurlResult:
    """Run `command` (a curl line from the guide) against `base_url`, in folder `cwd`.

    Only the host and the guide's placeholders are replaced; `-s -w` is added so the
    status can be read. `cwd` holds the files a command names (`-F "file=@..."`).
    """
    command = command.replace(GUIDE_HOST, base_url)
    for placeholder, value in (replacements or {}).items():
        command = command.replace(placeholder, value)
    assert command.startswith("curl ")
    command = "curl -s -w '\\n%{http_code}' " + command[len("curl ") :]
    completed = subprocess.run(
        ["bash", "-c", command], capture_output=True, text=True, timeout=30, check=True, cwd=cwd
    )
    body, _, status = completed.stdout.rpartition("\n")
    return CurlResult(int(status), body)
