"""Which local process holds a TCP connection, from /proc (Linux): to kill the one gunicorn
worker that is in the middle of something."""

import os
from pathlib import Path


def _socket_inodes(local_port: int) -> set[str]:
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == local_port:
                inodes.add(fields[9])
    return inodes


def pid_with_local_port(local_port: int) -> int:
    """The process whose TCP socket is bound to `local_port` on this host (a client's end)."""
    targets = {f"socket:[{inode}]" for inode in _socket_inodes(local_port)}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if any(os.readlink(fd) in targets for fd in (entry / "fd").iterdir()):
                return int(entry.name)
        except OSError:  # gone, or not ours
            continue
    raise LookupError(f"no process of ours holds a socket on local port {local_port}")


def parent_pid(pid: int) -> int:
    """The parent of `pid` (a gunicorn worker's is its master)."""
    # The command name in field 2 may hold spaces; the fields after its ")" are plain.
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
