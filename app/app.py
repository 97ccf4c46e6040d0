"""Run the cxkb web app: ``python app/app.py`` or ``gradio app/app.py`` (reloads on edits).

Serves ``$CXKB_INDEX`` (default ``indexes/default``) on http://127.0.0.1:7860 (``$CXKB_PORT``);
the corpus folder for uploads comes from the settings (``cxkb.toml`` / ``$CXKB_CONFIG``, default ``corpus/``).
Build the index first: ``cxkb build``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout without installing

from cxkb.app import HOST, PORT, create_app, launch_options, open_kb, warm_up

kb = open_kb(os.environ.get("CXKB_INDEX", "indexes/default"))
warm_up(kb)  # load the model now, not on the first question
demo = create_app(kb, kb.settings)

if __name__ == "__main__":
    demo.launch(**launch_options(kb.settings, HOST, int(os.environ.get("CXKB_PORT", PORT))))
