"""Streaming detokenization and stop strings.

`IncrementalDetokenizer` turns a growing list of token ids into text deltas without ever emitting half a UTF-8
character (byte-level BPE tokens can split one): it decodes a short window of recent tokens and only releases text once
the window no longer ends in U+FFFD — the prefix/read-offset scheme used by vLLM and HF TGI.

`StopStringMatcher` cuts the stream at the first stop string and holds back any tail that could still become one, so a
stop string never reaches the client, not even in part.
"""

from __future__ import annotations

REPLACEMENT_CHAR = "\ufffd"


class IncrementalDetokenizer:
    """Feed token ids one at a time with `push`; get back the text they complete (possibly "")."""

    def __init__(self, tokenizer, prompt_ids: list[int] | tuple[int, ...] = (), context: int = 5) -> None:
        self._tok = tokenizer
        # a few prompt tokens give the decoder the left context some tokenizers need for leading spaces
        self._ids: list[int] = list(prompt_ids[-context:]) if context else []
        self._prefix = 0
        self._read = len(self._ids)

    def _decode(self, ids: list[int]) -> str:
        return self._tok.decode(ids, skip_special_tokens=True, clean_up_tokenization_spaces=False)

    def push(self, token_id: int) -> str:
        self._ids.append(int(token_id))
        prefix_text = self._decode(self._ids[self._prefix : self._read])
        new_text = self._decode(self._ids[self._prefix :])
        if len(new_text) > len(prefix_text) and not new_text.endswith(REPLACEMENT_CHAR):
            self._prefix, self._read = self._read, len(self._ids)
            return new_text[len(prefix_text) :]
        return ""

    def flush(self) -> str:
        """Text still held back at the end of the stream (an incomplete character decodes as U+FFFD)."""
        prefix_text = self._decode(self._ids[self._prefix : self._read])
        new_text = self._decode(self._ids[self._prefix :])
        self._prefix = self._read = len(self._ids)
        return new_text[len(prefix_text) :] if len(new_text) > len(prefix_text) else ""


class StopStringMatcher:
    """Cut a text stream at the first occurrence of any stop string.

    `feed(text)` returns ``(releasable_text, stopped)``; once `stopped` is True the stream is over and the stop string
    itself is not part of the released text. `flush()` releases what was held back when the stream ends otherwise.
    """

    def __init__(self, stops: tuple[str, ...] | list[str]) -> None:
        self._stops = tuple(s for s in stops if s)
        self._pending = ""
        self.stopped = False

    def feed(self, text: str) -> tuple[str, bool]:
        if self.stopped:
            return "", True
        if not self._stops:
            return text, False
        self._pending += text
        hits = [i for i in (self._pending.find(s) for s in self._stops) if i >= 0]
        if hits:
            out, self._pending, self.stopped = self._pending[: min(hits)], "", True
            return out, True
        hold = 0
        for s in self._stops:
            for k in range(min(len(s) - 1, len(self._pending)), 0, -1):
                if self._pending.endswith(s[:k]):
                    hold = max(hold, k)
                    break
        cut = len(self._pending) - hold
        out, self._pending = self._pending[:cut], self._pending[cut:]
        return out, False

    def flush(self) -> str:
        out, self._pending = self._pending, ""
        return "" if self.stopped else out
