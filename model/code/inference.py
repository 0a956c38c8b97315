"""Whole-document PEGASUS summarization for the Hugging Face inference DLC.

The toolkit (sagemaker-huggingface-inference-toolkit, handler_service.HuggingFaceHandlerService)
imports this module from `<model_dir>/code` or `/opt/ml/model/code` and uses the hooks it
defines: `model_fn(model_dir)` instead of its pipeline loader, `input_fn(body, content_type)`,
`predict_fn(data, model)` and `output_fn(prediction, accept)`. It UTF-8-decodes the body only for
`application/json` and `text/csv`; any other content type (our `text/plain`) arrives as bytes.
Anything raised here becomes `PredictionException(str(e), 400)`, and that message is what
SageMaker writes to the failure location: every error below says what was wrong.

PEGASUS reads at most 1024 tokens (512 for pegasus-xsum). A document that fits is summarized in
one pass, as the stock summarization pipeline would. A longer one is map-reduced: split into
windows of at most the model's input length (cut at a paragraph or sentence end near the limit
where there is one), each window summarized in GPU batches, and the joined window summaries
summarized again until they fit one window. `truncate` reads only the first window.

Standard library only at import time: torch and transformers come from the DLC image and are
imported inside `model_fn`, so this module loads (and is unit-tested) without them, and nothing
is installed at container start (endpoints may have no internet).
"""

import json
import logging
import os
from dataclasses import dataclass, replace

LOG = logging.getLogger(__name__)

STRATEGIES = ("map-reduce", "truncate")

# Environment the stack sets from its configuration (lib/constructs/summarization-model.ts).
ENV_STRATEGY = "SUMMARIZER_LONG_DOCUMENTS"
ENV_CHUNK_TOKENS = "SUMMARIZER_CHUNK_TOKENS"
ENV_OVERLAP_TOKENS = "SUMMARIZER_OVERLAP_TOKENS"
ENV_BATCH_SIZE = "SUMMARIZER_BATCH_SIZE"
ENV_MAX_ROUNDS = "SUMMARIZER_MAX_ROUNDS"

# generate() arguments that must be numbers (transformers GenerationConfig); a string here would
# otherwise fail deep inside generate() with a message that does not name the parameter.
NUMERIC_GENERATION = {
    "max_length", "min_length", "max_new_tokens", "min_new_tokens", "num_beams", "num_beam_groups",
    "length_penalty", "no_repeat_ngram_size", "repetition_penalty", "diversity_penalty",
    "temperature", "top_k", "top_p", "encoder_no_repeat_ngram_size",
}
# Parameters of the stock pipeline that mean nothing here: the strategy decides what is read.
IGNORED_PARAMETERS = {"truncation"}

PARAGRAPH, SENTENCE = 2, 1
SENTENCE_ENDS = ".!?…"
CJK_SENTENCE_ENDS = "。！？"
CLOSERS = "\"'”’)]»"


class RequestError(ValueError):
    """A request that can never succeed; the message is what the researcher reads."""

    def __init__(self, message):
        super().__init__(f"invalid request: {message}")


@dataclass(frozen=True)
class Settings:
    strategy: str = "map-reduce"
    chunk_tokens: int = 0  # 0: the model's maximum input length
    overlap_tokens: int = 64
    batch_size: int = 8
    max_rounds: int = 4
    return_windows: bool = False


@dataclass(frozen=True)
class Request:
    text: str
    settings: Settings
    generation: dict


def _integer(name, value, minimum):
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise RequestError(f"{name} must be a whole number, got {value!r}")
    try:
        number = int(value) if not isinstance(value, float) or value.is_integer() else None
    except ValueError:
        number = None
    if number is None or number < minimum:
        raise RequestError(f"{name} must be a whole number of at least {minimum}, got {value!r}")
    return number


def _strategy(value):
    if value not in STRATEGIES:
        raise RequestError(f"long_documents must be one of {', '.join(STRATEGIES)}, got {value!r}")
    return value


def settings_from_env(env):
    """The deployment's defaults; a bad value fails the model load, loudly, at deploy time."""
    defaults = Settings()
    return _with_overrides(defaults, {
        "long_documents": env.get(ENV_STRATEGY, defaults.strategy),
        "chunk_tokens": env.get(ENV_CHUNK_TOKENS, defaults.chunk_tokens),
        "overlap_tokens": env.get(ENV_OVERLAP_TOKENS, defaults.overlap_tokens),
        "batch_size": env.get(ENV_BATCH_SIZE, defaults.batch_size),
        "max_rounds": env.get(ENV_MAX_ROUNDS, defaults.max_rounds),
    })


def _with_overrides(settings, parameters):
    """Applies our own parameters (removing them from `parameters`)."""
    changes = {}
    for alias in ("long_documents", "strategy"):
        if alias in parameters:
            changes["strategy"] = _strategy(parameters.pop(alias))
    if "chunk_tokens" in parameters:
        changes["chunk_tokens"] = _integer("chunk_tokens", parameters.pop("chunk_tokens"), 0)
    if "overlap_tokens" in parameters:
        changes["overlap_tokens"] = _integer("overlap_tokens", parameters.pop("overlap_tokens"), 0)
    if "batch_size" in parameters:
        changes["batch_size"] = _integer("batch_size", parameters.pop("batch_size"), 1)
    if "max_rounds" in parameters:
        changes["max_rounds"] = _integer("max_rounds", parameters.pop("max_rounds"), 2)
    if "return_windows" in parameters:
        value = parameters.pop("return_windows")
        if not isinstance(value, bool):
            raise RequestError(f"return_windows must be true or false, got {value!r}")
        changes["return_windows"] = value
    return replace(settings, **changes)


def _decode_text(body):
    if isinstance(body, str):
        return body
    try:
        return bytes(body).decode("utf-8")
    except UnicodeDecodeError as e:
        raise RequestError(f"the document is not valid UTF-8 text (byte {e.start})") from None


def parse_request(body, content_type, defaults):
    """Reads a request: raw UTF-8 text, or `{"inputs": text, "parameters": {...}}`."""
    kind = (content_type or "").split(";")[0].strip().lower()
    parameters = {}
    if kind == "text/plain":
        text = _decode_text(body)
    elif kind == "application/json":
        try:
            payload = json.loads(_decode_text(body))
        except ValueError as e:
            raise RequestError(f"malformed JSON ({e})") from None
        if not isinstance(payload, dict) or "inputs" not in payload:
            raise RequestError('a JSON request must be an object {"inputs": "<text>", "parameters": {...}}')
        text = payload["inputs"]
        if not isinstance(text, str):
            raise RequestError(f'"inputs" must be the document text (a string), got {type(text).__name__}')
        parameters = payload.get("parameters") or {}
        if not isinstance(parameters, dict):
            raise RequestError('"parameters" must be an object')
        parameters = dict(parameters)
    else:
        raise RequestError(f"unsupported content type {content_type!r}: send text/plain (UTF-8) or application/json")
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise RequestError("the document is empty (nothing but white space)")

    settings = _with_overrides(defaults, parameters)
    for name in IGNORED_PARAMETERS:
        parameters.pop(name, None)
    for name, value in parameters.items():
        if name in NUMERIC_GENERATION and (isinstance(value, bool) or not isinstance(value, (int, float))):
            raise RequestError(f"generation parameter {name} must be a number, got {value!r}")
    return Request(text=text, settings=settings, generation=parameters)


def boundary_strengths(text, offsets):
    """For each token, how strong a place to cut right after it is: 2 paragraph end, 1 sentence end, 0 neither."""
    n = len(offsets)
    strengths = bytearray(n)
    for i in range(n):
        start, end = offsets[i]
        next_start = offsets[i + 1][0] if i + 1 < n else len(text)
        gap = text[end:next_start]
        if "\n" in gap:
            strengths[i] = PARAGRAPH if gap.count("\n") >= 2 else SENTENCE
            continue
        token = text[start:end].rstrip(CLOSERS)
        if not token:
            continue
        last = token[-1]
        if last in CJK_SENTENCE_ENDS or (last in SENTENCE_ENDS and (gap[:1].isspace() or next_start >= len(text))):
            strengths[i] = SENTENCE
    return strengths


def plan_windows(n_tokens, limit, overlap, strengths, slack=None):
    """(start, end) token ranges covering [0, n_tokens): none longer than `limit`, consecutive
    ones sharing `overlap` tokens, each cut at a paragraph end within slack/2 of the limit, else a
    sentence end within slack, else at the limit."""
    if limit < 1:
        raise RequestError(f"windows must hold at least one token, got {limit}")
    if overlap * 2 >= limit:
        raise RequestError(f"overlap_tokens ({overlap}) must be less than half the window ({limit} tokens)")
    if n_tokens <= limit:
        return [(0, n_tokens)]
    slack = limit // 5 if slack is None else slack
    windows = []
    start = 0
    while True:
        hard = start + limit
        if hard >= n_tokens:
            windows.append((start, n_tokens))
            return windows
        lowest = max(start + overlap + 1, hard - slack)
        end = _cut(strengths, lowest, hard, PARAGRAPH, max(lowest, hard - slack // 2)) or _cut(strengths, lowest, hard, SENTENCE, lowest) or hard
        windows.append((start, end))
        start = end - overlap


def _cut(strengths, lowest, hard, strength, floor):
    """The latest end in [floor, hard] right after a token at least `strength` strong."""
    for end in range(hard, floor - 1, -1):
        if end >= lowest and strengths[end - 1] >= strength:
            return end
    return None


def is_out_of_memory(error):
    """torch.cuda.OutOfMemoryError (a RuntimeError subclass) or the older RuntimeError text."""
    return type(error).__name__ == "OutOfMemoryError" or "out of memory" in str(error).lower()


class TokenizerAdapter:
    """What we need of a Hugging Face tokenizer: exact token ids with character offsets, and the
    special tokens the model expects around each input (PEGASUS appends `</s>`)."""

    def __init__(self, tokenizer):
        self.tokenizer = tokenizer
        self.specials = len(tokenizer.build_inputs_with_special_tokens([]))

    def encode(self, text):
        offsets_supported = getattr(self.tokenizer, "is_fast", False)
        encoded = self.tokenizer(text, add_special_tokens=False, return_offsets_mapping=offsets_supported, verbose=False)
        ids = list(encoded["input_ids"])
        if not offsets_supported:
            LOG.warning("slow tokenizer: no character offsets, windows are cut at the token limit")
            return ids, bytearray(len(ids))
        return ids, boundary_strengths(text, encoded["offset_mapping"])

    def wrap(self, ids):
        return self.tokenizer.build_inputs_with_special_tokens(list(ids))


class Summarizer:
    """The model as `model_fn` returns it: a tokenizer, a `generate(batch_of_id_lists, generation)`
    function returning one text per input, and the longest input the model accepts."""

    def __init__(self, tokenizer, generate, max_input_tokens, defaults=Settings(), release_memory=lambda: None):
        self.tokenizer = tokenizer
        self.generate = generate
        self.max_input_tokens = max_input_tokens
        self.defaults = defaults
        self.release_memory = release_memory

    def summarize(self, request):
        s = request.settings
        window = s.chunk_tokens or self.max_input_tokens
        if window > self.max_input_tokens:
            raise RequestError(f"chunk_tokens {window} exceeds the model's maximum input of {self.max_input_tokens} tokens")
        limit = window - self.tokenizer.specials
        ids, strengths = self.tokenizer.encode(request.text)
        report = {
            "strategy": s.strategy,
            "input_tokens": len(ids),
            "window_tokens": window,
            "overlap_tokens": s.overlap_tokens,
            "truncated": False,
            "round_limit_reached": False,
        }
        batch = [s.batch_size]
        if len(ids) <= limit or s.strategy == "truncate":
            summary = self._generate_all([ids[:limit]], request.generation, batch)[0]
            report.update(windows=1, rounds=1, truncated=len(ids) > limit)
            window_summaries = [summary]
        else:
            summary, window_summaries, windows, rounds, limit_hit = self._map_reduce(ids, strengths, limit, s, request.generation, batch)
            report.update(windows=windows, rounds=rounds, round_limit_reached=limit_hit)
        report["batch_size"] = batch[0]
        result = {"summary_text": summary, **report}
        if s.return_windows:
            result["window_summaries"] = window_summaries
        return result

    def _map_reduce(self, ids, strengths, limit, s, generation, batch):
        rounds = 0
        first_round = None
        while True:
            plan = plan_windows(len(ids), limit, s.overlap_tokens, strengths)
            summaries = self._generate_all([ids[a:b] for a, b in plan], generation, batch)
            rounds += 1
            if first_round is None:
                first_round = summaries
            ids, strengths = self.tokenizer.encode("\n".join(x.strip() for x in summaries))
            if len(ids) <= limit or rounds + 1 >= s.max_rounds:
                limit_hit = len(ids) > limit
                if limit_hit:
                    LOG.warning("round limit %d reached: the last pass reads the first %d of %d tokens of summaries", s.max_rounds, limit, len(ids))
                final = self._generate_all([ids[:limit]], generation, batch)[0]
                return final, first_round, len(first_round), rounds + 1, limit_hit

    def _generate_all(self, inputs, generation, batch):
        """Generates in batches of `batch[0]`; on CUDA out-of-memory halves the batch (kept for
        the rest of the document) and retries, down to one window at a time."""
        outputs = []
        i = 0
        while i < len(inputs):
            size = batch[0]
            chunk = [self.tokenizer.wrap(x) for x in inputs[i:i + size]]
            try:
                outputs.extend(self.generate(chunk, dict(generation)))
            except Exception as error:  # noqa: BLE001 -- only OOM is handled; the rest is re-raised
                if not is_out_of_memory(error) or size == 1:
                    raise
                self.release_memory()
                batch[0] = max(1, size // 2)
                LOG.warning("GPU out of memory with %d windows per batch; retrying with %d", size, batch[0])
                continue
            i += len(chunk)
        return outputs


def _max_input_tokens(tokenizer, config):
    candidates = [getattr(config, "max_position_embeddings", None), getattr(tokenizer, "model_max_length", None)]
    sane = [int(c) for c in candidates if isinstance(c, int) and 0 < c < 1_000_000]
    if not sane:
        raise ValueError("cannot tell the model's maximum input length (no max_position_embeddings or model_max_length)")
    return min(sane)


def model_fn(model_dir, context=None):  # noqa: ARG001 -- the toolkit's signature
    import torch  # noqa: PLC0415 -- from the DLC image, only where the model is loaded
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer  # noqa: PLC0415

    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    model = AutoModelForSeq2SeqLM.from_pretrained(model_dir)
    cuda = torch.cuda.is_available()
    device = "cuda" if cuda else "cpu"
    model.to(device)
    model.eval()
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0

    def generate(batch, generation):
        width = max(len(x) for x in batch)
        input_ids = torch.tensor([x + [pad] * (width - len(x)) for x in batch], dtype=torch.long, device=device)
        attention = torch.tensor([[1] * len(x) + [0] * (width - len(x)) for x in batch], dtype=torch.long, device=device)
        with torch.inference_mode():
            output = model.generate(input_ids=input_ids, attention_mask=attention, **generation)
        return tokenizer.batch_decode(output, skip_special_tokens=True, clean_up_tokenization_spaces=True)

    def release_memory():
        if cuda:
            torch.cuda.empty_cache()

    defaults = settings_from_env(os.environ)
    max_input = _max_input_tokens(tokenizer, model.config)
    LOG.info("summarizer ready: %s, device %s, max input %d tokens, defaults %s", model_dir, device, max_input, defaults)
    return Summarizer(TokenizerAdapter(tokenizer), generate, max_input, defaults, release_memory)


def input_fn(input_data, content_type, model=None):
    # The toolkit calls input_fn(data, content_type) without the model; the deployment's defaults
    # come from the environment, read once.
    defaults = model.defaults if model is not None else _env_defaults()
    return parse_request(input_data, content_type, defaults)


_ENV_DEFAULTS = None


def _env_defaults():
    global _ENV_DEFAULTS  # noqa: PLW0603 -- read once per worker
    if _ENV_DEFAULTS is None:
        _ENV_DEFAULTS = settings_from_env(os.environ)
    return _ENV_DEFAULTS


def predict_fn(data, model):
    return [model.summarize(data)]


def output_fn(prediction, accept):
    kind = (accept or "application/json").split(";")[0].strip().lower()
    if kind not in ("application/json", "*/*"):
        raise RequestError(f"unsupported accept type {accept!r}: responses are application/json")
    return json.dumps(prediction, ensure_ascii=False)
