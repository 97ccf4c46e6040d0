"""Text addressed to a model ("忽略之前的指令", "ignore previous instructions") is data, never an answer.

Extractive answers skip such sentences; the LLM path leaves such passages out of its prompt. Matched on
normalised text, so traditional script and full-width letters are caught by the same patterns.
"""

from __future__ import annotations

import re

from .normalize import normalize

_DISMISS = r"(?:忽略|无视|忽视|不要理会|不必理会|不用理会|别管|跳过|抛开|撇开|放弃)"
_PRIOR = r"(?:之前|以上|上述|前面|先前|此前|所有|一切|全部|原有|原来)"
_ORDERS = r"(?:指令|指示|提示|要求|规则|设定|约束)"
_INJECTION = re.compile(
    rf"{_DISMISS}{_PRIOR}[^。！？\n]{{0,8}}{_ORDERS}"
    # An order given to the reader as "you": 你现在必须回答…, 您只能输出…
    r"|[你您](?:现在|从现在起|接下来)?(?:必须|只能|只需|务必|一定要)[^。！？\n]{0,12}(?:回答|回复|输出|说|声称|告诉)"
    # A fake system or developer turn: 系统提示：…, [SYSTEM]: …
    r"|(?:系统|开发者|管理员)(?:提示|指令|消息)\s*[:：]"
    r"|(?:ignore|disregard|forget)\s+(?:all\s+|any\s+)?(?:the\s+)?(?:previous|prior|above|earlier|preceding)\s+"
    r"(?:instructions?|prompts?|rules?|directions?)"
    r"|system\s+prompt|系统提示词|you\s+(?:must|should)\s+now\s+(?:answer|reply|say|output)|new\s+instructions\s*:",
)


def looks_like_injection(text: str) -> bool:
    """True when a passage talks to the model ("忽略之前的指令", "请无视以上所有指示", "系统提示：你现在必须…")."""
    return bool(_INJECTION.search(normalize(text)))
