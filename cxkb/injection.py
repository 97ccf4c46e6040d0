"""Text addressed to a model ("忽略之前的指令", "ignore previous instructions") is data, never an answer.

Extractive answers skip such sentences; the LLM path leaves such passages out of its prompt.
"""

from __future__ import annotations

import re

_INJECTION = re.compile(
    r"忽略(?:之前|以上|上述|前面|先前|所有|一切)[^。！？\n]{0,6}(?:指令|指示|提示|要求)"
    r"|無視(?:之前|以上|上述|前面|先前|所有)[^。！？\n]{0,6}(?:指令|指示|提示)"
    r"|(?:ignore|disregard|forget)\s+(?:all\s+|any\s+)?(?:the\s+)?(?:previous|prior|above|earlier|preceding)\s+"
    r"(?:instructions?|prompts?|rules?|directions?)"
    r"|system\s+prompt|系统提示词|系統提示詞",
    re.IGNORECASE,
)


def looks_like_injection(text: str) -> bool:
    """True when a passage talks to the model ("忽略之前的指令", "ignore previous instructions")."""
    return bool(_INJECTION.search(text))
