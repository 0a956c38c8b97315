"""Stand-ins for the tokenizer and model the DLC image provides (torch and transformers cannot be
installed here). The tokenizer is a real one in miniature: exact ids and character offsets,
one token per word or punctuation-bearing word, one per CJK character, and `</s>` appended."""

import re

EOS = 1
TOKEN = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff。！？]|[^\s\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff。！？]+")


class FakeTokenizer:
    is_fast = True

    def __init__(self, model_max_length=1024, offsets_with_space=False):
        self.model_max_length = model_max_length
        # T5-style SentencePiece tokenizers give a piece's span with the white space before it.
        self.offsets_with_space = offsets_with_space
        self.vocab = {"<pad>": 0, "</s>": EOS}
        self.words = ["<pad>", "</s>"]
        self.pad_token_id = 0

    def _id(self, word):
        if word not in self.vocab:
            self.vocab[word] = len(self.words)
            self.words.append(word)
        return self.vocab[word]

    def __call__(self, text, add_special_tokens=True, return_offsets_mapping=False, verbose=True):
        matches = list(TOKEN.finditer(text))
        ids = [self._id(m.group()) for m in matches]
        if add_special_tokens:
            ids.append(EOS)
        out = {"input_ids": ids}
        if return_offsets_mapping:
            spans = [m.span() for m in matches]
            if self.offsets_with_space:
                spans = [(spans[i - 1][1] if i else 0, b) for i, (_, b) in enumerate(spans)]
            out["offset_mapping"] = spans
        return out

    def build_inputs_with_special_tokens(self, ids):
        return list(ids) + [EOS]

    def decode(self, ids):
        return " ".join(self.words[i] for i in ids if i > EOS)


class FakeModel:
    """`generate(batch, generation)`: each input's summary is its first `keep` words (then a full
    stop), so a map-reduce shrinks the text the way a real summarizer does. Records every batch."""

    def __init__(self, tokenizer, keep=12, fail_when_batch_over=None, oom_message=None, oom_type=None):
        self.tokenizer = tokenizer
        self.keep = keep
        self.fail_when_batch_over = fail_when_batch_over
        self.oom_message = oom_message
        self.oom_type = oom_type or OutOfMemoryError
        self.batches = []
        self.failures = []

    def __call__(self, batch, generation):
        if self.fail_when_batch_over is not None and len(batch) > self.fail_when_batch_over:
            self.failures.append(len(batch))
            raise self.oom_type(self.oom_message or "CUDA out of memory. Tried to allocate 2.00 GiB")
        self.batches.append([list(x) for x in batch])
        self.generation = generation
        out = []
        for ids in batch:
            assert ids[-1] == EOS, "every input ends with </s>"
            words = self.tokenizer.decode(ids[:-1]).split()
            summary = " ".join(words[: self.keep])
            out.append(summary if summary.endswith(tuple(".!?。！？")) else summary + ".")
        return out


class OutOfMemoryError(RuntimeError):
    """Named like torch.cuda.OutOfMemoryError."""
