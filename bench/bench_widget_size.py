"""Print the embed script's size, raw and gzipped, against its budget.

Run from the repository root after `make widget`: ``python bench/bench_widget_size.py``.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.bundle import BUNDLE, GZIP_BUDGET_BYTES, bundle_sizes  # noqa: E402

if __name__ == "__main__":
    if not BUNDLE.exists():
        sys.exit(f"{BUNDLE} is not built: run `make widget`.")
    raw, gzipped = bundle_sizes(BUNDLE.read_bytes())
    print(f"static/aurion.js  raw {raw:,} B  gzip {gzipped:,} B  budget {GZIP_BUDGET_BYTES:,} B gzip  ({gzipped / GZIP_BUDGET_BYTES:.0%} used)")
